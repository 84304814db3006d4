package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/detect"
	"github.com/oauthcompat/oauthcompat/fleet"
	"github.com/oauthcompat/oauthcompat/ghactions"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
	"github.com/oauthcompat/oauthcompat/reports"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// conformCassette is the cassette name a recorded conform run writes:
// DIR/<version>/conform.yaml, next to conform-run.json.
const conformCassette = "conform"

// getenv is os.Getenv; tests replace it.
var getenv = os.Getenv

func runConform(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("conform", `conform --version V|auto (--target URL | --cassettes DIR) [--record DIR] [--report DIR|-]
       [--format junit,json,md,html] [--only ID,...] [--fail-on error|warning|never] [--ci auto|github|none]
       [--dry-run] [--credentials FILE] [--redact-key-file F]
       oauthcompat conform --targets FILE [--version V|auto] [--parallel N] [--report DIR|-] [--format ...] [--only ...]
       [--fail-on ...] [--ci ...]`,
		`Checks that a server (--target) or a recording of one (--cassettes) behaves as version V
documents the OAuth application and authorization endpoints: every documented operation and
status code, provoked with realistic inputs; each body against the version's schema; reset,
delete and revoke from the outside; legacy endpoints removed or only rejecting; operations V
does not document probed for 404.

--version auto asks the server: X-GitHub-Enterprise-Version on any answer, GET /meta's
installed_version, api.github.com's own headers; it says what it found. With --cassettes it
takes the recorded run's version.

Credentials come from the environment or --credentials FILE (JSON or KEY=VALUE lines), never
from flags:
  OAUTHCOMPAT_CLIENT_ID, OAUTHCOMPAT_CLIENT_SECRET   the OAuth app
  OAUTHCOMPAT_USERNAME, OAUTHCOMPAT_PASSWORD         a user, for the OAuth Authorizations API
  OAUTHCOMPAT_TOKENS                                 comma-separated tokens of the app that the
                                                     suite may use up (check, reset, delete,
                                                     revoke their grant)
  OAUTHCOMPAT_OTP                                    the user's one-time password, when the user has
                                                     two-factor authentication (sent as X-GitHub-OTP)
  OAUTHCOMPAT_ALLOW_LOCKOUT=yes                      let the last case fail the user's logins until
                                                     the server locks the user out (403)
Revoking a grant revokes every token of that user for the app: use a test user.

--targets FILE checks many servers in one run (YAML or JSON; see docs/conform.md):
  targets:
    - name: prod
      url: https://ghe.example.com/api/v3
      version: ghes-3.8                  # or auto; default --version, else auto
      credentials_env_prefix: PROD_      # PROD_CLIENT_ID, PROD_CLIENT_SECRET, PROD_USERNAME,
                                         # PROD_PASSWORD, PROD_TOKENS, PROD_OTP, ...
--parallel servers run at once, each server's cases one after the other. --report DIR then
holds report.json (every server), index.html (servers x operations), report.md, report.xml and
DIR/<name>/ with each server's own reports. A server that cannot be reached is reported and
the others still run; the exit code is the worst of the servers'.

--report - (or one --format without --report) writes that report (JSON by default) to standard
output, and the summary to standard error.

--record DIR records the live run into DIR/<version>/conform.yaml (redacted) with
DIR/<version>/conform-run.json, replacing an earlier recording only once the run completed;
--cassettes DIR replays it, with the same credentials again.

--report and --record are checked to be writable before the first request is sent.

In GitHub Actions (GITHUB_ACTIONS=true, or --ci github) it also appends a summary to
$GITHUB_STEP_SUMMARY (verdict, failing cases, coverage) and prints ::error and ::warning
annotations for the findings, titled with the operation and rule.

Exit codes: 0 conformant, 1 findings (see --fail-on), 2 usage or setup error (unknown --only
operation, unreachable target, version not detected, no case could be exercised, replay that
does not match the recording), 3 the recording or the reports cannot be written, or a recorded
cassette does not load.`, stderr)
	versionFlag := fs.String("version", "", "the GitHub version to check against, e.g. 3.8, ghes-3.2, github.ae, or auto to ask the server (required with --target or --cassettes)")
	target := fs.String("target", "", "base URL of the server, e.g. https://ghes.example.com/api/v3 or http://127.0.0.1:8080")
	targetsFile := fs.String("targets", "", "check every server this YAML or JSON file lists (see above)")
	parallel := fs.Int("parallel", fleet.DefaultParallel, "with --targets: how many servers to check at once")
	cassetteDir := fs.String("cassettes", "", "replay a run recorded with --record DIR (DIR or DIR/<version>) instead of a live server")
	recordDir := fs.String("record", "", "record the live run into DIR/<version>/conform.yaml (replaces an earlier conform recording once the run completed)")
	reportDir := fs.String("report", "", "write the reports into this directory; - writes one report to standard output")
	formats := fs.String("format", "junit,json,md,html", "report formats: junit, json, md, html")
	only := fs.String("only", "", "run only these operations: comma-separated ids (apps/check-token) or \"METHOD /path\"")
	failOnFlag := fs.String("fail-on", "error", "which findings exit 1: error (a failed case), warning (also a warning), never")
	ciFlag := fs.String("ci", ghactions.ModeAuto, "CI output: auto (GitHub Actions when GITHUB_ACTIONS=true), github, none")
	dryRun := fs.Bool("dry-run", false, "print every request the suite would send (secrets masked) and send nothing")
	credFile := fs.String("credentials", "", "read credentials from FILE (JSON or KEY=VALUE lines) before the environment")
	keyFile := fs.String("redact-key-file", "", "the redaction key; default DIR/.redact-key of --record or --cassettes")
	catOpt := withCatalog(fs)
	upstreamCA := fs.String("upstream-ca", "", "trust the CA certificate(s) in this PEM file for the TLS of --target (or every server of --targets), as well as the system's (a GHES with a private CA); SSL_CERT_FILE works too")
	insecure := fs.Bool("upstream-insecure", false, "do not verify the TLS certificate of --target (or every server of --targets); anyone on the path can then read the traffic; prefer --upstream-ca")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "conform", "unexpected argument %q", fs.Arg(0))
	}
	cat, code, ok := catOpt.get(stderr, "conform")
	if !ok {
		return code
	}
	out, err := reportOutput(fs, *reportDir, *formats)
	if err != nil {
		return usageError(stderr, "conform", "%v", err)
	}
	failOn, err := fleet.ParseFailOn(*failOnFlag)
	if err != nil {
		return usageError(stderr, "conform", "--fail-on: %v", err)
	}
	ci, err := ghactions.Enabled(*ciFlag, getenv)
	if err != nil {
		return usageError(stderr, "conform", "--ci: %v", err)
	}
	auto := strings.EqualFold(*versionFlag, fleet.Auto)
	if *upstreamCA != "" && *insecure {
		return usageError(stderr, "conform", "--upstream-ca and --upstream-insecure exclude each other")
	}
	if (*upstreamCA != "" || *insecure) && *target == "" && *targetsFile == "" {
		return usageError(stderr, "conform", "--upstream-ca and --upstream-insecure are for --target and --targets")
	}
	if out.dir != "" && !*dryRun {
		if err := probeWritable(out.dir); err != nil {
			return failure(stderr, "conform", fmt.Errorf("--report %s cannot be written, so nothing was sent: %w", out.dir, err))
		}
	}
	if *targetsFile != "" {
		for _, f := range []struct {
			set  bool
			name string
		}{{*target != "", "--target"}, {*cassetteDir != "", "--cassettes"}, {*recordDir != "", "--record"}, {*dryRun, "--dry-run"}, {*credFile != "", "--credentials"}, {*keyFile != "", "--redact-key-file"}} {
			if f.set {
				return usageError(stderr, "conform", "%s works with a single --target, not with --targets (in a targets file, each server takes its credentials from its credentials_env_prefix)", f.name)
			}
		}
		if *parallel < 1 {
			return usageError(stderr, "conform", "--parallel %d: give at least 1", *parallel)
		}
		if *versionFlag != "" && !auto {
			if _, err := cat.Version(*versionFlag); err != nil {
				return usageError(stderr, "conform", "%v", err)
			}
		}
		transport, err := upstreamTransport(*upstreamCA, *insecure, slog.New(slog.NewTextHandler(stderr, nil)))
		if err != nil {
			return usageError(stderr, "conform", "%v", err)
		}
		return runFleet(ctx, fleetRun{cat: cat, transport: transport, file: *targetsFile, version: *versionFlag, parallel: *parallel, only: splitList(*only), failOn: failOn, ci: ci, out: out}, stdout, stderr)
	}
	if *versionFlag == "" {
		return usageError(stderr, "conform", "--version is required (see 'oauthcompat versions'), or auto to ask the server")
	}
	if (*target == "") == (*cassetteDir == "") {
		return usageError(stderr, "conform", "give exactly one of --target URL (live), --cassettes DIR (replay) and --targets FILE (many servers)")
	}
	if *recordDir != "" && *cassetteDir != "" {
		return usageError(stderr, "conform", "--record works with --target only: a replay has nothing new to record")
	}
	if auto && *dryRun {
		return usageError(stderr, "conform", "--dry-run sends nothing, so it cannot ask the server its version: pass --version V")
	}
	var v *schemas.Version
	if !auto {
		if v, err = cat.Version(*versionFlag); err != nil {
			return usageError(stderr, "conform", "%v", err)
		}
	}
	creds := conformance.CredentialsFromEnv(getenv)
	if *credFile != "" {
		fc, err := conformance.LoadCredentials(*credFile)
		if err != nil {
			return usageError(stderr, "conform", "--credentials: %v", err)
		}
		creds = fc.Merge(creds)
	}
	// --only is checked against the catalog before anything is sent.
	if err := conformance.CheckOnly(orNewest(cat, v), splitList(*only)); err != nil {
		return usageError(stderr, "conform", "--only: %v", err)
	}
	cfg := conformance.Config{Credentials: creds, Only: splitList(*only)}
	if *dryRun {
		cfg.DryRun = stdout
	}

	var recording *conformRecording
	var detected string
	switch {
	case *target != "":
		u, err := url.Parse(*target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError(stderr, "conform", "--target %q is not an http(s) URL like https://ghes.example.com/api/v3", *target)
		}
		if u.User != nil {
			return usageError(stderr, "conform", "--target must not carry credentials; set %s and %s instead", conformance.EnvUsername, conformance.EnvPassword)
		}
		logger := slog.New(slog.NewTextHandler(stderr, nil))
		transport, err := upstreamTransport(*upstreamCA, *insecure, logger)
		if err != nil {
			return usageError(stderr, "conform", "%v", err)
		}
		cfg.BaseURL, cfg.Mode = *target, "live"
		cfg.Client = &http.Client{Timeout: 30 * time.Second, Transport: transport}
		if auto {
			d, err := detect.Version(ctx, *target, detect.Config{Client: cfg.Client, Catalog: cat})
			if err != nil {
				return setupFailure(stdout, stderr, ci, out, "", err)
			}
			v, detected = d.Version, "detected "+d.String()
			fmt.Fprintf(stderr, "oauthcompat conform: %s\n", detected)
		}
		if *recordDir != "" && !*dryRun {
			recording, err = openConformRecording(*recordDir, *keyFile, v, u, transport, logger)
			if err != nil {
				return keyFailure(stderr, "conform", fmt.Errorf("--record %s cannot be written, so nothing was sent: %w", *recordDir, err))
			}
			cfg.Client.Transport, cfg.Mode = recording.rec, "live+record"
		}
	default:
		if code, ok := missing(stderr, "conform", "--cassettes", *cassetteDir); !ok {
			return code
		}
		if code, ok := checkCassettes(stderr, "conform", *cassetteDir); !ok {
			return code
		}
		if auto {
			rv, err := recordedVersion(cat, *cassetteDir)
			if err != nil {
				return usageError(stderr, "conform", "--version auto: %v", err)
			}
			v, detected = rv, "the recorded run's version: "+rv.Name
			fmt.Fprintf(stderr, "oauthcompat conform: %s\n", detected)
		}
		code, ok := setupReplay(&cfg, *cassetteDir, *keyFile, v, *only, stderr)
		if !ok {
			return code
		}
	}
	cfg.Version = v
	if isTerminal(stderr) && !*dryRun {
		cfg.Progress = progress(stderr)
	}

	rep, err := conformance.Run(ctx, cfg)
	if cfg.Progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	var recErr error
	if recording != nil {
		recErr = recording.close()
	}
	if err != nil {
		if recording != nil {
			recording.discard()
			err = fmt.Errorf("%w\nthe run did not complete: nothing was recorded; an earlier recording in %s, if any, is kept", err, recording.dir)
		}
		return setupFailure(stdout, stderr, ci, out, v.Name, err)
	}
	if *dryRun {
		fmt.Fprintf(stderr, "dry run: nothing was sent (%d cases)\n", len(rep.Cases))
		return exitOK
	}
	ran := rep.Summary.Passed + rep.Summary.Failed
	if recording != nil {
		switch {
		case recErr != nil:
			recording.discard()
			return failure(stderr, "conform", fmt.Errorf("write the recording: %w; an earlier recording in %s is kept", recErr, recording.dir))
		case ran == 0:
			recording.discard() // nothing worth replaying; keep what was there
			fmt.Fprintf(stderr, "oauthcompat conform: no case was exercised, so an earlier recording in %s, if any, is kept\n", recording.dir)
		default:
			if err := recording.commit(rep.RunInfo()); err != nil {
				return failure(stderr, "conform", err)
			}
		}
	}
	summary := stdout
	switch {
	case out.stdout:
		summary = stderr
		if err := reports.Write(stdout, out.formats[0], rep); err != nil {
			return failure(stderr, "conform", err)
		}
	case out.dir != "":
		if _, err := reports.WriteFiles(out.dir, rep, out.formats); err != nil {
			return failure(stderr, "conform", err)
		}
	}
	printConformSummary(summary, rep, out.dir)
	_, code, why := fleet.Judge(rep, failOn)
	if ci {
		var md strings.Builder
		reports.WriteMarkdown(&md, rep)
		text := md.String()
		if detected != "" { // after the verdict, which comes first
			verdict, rest, _ := strings.Cut(text, "\n")
			text = verdict + "\n\nVersion: " + detected + "\n" + rest
		}
		if err := annotate(summary, out, ghactions.Conform("", rep, failOn), text); err != nil {
			return failure(stderr, "conform", err)
		}
	}
	if why != "" {
		fmt.Fprintf(stderr, "oauthcompat conform: %s\n", why)
	}
	return code
}

