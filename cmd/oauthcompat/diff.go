package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/oauthcompat/oauthcompat/diff"
	"github.com/oauthcompat/oauthcompat/ghactions"
)

const diffAbout = `Compares what two GitHub versions document for the OAuth endpoints (--from/--to), or what
two recordings show (--from-cassettes/--to-cassettes, go-vcr cassettes laid out DIR/<version>/*.yaml,
e.g. two 'conform --record' runs before and after an upgrade).

Each change has a rule id and a severity (breaking, warning, info); removed legacy path-token
endpoints and OAuth Authorizations API operations come with their migration. The first line of
the Markdown output is the summary, e.g. "4 breaking, 12 warnings, 0 info". docs/diff.md lists
every rule and the JSON shape.

A journal beside the cassettes (a recording that did not finish) is reported: its
interactions are in no cassette, so the diff does not see them; run 'oauthcompat cassette
recover'.

In GitHub Actions (GITHUB_ACTIONS=true, or --ci github) it also appends the verdict and the
report to $GITHUB_STEP_SUMMARY and prints an ::error annotation for each change at or above
--fail-on (a ::warning for other breaking changes and warnings), titled with the operation and
rule.

Exit codes: 0 report written, 1 a change at or above --fail-on was found, 2 usage error,
3 a file could not be read or written, or a cassette does not load.`

func runDiff(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("diff", "diff --from V1 --to V2 [--format md|json|html] [--out FILE] [--fail-on SEVERITY]\n       oauthcompat diff --from-cassettes DIR1 --to-cassettes DIR2 [--format ...] [--out FILE] [--fail-on SEVERITY]", diffAbout, stderr)
	from := fs.String("from", "", "the version upgraded from, e.g. 3.3, ghes-3.3, github.ae")
	to := fs.String("to", "", "the version upgraded to")
	fromDir := fs.String("from-cassettes", "", "the recording before (cassette directory)")
	toDir := fs.String("to-cassettes", "", "the recording after (cassette directory)")
	format := fs.String("format", "md", "output format: md, json or html")
	out := fs.String("out", "", "write the report to FILE instead of standard output")
	catOpt := withCatalog(fs)
	failOn := fs.String("fail-on", "", "exit 1 when a change of this severity or worse is found: breaking, warning or info (default: never)")
	ciFlag := fs.String("ci", ghactions.ModeAuto, "CI output: auto (GitHub Actions when GITHUB_ACTIONS=true), github, none")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	ci, err := ghactions.Enabled(*ciFlag, getenv)
	if err != nil {
		return usageError(stderr, "diff", "--ci: %v", err)
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "diff", "unexpected argument %q", fs.Arg(0))
	}
	threshold, ok := parseSeverity(*failOn)
	if !ok {
		return usageError(stderr, "diff", "--fail-on %q: use breaking, warning or info", *failOn)
	}
	if !validFormat(*format) {
		return usageError(stderr, "diff", "--format %q: use one of %s", *format, strings.Join(diff.Formats, ", "))
	}
	versions := *from != "" || *to != ""
	recordings := *fromDir != "" || *toDir != ""
	cat, code, ok := catOpt.get(stderr, "diff")
	if !ok {
		return code
	}
	d := diff.New(cat)
	var rep *diff.Report
	switch {
	case versions && recordings:
		return usageError(stderr, "diff", "give either --from/--to or --from-cassettes/--to-cassettes, not both")
	case versions:
		if *from == "" || *to == "" {
			return usageError(stderr, "diff", "--from and --to are both required")
		}
		vf, err := d.Catalog().Version(*from)
		if err != nil {
			return usageError(stderr, "diff", "--from: %v", err)
		}
		vt, err := d.Catalog().Version(*to)
		if err != nil {
			return usageError(stderr, "diff", "--to: %v", err)
		}
		if rep, err = d.Documented(vf, vt); err != nil {
			return failure(stderr, "diff", err)
		}
	case recordings:
		if *fromDir == "" || *toDir == "" {
			return usageError(stderr, "diff", "--from-cassettes and --to-cassettes are both required")
		}
		if code, ok := missing(stderr, "diff", "--from-cassettes", *fromDir); !ok {
			return code
		}
		if code, ok := missing(stderr, "diff", "--to-cassettes", *toDir); !ok {
			return code
		}
		warnLeftovers(stderr, "diff", *fromDir)
		warnLeftovers(stderr, "diff", *toDir)
		m := meter(stderr, "diff", *fromDir, *toDir)
		o := diff.LoadOptions{Progress: m.Add}
		rf, err := d.LoadRecordingWith(*fromDir, o)
		if err != nil {
			m.Done()
			return failure(stderr, "diff", err)
		}
		rt, err := d.LoadRecordingWith(*toDir, o)
		m.Done()
		if err != nil {
			return failure(stderr, "diff", err)
		}
		if rep, err = d.Observed(rf, rt); err != nil {
			return failure(stderr, "diff", err)
		}
	default:
		return usageError(stderr, "diff", "give --from and --to (versions), or --from-cassettes and --to-cassettes (recordings)")
	}
	if code := writeReport(rep, *format, *out, stdout, stderr, "diff"); code != exitOK {
		return code
	}
	if ci {
		if err := annotateDiff("diff", rep, threshold, *out == "", stdout, stderr); err != nil {
			return failure(stderr, "diff", err)
		}
	}
	if threshold != "" && rep.AtLeast(threshold) {
		return exitFindings
	}
	return exitOK
}

// annotateDiff prints the annotations of a diff or upgrade check (to
// stderr when stdout carries the report) and appends its verdict and
// Markdown to the step summary. Changes at or above failAt fail the step.
func annotateDiff(command string, rep *diff.Report, failAt diff.Severity, reportOnStdout bool, stdout, stderr io.Writer) error {
	w := stdout
	if reportOnStdout {
		w = stderr
	}
	if err := ghactions.Write(w, ghactions.Diff(command, rep, failAt), "the report"); err != nil {
		return err
	}
	icon := "✅"
	switch {
	case failAt != "" && rep.AtLeast(failAt):
		icon = "❌"
	case rep.AtLeast(diff.SeverityWarning):
		icon = "⚠️"
	}
	var md bytes.Buffer
	fmt.Fprintf(&md, "%s **%s: %s**\n\n", icon, rep.Title(), rep.Summary)
	if err := rep.WriteMarkdown(&md); err != nil {
		return err
	}
	return ghactions.AppendSummary(getenv, md.String())
}

func parseSeverity(s string) (diff.Severity, bool) {
	switch strings.ToLower(s) {
	case "":
		return "", true
	case "breaking":
		return diff.SeverityBreaking, true
	case "warning", "warnings":
		return diff.SeverityWarning, true
	case "info":
		return diff.SeverityInfo, true
	}
	return "", false
}

func validFormat(f string) bool {
	var b bytes.Buffer
	return (&diff.Report{}).Write(&b, f) == nil
}

// writeReport renders rep to stdout, or to out (then the summary line goes
// to stdout).
func writeReport(rep *diff.Report, format, out string, stdout, stderr io.Writer, name string) int {
	if out == "" {
		if err := rep.Write(stdout, format); err != nil {
			return failure(stderr, name, err)
		}
		return exitOK
	}
	var b bytes.Buffer
	if err := rep.Write(&b, format); err != nil {
		return failure(stderr, name, err)
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return failure(stderr, name, fmt.Errorf("write report: %w", err))
	}
	fmt.Fprintf(stdout, "%s: %s\n", out, rep.Summary)
	return exitOK
}
