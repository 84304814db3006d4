package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/oauthcompat/oauthcompat/fixtures"
)

const fixturesAbout = `Writes a fixture pack per version into DIR/<version>/: every request the reference
server documents a status for (check, invalid token 404, reset, delete, scoped token,
grant deletion, the Authorizations API flows, ...), each recorded as an independent
scenario against a fresh reference server, with the reference server's published test
credentials in clear, in the formats asked for:

  govcr     govcr/<scenario>.yaml: a go-vcr v3 cassette ('oauthcompat replay', Go)
  har       har/<scenario>.har: HTTP Archive 1.2 (Polly.js, devtools, mitmproxy)
  vcrpy     vcrpy/<scenario>.yaml: a VCR.py cassette (Python)
  wiremock  wiremock/<scenario>/mappings/*.json: WireMock stub mappings

and manifest.json (each scenario's requests, credentials and expected statuses) and a
README (how to use the pack from Go, Python and JavaScript). The output is
deterministic; each pack replaces in DIR/<version> the files the pack there listed in its
manifest.json, and keeps any other file. --version all (or ALL=1 with
'make fixtures') writes every catalog version.`

func runFixtures(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("fixtures", "fixtures --version V|V1,V2|all --out DIR [--format govcr,har,vcrpy,wiremock]", fixturesAbout, stderr)
	version := fs.String("version", "", "the version (3.8, ghes-3.8, api.github.com), a comma-separated list, or all (required)")
	out := fs.String("out", "", "the directory the packs go into, one DIR/<version> each (required)")
	format := fs.String("format", "govcr,har,vcrpy,wiremock", "the formats to write, comma-separated")
	catOpt := withCatalog(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "fixtures", "unexpected argument %q", fs.Arg(0))
	}
	if *version == "" || *out == "" {
		return usageError(stderr, "fixtures", "--version and --out are required")
	}
	cat, code, ok := catOpt.get(stderr, "fixtures")
	if !ok {
		return code
	}
	versions, err := fixtures.Versions(cat, *version)
	if err != nil {
		return usageError(stderr, "fixtures", "--version: %v", err)
	}
	formats, err := fixtures.ParseFormats(*format)
	if err != nil {
		return usageError(stderr, "fixtures", "--format: %v", err)
	}
	for _, v := range versions {
		p, err := fixtures.Build(v)
		if err != nil {
			return failure(stderr, "fixtures", err)
		}
		dir := filepath.Join(*out, v.Name)
		if err := p.Write(dir, formats); err != nil {
			return failure(stderr, "fixtures", err)
		}
		fmt.Fprintf(stdout, "%s (%d scenarios)\n", dir, len(p.Scenarios))
	}
	return exitOK
}