// orNewest is v, or the catalog's newest version when v is nil (not yet
// detected): what --only is checked against.
func orNewest(cat *schemas.Catalog, v *schemas.Version) *schemas.Version {
	if v != nil {
		return v
	}
	vs := cat.Versions()
	return vs[len(vs)-1]
}

// setupFailure reports a run that could not start or complete (an
// unreachable server, a version not detected, a cancelled run): exit 2,
// and in CI an error annotation and a summary saying so.
func setupFailure(stdout, stderr io.Writer, ci bool, out output, version string, err error) int {
	fmt.Fprintf(stderr, "oauthcompat conform: %v\n", err)
	if ci {
		head := "conform"
		if version != "" {
			head += " " + version
		}
		w := stdout
		if out.stdout {
			w = stderr
		}
		md := fmt.Sprintf("❌ **%s: not checked — %s**\n", head, strings.ReplaceAll(err.Error(), "\n", " "))
		if aerr := annotate(w, out, []ghactions.Annotation{{Level: ghactions.LevelError, Title: head + ": not checked", Message: err.Error()}}, md); aerr != nil {
			fmt.Fprintf(stderr, "oauthcompat conform: %v\n", aerr)
		}
	}
	return exitUsage
}

// annotate prints the annotations to w and appends md to the step
// summary.
func annotate(w io.Writer, out output, annots []ghactions.Annotation, md string) error {
	rest := "the reports"
	if out.dir != "" {
		rest = out.dir
	}
	if err := ghactions.Write(w, annots, rest); err != nil {
		return err
	}
	return ghactions.AppendSummary(getenv, md)
}

