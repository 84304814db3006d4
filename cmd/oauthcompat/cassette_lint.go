package main

import (
	"context"
	"fmt"
	"io"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

const lintAbout = `Checks the cassettes under DIR (recursively; or one cassette file) and reports, one
per line: files that do not load (YAML errors with file and line, missing fields),
interactions that match no catalog operation of the cassette's version (the directory
name, DIR/<version>/<name>.yaml, or --version), responses that fail the version's
schema for their operation and status, and anything that looks like an unredacted
secret. Without the redaction key, pseudonyms are told from real secrets by their form:
a GitHub token with a valid checksum, or any other credential, OTP, password, cookie or
client secret without the redactor's mark, is reported. With the key (--redact-key-file,
default .redact-key in DIR or up to two directories above) the check is exact: a secret
the key does not reproduce, and whatever redaction would still change, is reported.
Statuses a version does not document are listed as (info) and do not fail the check.
Exits 0 when clean, 1 when anything is found, 2 for a usage error.`

func runCassetteLint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("cassette lint", "cassette lint [--version V] [--redact-key-file F] [--json] DIR|FILE", lintAbout, stderr)
	version := fs.String("version", "", "check against this version instead of the one the directory names")
	catOpt := withCatalog(fs)
	keyFile := fs.String("redact-key-file", "", "the redaction key the cassettes were recorded with; default: .redact-key in DIR or up to two directories above")
	pseudoID := fs.Bool("pseudonymize-client-id", false, "the cassettes were recorded with record --pseudonymize-client-id")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(stderr, "cassette lint", "want one DIR or FILE, got %d arguments", fs.NArg())
	}
	path := fs.Arg(0)
	red, _, err := findRedactor(path, *keyFile, redact.Options{PseudonymizeClientID: *pseudoID})
	if err != nil {
		return usageError(stderr, "cassette lint", "%v", err)
	}
	cat, code, ok := catOpt.get(stderr, "cassette lint")
	if !ok {
		return code
	}
	findings, err := replay.Lint(path, replay.LintOptions{Version: *version, Catalog: cat, Redactor: red})
	if err != nil {
		return usageError(stderr, "cassette lint", "%v", err)
	}
	if *asJSON {
		if findings == nil {
			findings = []replay.Finding{}
		}
		if code := writeJSON(stdout, findings); code != exitOK {
			return code
		}
	} else {
		for _, f := range findings {
			fmt.Fprintln(stdout, f)
		}
	}
	var problems int
	for _, f := range findings {
		if !f.Info {
			problems++
		}
	}
	if problems > 0 {
		fmt.Fprintf(stderr, "oauthcompat cassette lint: %d findings\n", problems)
		return exitFindings
	}
	return exitOK
}
