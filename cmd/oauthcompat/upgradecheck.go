package main

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/oauthcompat/oauthcompat/diff"
	"github.com/oauthcompat/oauthcompat/ghactions"
	"github.com/oauthcompat/oauthcompat/schemas"
)

const upgradeCheckAbout = `Checks a client's recorded traffic (go-vcr cassettes under DIR/<version>/*.yaml, as
'oauthcompat record' writes them) against target version V. Every call V no longer documents is
listed with its migration (legacy path-token endpoints -> token-in-body endpoints, OAuth
Authorizations API -> web application or device flow and the token endpoints), and so is every
documented status or schema change between the recorded version and V that can break the client
(request bodies, and responses for the statuses the client received).

The recorded version is the name of the directory holding the cassettes (ghes-3.3); --from
overrides it.

A journal beside the cassettes (a recording that did not finish) is reported: its calls are
in no cassette, so the check does not see them; run 'oauthcompat cassette recover'.

In GitHub Actions (GITHUB_ACTIONS=true, or --ci github) it also appends the verdict and the
report to $GITHUB_STEP_SUMMARY and prints an ::error annotation for each call that breaks (a
::warning for each warning), titled with the operation and rule.

A recording too large for one machine is checked part by part: each cassette on its own
(upgrade-check --traffic FILE --to V --format json --out PART.json, the map step, on as many
machines as a CI matrix or a batch system gives), then 'upgrade-check --merge PART.json...'
(the reduce step, the parts in the order recorded) merges their summaries by operation and
gives the report the check of the whole recording gives.

Exit codes: 0 nothing breaks, 1 at least one call breaks, 2 usage error, 3 the traffic could
not be read (a cassette does not load, or there are only journals) or the report not written.`

func runUpgradeCheck(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("upgrade-check", "upgrade-check --traffic DIR|FILE --to V [--from V] [--format md|json|html] [--out FILE]\n       oauthcompat upgrade-check --merge PARTIAL.json... [--format md|json|html] [--out FILE]", upgradeCheckAbout, stderr)
	merge := fs.Bool("merge", false, "merge the JSON reports of upgrade checks of parts of one recording (the arguments, in the order recorded) into the check of the whole")
	traffic := fs.String("traffic", "", "the client's recorded traffic (cassette directory)")
	to := fs.String("to", "", "the version to upgrade to, e.g. 3.4, ghes-3.10, api.github.com")
	from := fs.String("from", "", "the version the traffic was recorded at (default: its directory name)")
	catOpt := withCatalog(fs)
	format := fs.String("format", "md", "output format: md, json or html")
	out := fs.String("out", "", "write the report to FILE instead of standard output")
	ciFlag := fs.String("ci", ghactions.ModeAuto, "CI output: auto (GitHub Actions when GITHUB_ACTIONS=true), github, none")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	ci, err := ghactions.Enabled(*ciFlag, getenv)
	if err != nil {
		return usageError(stderr, "upgrade-check", "--ci: %v", err)
	}
	if *merge {
		return mergeUpgradeChecks(fs.Args(), *traffic, *to, *from, *format, *out, catOpt, ci, stdout, stderr)
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "upgrade-check", "unexpected argument %q", fs.Arg(0))
	}
	if *traffic == "" || *to == "" {
		return usageError(stderr, "upgrade-check", "--traffic and --to are required")
	}
	if code, ok := missing(stderr, "upgrade-check", "--traffic", *traffic); !ok {
		return code
	}
	if !validFormat(*format) {
		return usageError(stderr, "upgrade-check", "--format %q: use one of %s", *format, strings.Join(diff.Formats, ", "))
	}
	cat, code, ok := catOpt.get(stderr, "upgrade-check")
	if !ok {
		return code
	}
	d := diff.New(cat)
	vt, err := d.Catalog().Version(*to)
	if err != nil {
		return usageError(stderr, "upgrade-check", "--to: %v", err)
	}
	var vf *schemas.Version
	if *from != "" {
		if vf, err = d.Catalog().Version(*from); err != nil {
			return usageError(stderr, "upgrade-check", "--from: %v", err)
		}
	}
	warnLeftovers(stderr, "upgrade-check", *traffic)
	m := meter(stderr, "upgrade-check", *traffic)
	rec, err := d.LoadRecordingWith(*traffic, diff.LoadOptions{Progress: m.Add})
	m.Done()
	if err != nil {
		return failure(stderr, "upgrade-check", err)
	}
	rep, err := d.UpgradeCheck(rec, vf, vt)
	if err != nil {
		return usageError(stderr, "upgrade-check", "%v; or pass --from", err)
	}
	return finishUpgradeCheck(rep, *format, *out, ci, stdout, stderr)
}

// finishUpgradeCheck writes the report, and the CI output, and returns
// the exit code.
func finishUpgradeCheck(rep *diff.Report, format, out string, ci bool, stdout, stderr io.Writer) int {
	if code := writeReport(rep, format, out, stdout, stderr, "upgrade-check"); code != exitOK {
		return code
	}
	if ci {
		if err := annotateDiff("upgrade-check", rep, diff.SeverityBreaking, out == "", stdout, stderr); err != nil {
			return failure(stderr, "upgrade-check", err)
		}
	}
	if rep.Breaking() {
		return exitFindings
	}
	return exitOK
}

// mergeUpgradeChecks is upgrade-check --merge: the reduce step.
func mergeUpgradeChecks(paths []string, traffic, to, from, format, out string, catOpt catalogOption, ci bool, stdout, stderr io.Writer) int {
	switch {
	case traffic != "" || to != "" || from != "":
		return usageError(stderr, "upgrade-check", "--merge takes the partial reports only: their versions are the versions checked")
	case len(paths) == 0:
		return usageError(stderr, "upgrade-check", "--merge wants the JSON reports of 'upgrade-check --traffic FILE --to V --format json', in the order recorded")
	case !validFormat(format):
		return usageError(stderr, "upgrade-check", "--format %q: use one of %s", format, strings.Join(diff.Formats, ", "))
	}
	cat, code, ok := catOpt.get(stderr, "upgrade-check")
	if !ok {
		return code
	}
	parts := make([]*diff.Report, len(paths))
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return usageError(stderr, "upgrade-check", "--merge: %v", err)
		}
		parts[i], err = diff.ReadReport(f)
		f.Close()
		if err != nil {
			return usageError(stderr, "upgrade-check", "--merge %s: %v (want the JSON report of 'upgrade-check --format json')", p, err)
		}
	}
	rep, err := diff.New(cat).MergeUpgradeChecks(parts)
	if err != nil {
		return usageError(stderr, "upgrade-check", "%v", err)
	}
	return finishUpgradeCheck(rep, format, out, ci, stdout, stderr)
}