// output is where a command's reports go: a directory, or one format on
// standard output.
type output struct {
	dir     string
	stdout  bool
	formats []reports.Format
}

// reportOutput reads --report and --format: "--report -", or --format
// given without --report, writes one format to standard output (JSON
// unless --format says otherwise).
func reportOutput(fs *flag.FlagSet, dir, formats string) (output, error) {
	formatSet := false
	fs.Visit(func(f *flag.Flag) { formatSet = formatSet || f.Name == "format" })
	fmts, err := reports.ParseFormats(formats)
	if err != nil {
		return output{}, fmt.Errorf("--format: %w", err)
	}
	switch {
	case dir == "-" && !formatSet:
		return output{stdout: true, formats: []reports.Format{reports.JSON}}, nil
	case dir == "-" || (dir == "" && formatSet):
		if len(fmts) != 1 {
			return output{}, fmt.Errorf("--format %s: standard output takes one format; give --report DIR to write several", formats)
		}
		return output{stdout: true, formats: fmts}, nil
	}
	return output{dir: dir, formats: fmts}, nil
}

// fleetRun is what a --targets run was asked for.
type fleetRun struct {
	cat           *schemas.Catalog
	transport     http.RoundTripper // to every server: --upstream-ca, --upstream-insecure
	file, version string
	parallel      int
	only          []string
	failOn        fleet.FailOn
	ci            bool
	out           output
}

