package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

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
Revoking a grant revokes every token of that user for the app: use a test user.

--record DIR records the live run into DIR/<version>/conform.yaml (redacted) with
DIR/<version>/conform-run.json; --cassettes DIR replays it, with the same credentials again.

Exit codes: 0 conformant, 1 findings, 2 usage or setup error (unreachable target, replay
that does not match the recording).`, stderr)
	versionFlag := fs.String("version", "", "the GitHub version to check against, e.g. 3.8, ghes-3.2, github.ae (required)")
	target := fs.String("target", "", "base URL of the server, e.g. https://ghes.example.com/api/v3 or http://127.0.0.1:8080")
	cassetteDir := fs.String("cassettes", "", "replay a run recorded with --record DIR (DIR or DIR/<version>) instead of a live server")
	recordDir := fs.String("record", "", "record the live run into DIR/<version>/conform.yaml (replaces an earlier conform recording)")
	reportDir := fs.String("report", "", "write the reports into this directory")
	formats := fs.String("format", "junit,json,md,html", "report formats: junit, json, md, html")
	only := fs.String("only", "", "run only these operations: comma-separated ids (apps/check-token) or \"METHOD /path\"")
	dryRun := fs.Bool("dry-run", false, "print every request the suite would send (secrets masked) and send nothing")
	credFile := fs.String("credentials", "", "read credentials from FILE (JSON or KEY=VALUE lines) before the environment")
	keyFile := fs.String("redact-key-file", "", "the redaction key; default DIR/.redact-key of --record or --cassettes")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "conform", "unexpected argument %q", fs.Arg(0))
	}
	if *versionFlag == "" {
		return usageError(stderr, "conform", "--version is required (see 'oauthcompat versions')")
	}
	v, err := schemas.Default().Version(*versionFlag)
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
	cfg := conformance.Config{Version: v, Credentials: creds, Only: conformList(*only)}
	if *dryRun {
		cfg.DryRun = stdout
	}
	if isTerminal(stderr) && !*dryRun {
		cfg.Progress = progress(stderr)
	}

	var closeRec func() error
	var runDir string // where conform-run.json goes (record)
	switch {
	case *target != "":
		u, err := url.Parse(*target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError(stderr, "conform", "--target %q is not an http(s) URL like https://ghes.example.com/api/v3", *target)
		}
		if u.User != nil {
			return usageError(stderr, "conform", "--target must not carry credentials; set %s and %s instead", conformance.EnvUsername, conformance.EnvPassword)
		}
		cfg.BaseURL, cfg.Mode = *target, "live"
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
		if *recordDir != "" && !*dryRun {
			rec, dir, err := openConformRecorder(*recordDir, *keyFile, v, u)
			if err != nil {
				return usageError(stderr, "conform", "--record: %v", err)
			}
			cfg.Client.Transport, cfg.Mode, runDir = rec, "live+record", dir
			closeRec = rec.Close
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
	if closeRec != nil {
		if cerr := closeRec(); cerr != nil && err == nil {
			err = fmt.Errorf("write the recording: %w", cerr)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "oauthcompat conform: %v\n", err)
		return exitUsage
	}
	if *dryRun {
		fmt.Fprintf(stderr, "dry run: nothing was sent (%d cases)\n", len(rep.Cases))
		return exitOK
	}
	if runDir != "" {
		if err := conformance.WriteRunInfo(runDir, rep.RunInfo()); err != nil {
			fmt.Fprintf(stderr, "oauthcompat conform: %v\n", err)
			return exitUsage
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
	if rep.Failed() {
		return exitFindings
	}
	return exitOK
}

// openConformRecorder opens DIR/<version>/conform.yaml for a fresh
// recording through the recorder, forwarding to upstream.
func openConformRecorder(dir, keyFile string, v *schemas.Version, upstream *url.URL) (*proxy.Recorder, string, error) {
	if keyFile == "" {
		keyFile = filepath.Join(dir, ".redact-key")
	}
	key, err := redact.LoadOrCreateKey(keyFile)
	if err != nil {
		return nil, "", err
	}
	cpath := cassettes.Path(dir, v.Name, conformCassette)
	for _, p := range []string{cpath, cpath + cassettes.JournalExt, filepath.Join(filepath.Dir(cpath), conformance.RunFile)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, iofs.ErrNotExist) {
			return nil, "", fmt.Errorf("replace the earlier recording: %w", err)
		}
	}
	store, err := cassettes.OpenStore(dir, conformCassette, redact.New(key, redact.Options{}))
	if err != nil {
		return nil, "", err
	}
	rec, err := proxy.NewRecorder(proxy.Config{Upstream: upstream, Store: store, Version: v.Name})
	if err != nil {
		store.Close()
		return nil, "", err
	}
	return rec, filepath.Dir(cpath), nil
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
	if only != "" && strings.Join(conformList(only), ",") != strings.Join(ri.Only, ",") {
		return usageError(stderr, "conform", "--only %q differs from the recorded run's (%q): a replay repeats the recorded run; drop --only", only, strings.Join(ri.Only, ",")), false
	}
	explicit := keyFile != ""
	if !explicit {
		keyFile = filepath.Join(root, ".redact-key")
	}
	var red *redact.Redactor
	switch _, err := os.Stat(keyFile); {
	case err == nil:
		key, err := redact.LoadOrCreateKey(keyFile)
		if err != nil {
			return usageError(stderr, "conform", "--redact-key-file: %v", err), false
		}
		red = redact.New(key, redact.Options{})
	case explicit || !errors.Is(err, iofs.ErrNotExist):
		return usageError(stderr, "conform", "--redact-key-file: %v", err), false
	default:
		fmt.Fprintf(stderr, "oauthcompat conform: no redaction key at %s: secrets are matched by shape only\n", keyFile)
	}
	cpath := filepath.Join(vdir, conformCassette+cassettes.Ext)
	ix, err := replay.Load(cpath, replay.Options{Version: v.Name, Redactor: red, Exhausted: replay.ExhaustedError})
	if err != nil {
		return usageError(stderr, "conform", "%v", err), false
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
		line := fmt.Sprintf("[%d/%d] %s", done, total, current)
		if len(line) > 100 {
			line = line[:100]
		}
		fmt.Fprintf(w, "\r\033[K%s", line)
	}
}

// conformList splits a comma-separated flag value, dropping empty items.
func conformList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
