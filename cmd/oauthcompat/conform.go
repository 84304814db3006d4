package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	fs := flags("conform", "conform --version V (--target URL | --cassettes DIR) [--record DIR] [--report DIR]\n       [--format junit,json,md,html] [--only ID,...] [--dry-run] [--credentials FILE] [--redact-key-file F]",
		`Checks that a server (--target) or a recording of one (--cassettes) behaves as version V
documents the OAuth application and authorization endpoints: every documented operation and
status code, provoked with realistic inputs; each body against the version's schema; reset,
delete and revoke from the outside; legacy endpoints removed or only rejecting; operations V
does not document probed for 404.

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

--record DIR records the live run into DIR/<version>/conform.yaml (redacted) with
DIR/<version>/conform-run.json, replacing an earlier recording only once the run completed;
--cassettes DIR replays it, with the same credentials again.

--report and --record are checked to be writable before the first request is sent.

Exit codes: 0 conformant, 1 findings, 2 usage or setup error (unknown --only operation,
unreachable target, no case could be exercised, replay that does not match the recording),
3 the recording or the reports cannot be written, or a recorded cassette does not load.`, stderr)
	versionFlag := fs.String("version", "", "the GitHub version to check against, e.g. 3.8, ghes-3.2, github.ae (required)")
	target := fs.String("target", "", "base URL of the server, e.g. https://ghes.example.com/api/v3 or http://127.0.0.1:8080")
	cassetteDir := fs.String("cassettes", "", "replay a run recorded with --record DIR (DIR or DIR/<version>) instead of a live server")
	recordDir := fs.String("record", "", "record the live run into DIR/<version>/conform.yaml (replaces an earlier conform recording once the run completed)")
	reportDir := fs.String("report", "", "write the reports into this directory")
	formats := fs.String("format", "junit,json,md,html", "report formats: junit, json, md, html")
	only := fs.String("only", "", "run only these operations: comma-separated ids (apps/check-token) or \"METHOD /path\"")
	dryRun := fs.Bool("dry-run", false, "print every request the suite would send (secrets masked) and send nothing")
	credFile := fs.String("credentials", "", "read credentials from FILE (JSON or KEY=VALUE lines) before the environment")
	keyFile := fs.String("redact-key-file", "", "the redaction key; default DIR/.redact-key of --record or --cassettes")
	catOpt := withCatalog(fs)
	upstreamCA := fs.String("upstream-ca", "", "trust the CA certificate(s) in this PEM file for --target's TLS, as well as the system's (a GHES with a private CA); SSL_CERT_FILE works too")
	insecure := fs.Bool("upstream-insecure", false, "do not verify --target's TLS certificate (anyone on the path can then read the traffic); prefer --upstream-ca")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "conform", "unexpected argument %q", fs.Arg(0))
	}
	if *versionFlag == "" {
		return usageError(stderr, "conform", "--version is required (see 'oauthcompat versions')")
	}
	cat, code, ok := catOpt.get(stderr, "conform")
	if !ok {
		return code
	}
	v, err := cat.Version(*versionFlag)
	if err != nil {
		return usageError(stderr, "conform", "%v", err)
	}
	if (*target == "") == (*cassetteDir == "") {
		return usageError(stderr, "conform", "give exactly one of --target URL (live) and --cassettes DIR (replay)")
	}
	if *recordDir != "" && *cassetteDir != "" {
		return usageError(stderr, "conform", "--record works with --target only: a replay has nothing new to record")
	}
	fmts, err := reports.ParseFormats(*formats)
	if err != nil {
		return usageError(stderr, "conform", "--format: %v", err)
	}
	creds := conformance.CredentialsFromEnv(getenv)
	if *credFile != "" {
		fc, err := conformance.LoadCredentials(*credFile)
		if err != nil {
			return usageError(stderr, "conform", "--credentials: %v", err)
		}
		creds = fc.Merge(creds)
	}
	if err := conformance.CheckOnly(v, splitList(*only)); err != nil {
		return usageError(stderr, "conform", "--only: %v", err)
	}
	cfg := conformance.Config{Version: v, Credentials: creds, Only: splitList(*only)}
	if *dryRun {
		cfg.DryRun = stdout
	}
	if isTerminal(stderr) && !*dryRun {
		cfg.Progress = progress(stderr)
	}

	if *upstreamCA != "" && *insecure {
		return usageError(stderr, "conform", "--upstream-ca and --upstream-insecure exclude each other")
	}
	if (*upstreamCA != "" || *insecure) && *target == "" {
		return usageError(stderr, "conform", "--upstream-ca and --upstream-insecure are for --target")
	}
	if *reportDir != "" && !*dryRun {
		if err := probeWritable(*reportDir); err != nil {
			return failure(stderr, "conform", fmt.Errorf("--report %s cannot be written, so nothing was sent: %w", *reportDir, err))
		}
	}

	var recording *conformRecording
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
		if *recordDir != "" && !*dryRun {
			recording, err = openConformRecording(*recordDir, *keyFile, v, u, transport, logger)
			if err != nil {
				return failure(stderr, "conform", fmt.Errorf("--record %s cannot be written, so nothing was sent: %w", *recordDir, err))
			}
			cfg.Client.Transport, cfg.Mode = recording.rec, "live+record"
		}
	default:
		code, ok := setupReplay(&cfg, *cassetteDir, *keyFile, v, *only, stderr)
		if !ok {
			return code
		}
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
		fmt.Fprintf(stderr, "oauthcompat conform: %v\n", err)
		if recording != nil {
			recording.discard()
			fmt.Fprintf(stderr, "oauthcompat conform: the run did not complete: nothing was recorded; an earlier recording in %s, if any, is kept\n", recording.dir)
		}
		return exitUsage
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
	if *reportDir != "" {
		if _, err := reports.WriteFiles(*reportDir, rep, fmts); err != nil {
			return failure(stderr, "conform", err)
		}
	}
	printConformSummary(stdout, rep, *reportDir)
	if n := misses(rep); n > 0 {
		fmt.Fprintf(stderr, "oauthcompat conform: %d request(s) of this run are not in the recording: replay with the credentials of the recorded run (and its --only), or record again\n", n)
		return exitUsage
	}
	if ran == 0 {
		fmt.Fprintf(stderr, "oauthcompat conform: %s\n", nothingRan(rep))
		return exitUsage
	}
	if rep.Failed() {
		return exitFindings
	}
	return exitOK
}

// nothingRan explains a run in which no case was exercised, which must not
// pass a CI gate as "conformant".
func nothingRan(rep *conformance.Report) string {
	if len(rep.Cases) == 0 {
		return fmt.Sprintf("no case ran: --only selects nothing %s documents or probes; check it against 'oauthcompat catalog --version %s'", rep.Version, rep.Version)
	}
	return fmt.Sprintf("none of the %d cases could be exercised, so nothing was checked (first reason: %s); set the credentials they need (see 'oauthcompat conform -h')",
		len(rep.Cases), rep.Cases[0].Reason)
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
	red, _, err := createRedactor(dir, keyFile, redact.Options{})
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
	red, _, err := findRedactor(root, keyFile, redact.Options{})
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

func misses(rep *conformance.Report) int {
	n := 0
	for _, f := range rep.Findings() {
		if f.Rule == conformance.RuleReplayMiss {
			n++
		}
	}
	return n
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