// runFleet checks every server of a targets file.
func runFleet(ctx context.Context, fr fleetRun, stdout, stderr io.Writer) int {
	targets, err := fleet.Load(fr.file, fr.cat)
	if err != nil {
		return usageError(stderr, "conform", "--targets: %v", err)
	}
	if err := conformance.CheckOnly(orNewest(fr.cat, nil), fr.only); err != nil {
		return usageError(stderr, "conform", "--only: %v", err)
	}
	cfg := fleet.Config{Catalog: fr.cat, DefaultVersion: fr.version, Only: fr.only, Getenv: getenv, Parallel: fr.parallel, FailOn: fr.failOn}
	cfg.Client = func(fleet.Target) *http.Client {
		return &http.Client{Timeout: 30 * time.Second, Transport: fr.transport}
	}
	if isTerminal(stderr) {
		cfg.Done = func(r fleet.Result) { fmt.Fprintf(stderr, "%s\n", r.Line()) }
	}
	rep := fleet.Run(ctx, targets, cfg)
	summary := stdout
	switch {
	case fr.out.stdout:
		summary = stderr
		if err := reports.WriteFleet(stdout, fr.out.formats[0], rep); err != nil {
			return failure(stderr, "conform", err)
		}
	case fr.out.dir != "":
		if _, err := reports.WriteFleetFiles(fr.out.dir, rep, fr.out.formats); err != nil {
			return failure(stderr, "conform", err)
		}
	}
	fmt.Fprintln(summary, rep.Line())
	for _, t := range rep.Targets {
		fmt.Fprintf(summary, "  %s\n", t.Line())
		if t.VersionFrom != "" && t.VersionFrom != "targets file" {
			fmt.Fprintf(summary, "    version %s\n", t.VersionFrom)
		}
		for _, n := range t.Notes {
			fmt.Fprintf(summary, "    note: %s\n", n)
		}
	}
	if fr.out.dir != "" {
		fmt.Fprintf(summary, "reports: %s\n", filepath.Join(fr.out.dir, reports.FleetIndex))
	}
	if fr.ci {
		var md strings.Builder
		reports.WriteFleetMarkdown(&md, rep)
		if err := annotate(summary, fr.out, ghactions.Fleet(rep, fr.failOn), md.String()); err != nil {
			return failure(stderr, "conform", err)
		}
	}
	return rep.ExitCode
}

