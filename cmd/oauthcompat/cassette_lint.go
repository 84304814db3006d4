package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
	"github.com/oauthcompat/oauthcompat/schemas"
)

const lintAbout = `Checks the cassettes under DIR (recursively; or one cassette file) and reports, one
per line: files that do not load (YAML errors with file and line, missing fields),
interactions that match no catalog operation of the cassette's version (the directory
name, DIR/<version>/<name>.yaml, or --version), responses that fail the version's
schema for their operation and status, and anything that looks like an unredacted
secret, in any field (host, URL, status, header names and values, and every body,
decoded when it is stored compressed), each with its file, line and field. Without the
redaction key, pseudonyms are told from real secrets by their form:
a GitHub token with a valid checksum, or any other credential, OTP, password, cookie or
client secret without the redactor's mark, is reported. With the key (--redact-key-file,
default .redact-key in DIR or up to two directories above) the check is exact: a secret
the key does not reproduce, and whatever redaction would still change, is reported.
A cassette whose directory names no version the catalog documents is reported (its
operation and schema checks could not run; pass --version), and so is a journal beside the
cassettes (its interactions are in no cassette yet: run 'oauthcompat cassette recover').
Statuses a version does not document, bodies stored cut short and recorded upstream
failures are listed as (info) and do not fail the check. The last line on standard error
counts the cassettes and interactions checked. --format json prints the findings as JSON,
--format sarif as a SARIF 2.1.0 log for code scanning (one result per finding, located by
file and line; see docs/ci.md).

Exits 0 when clean, 1 when anything is found, 2 for a usage error, 3 when a cassette does
not load or the directory holds only journals.`

func runCassetteLint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("cassette lint", "cassette lint [--version V] [--redact-key-file F] [--format text|json|sarif] DIR|FILE", lintAbout, stderr)
	version := fs.String("version", "", "check against this version instead of the one the directory names")
	catOpt := withCatalog(fs)
	keyFile := fs.String("redact-key-file", "", "the redaction key the cassettes were recorded with; default: .redact-key in DIR or up to two directories above")
	pseudoID := fs.Bool("pseudonymize-client-id", false, "the cassettes were recorded with record --pseudonymize-client-id")
	asJSON := fs.Bool("json", false, "print the findings as JSON (--format json)")
	format := fs.String("format", "text", "how findings are printed: text (one a line), json, or sarif (SARIF 2.1.0 for code scanning)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(stderr, "cassette lint", "want one DIR or FILE, got %d arguments", fs.NArg())
	}
	switch *format {
	case "text", "json", "sarif":
	default:
		return usageError(stderr, "cassette lint", "--format must be text, json or sarif, got %q", *format)
	}
	if *asJSON {
		if *format == "sarif" {
			return usageError(stderr, "cassette lint", "--json and --format sarif exclude each other")
		}
		*format = "json"
	}
	path := fs.Arg(0)
	if code, ok := missing(stderr, "cassette lint", "DIR|FILE", path); !ok {
		return code
	}
	red, _, err := findRedactor(path, *keyFile, redact.Options{PseudonymizeClientID: *pseudoID}, stderrLogger(stderr))
	if err != nil {
		return usageError(stderr, "cassette lint", "%v", err)
	}
	cat, code, ok := catOpt.get(stderr, "cassette lint")
	if !ok {
		return code
	}
	m := meter(stderr, "cassette lint", path)
	res, err := replay.LintAll(path, replay.LintOptions{Version: *version, Catalog: cat, Redactor: red, Progress: m.Add})
	m.Done()
	if err != nil {
		return loadFailure(stderr, "cassette lint", err, schemas.ErrUnknownVersion)
	}
	findings := res.Findings
	switch *format {
	case "json":
		if findings == nil {
			findings = []replay.Finding{}
		}
		if code := writeJSON(stdout, findings); code != exitOK {
			return code
		}
	case "sarif":
		wd, _ := os.Getwd()
		if err := replay.WriteSARIF(stdout, findings, wd); err != nil {
			return failure(stderr, "cassette lint", err)
		}
	default:
		for _, f := range findings {
			fmt.Fprintln(stdout, f)
		}
	}
	var problems, notes, malformed int
	for _, f := range findings {
		switch {
		case f.Info:
			notes++
		case f.Kind == replay.FindingYAML:
			malformed++
			problems++
		default:
			problems++
		}
	}
	checked := fmt.Sprintf("%d cassette%s, %d interaction%s checked", res.Cassettes, plural(int64(res.Cassettes)), res.Interactions, plural(int64(res.Interactions)))
	if notes > 0 {
		checked += fmt.Sprintf(", %d note%s", notes, plural(int64(notes)))
	}
	switch {
	case malformed > 0:
		fmt.Fprintf(stderr, "oauthcompat cassette lint: %d finding%s (%s); %s\n", problems, plural(int64(problems)), nouns(malformed, "cassette that does not load", "cassettes that do not load"), checked)
		return exitFailure
	case problems > 0:
		fmt.Fprintf(stderr, "oauthcompat cassette lint: %d finding%s; %s\n", problems, plural(int64(problems)), checked)
		return exitFindings
	}
	fmt.Fprintf(stderr, "oauthcompat cassette lint: clean: %s\n", checked)
	return exitOK
}
