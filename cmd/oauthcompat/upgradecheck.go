package main

import (
	"context"
	"io"
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

Exit codes: 0 nothing breaks, 1 at least one call breaks, 2 usage error, 3 the traffic could
not be read (a cassette does not load, or there are only journals) or the report not written.`

func runUpgradeCheck(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("upgrade-check", "upgrade-check --traffic DIR --to V [--from V] [--format md|json|html] [--out FILE]", upgradeCheckAbout, stderr)
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
	rec, err := d.LoadRecording(*traffic)
	if err != nil {
		return failure(stderr, "upgrade-check", err)
	}
	rep, err := d.UpgradeCheck(rec, vf, vt)
	if err != nil {
		return usageError(stderr, "upgrade-check", "%v; or pass --from", err)
	}
	if code := writeReport(rep, *format, *out, stdout, stderr, "upgrade-check"); code != exitOK {
		return code
	}
	if ci {
		if err := annotateDiff("upgrade-check", rep, diff.SeverityBreaking, *out == "", stdout, stderr); err != nil {
			return failure(stderr, "upgrade-check", err)
		}
	}
	if rep.Breaking() {
		return exitFindings
	}
	return exitOK
}