// recordedVersion is the version of the conform run recorded in dir:
// dir/conform-run.json, or the one dir/<version>/conform-run.json.
func recordedVersion(cat *schemas.Catalog, dir string) (*schemas.Version, error) {
	if ri, err := conformance.ReadRunInfo(dir); err == nil {
		return cat.Version(ri.Version)
	}
	found, _ := filepath.Glob(filepath.Join(dir, "*", conformance.RunFile))
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%s holds no recorded conform run (no %s): record one with --target URL --record %s", dir, conformance.RunFile, dir)
	case 1:
		ri, err := conformance.ReadRunInfo(filepath.Dir(found[0]))
		if err != nil {
			return nil, err
		}
		return cat.Version(ri.Version)
	}
	var names []string
	for _, f := range found {
		names = append(names, filepath.Base(filepath.Dir(f)))
	}
	return nil, fmt.Errorf("%s holds runs of several versions (%s): pass --version", dir, strings.Join(names, ", "))
}

// conformRecording records a live run into a temporary cassette next to
// the recording it replaces (DIR/<version>/.conform-XXXXXXXX.yaml, hidden
// from the commands that load a directory), so that an earlier recording
// stays whole until the new run completed.
type conformRecording struct {
	rec *proxy.Recorder
	dir string // DIR/<version>
	tmp string // the temporary cassette file
}

// openConformRecording opens a fresh temporary cassette under
// dir/<version> for a recording through the recorder, forwarding to
// upstream through transport, and checks that the version directory can
// be written. The recorder logs to logger; each interaction it fails to
// record is logged, counted, and makes close fail.
func openConformRecording(dir, keyFile string, v *schemas.Version, upstream *url.URL, transport http.RoundTripper, logger *slog.Logger) (*conformRecording, error) {
	red, _, err := createRedactor(dir, keyFile, redact.Options{}, logger)
	if err != nil {
		return nil, err
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	name := ".conform-" + hex.EncodeToString(b[:])
	store, err := cassettes.OpenStoreWith(dir, name, red, cassettes.Options{FS: storeFS, Logger: logger})
	if err != nil {
		return nil, err
	}
	if err := store.Prepare(v.Name); err != nil {
		store.Close()
		return nil, err
	}
	rec, err := proxy.NewRecorder(proxy.Config{Upstream: upstream, Store: store, Version: v.Name, Catalog: v.Catalog(), Logger: logger, Transport: transport})
	if err != nil {
		store.Close()
		return nil, err
	}
	cpath := cassettes.Path(dir, v.Name, name)
	removeStale(filepath.Dir(cpath))
	return &conformRecording{rec: rec, dir: filepath.Dir(cpath), tmp: cpath}, nil
}

// removeStale removes what a killed recording left in dir: its temporary
// cassette (which opening the store recovered from its journal) and run
// description. Neither is of use without the other, and neither was put
// in place. Journals are left alone: a running recording holds its own.
func removeStale(dir string) {
	for _, pattern := range []string{".conform-*" + cassettes.Ext, ".conform-*.json"} {
		stale, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range stale {
			os.Remove(p)
		}
	}
}

// close ends the recording: the temporary cassette is complete on disk, or
// the error says why not.
func (r *conformRecording) close() error {
	err := r.rec.Close()
	if n := r.rec.Stats().NotRecorded; n > 0 {
		err = errors.Join(err, fmt.Errorf("%d interaction(s) could not be recorded (see the log above)", n))
	}
	return err
}

// discard removes the temporary cassette, keeping an earlier recording.
func (r *conformRecording) discard() {
	os.Remove(r.tmp)
	os.Remove(r.tmp + cassettes.JournalExt)
}

// commit writes the run description and swaps the new recording in for
// the earlier one: conform.yaml first, then conform-run.json, each
// replaced by a rename.
func (r *conformRecording) commit(ri conformance.RunInfo) error {
	if _, err := os.Stat(r.tmp); err != nil {
		r.discard()
		return fmt.Errorf("write the recording: the recorder wrote no cassette: %w", err)
	}
	info := strings.TrimSuffix(r.tmp, cassettes.Ext) + ".json"
	if err := conformance.WriteRunInfoFile(info, ri); err != nil {
		r.discard()
		return fmt.Errorf("%w; an earlier recording in %s is kept", err, r.dir)
	}
	if err := os.Rename(r.tmp, filepath.Join(r.dir, conformCassette+cassettes.Ext)); err != nil {
		os.Remove(info)
		r.discard()
		return fmt.Errorf("write the recording: %w; an earlier recording in %s is kept", err, r.dir)
	}
	if err := os.Rename(info, filepath.Join(r.dir, conformance.RunFile)); err != nil {
		os.Remove(info)
		return fmt.Errorf("write the run description: %w; %s no longer matches the cassette: record again", err, conformance.RunFile)
	}
	return nil
}

// setupReplay points cfg at the recording of a conform run: its cassette,
// its target, nonce and options, and the redaction key.
func setupReplay(cfg *conformance.Config, dir, keyFile string, v *schemas.Version, only string, stderr io.Writer) (int, bool) {
	root, vdir := dir, filepath.Join(dir, v.Name)
	if _, err := os.Stat(filepath.Join(vdir, conformance.RunFile)); err != nil {
		if _, err2 := os.Stat(filepath.Join(dir, conformance.RunFile)); err2 != nil {
			return usageError(stderr, "conform", "--cassettes %s holds no recorded conform run of %s (no %s in %s): record one with --target URL --record %s", dir, v.Name, conformance.RunFile, vdir, dir), false
		}
		root, vdir = filepath.Dir(dir), dir
	}
	ri, err := conformance.ReadRunInfo(vdir)
	if err != nil {
		return usageError(stderr, "conform", "%v", err), false
	}
	if ri.Version != v.Name {
		return usageError(stderr, "conform", "%s was recorded for %s; pass --version %s or record %s", vdir, ri.Version, ri.Version, v.Name), false
	}
	if err := ri.Credentials.Check(cfg.Credentials); err != nil {
		return usageError(stderr, "conform", "%v", err), false
	}
	if only != "" && strings.Join(splitList(only), ",") != strings.Join(ri.Only, ",") {
		return usageError(stderr, "conform", "--only %q differs from the recorded run's (%q): a replay repeats the recorded run; drop --only", only, strings.Join(ri.Only, ",")), false
	}
	red, _, err := findRedactor(root, keyFile, redact.Options{}, stderrLogger(stderr))
	if err != nil {
		return usageError(stderr, "conform", "%v", err), false
	}
	warnLeftovers(stderr, "conform", vdir)
	if red == nil {
		fmt.Fprintf(stderr, "oauthcompat conform: no redaction key (%s) in %s: secrets are matched by shape only\n", keyName, root)
	}
	cpath := filepath.Join(vdir, conformCassette+cassettes.Ext)
	ix, err := replay.Load(cpath, replay.Options{Version: v.Name, Catalog: v.Catalog(), Redactor: red, Exhausted: replay.ExhaustedError})
	if err != nil {
		return loadFailure(stderr, "conform", err, replay.ErrNoCassettes, replay.ErrSeveralVersions, schemas.ErrUnknownVersion, iofs.ErrNotExist), false
	}
	cfg.Client = &http.Client{Transport: ix}
	cfg.BaseURL, cfg.Nonce, cfg.Only = ri.Target, ri.Nonce, ri.Only
	cfg.Mode, cfg.Target = "replay", cpath
	cfg.SameToken = func(sent, answered string) bool {
		if red != nil {
			return red.Token(sent) == red.Token(answered)
		}
		return len(sent) == len(answered) && sent[:min(4, len(sent))] == answered[:min(4, len(answered))]
	}
	return exitOK, true
}

func printConformSummary(w io.Writer, rep *conformance.Report, reportDir string) {
	fmt.Fprintln(w, reports.SummaryLine(rep))
	for _, c := range rep.Cases {
		if c.Result != conformance.Fail {
			continue
		}
		fmt.Fprintf(w, "  FAIL %s: %s\n", c.ID, c.Reason)
		for _, f := range c.Findings {
			ptr := ""
			if f.Pointer != "" {
				ptr = " at " + f.Pointer
			}
			fmt.Fprintf(w, "       %s%s: %s\n", f.Rule, ptr, f.Message)
		}
	}
	if reportDir != "" {
		fmt.Fprintf(w, "reports: %s\n", reportDir)
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress draws "[12/65] apps/check-token 404 unknown token" on one line.
func progress(w io.Writer) func(done, total int, current string) {
	return func(done, total int, current string) {
		fmt.Fprintf(w, "\r\033[K%s", clip(fmt.Sprintf("[%d/%d] %s", done, total, current), 100))
	}
}

// clip shortens s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
