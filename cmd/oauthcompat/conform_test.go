package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// fixtureEnv is the environment a user of the reference server's default
// fixtures would set.
func fixtureEnv() map[string]string {
	f := reference.DefaultFixtures()
	var toks []string
	for _, t := range f.Tokens {
		if t.ClientID == f.Apps[0].ClientID {
			toks = append(toks, t.Value)
		}
	}
	return map[string]string{
		conformance.EnvClientID: f.Apps[0].ClientID, conformance.EnvClientSecret: f.Apps[0].ClientSecret,
		conformance.EnvUsername: f.Users[0].Login, conformance.EnvPassword: f.Users[0].Password,
		conformance.EnvTokens: strings.Join(toks, ","),
	}
}

func withEnv(t *testing.T, env map[string]string) {
	old := getenv
	getenv = func(k string) string { return env[k] }
	t.Cleanup(func() { getenv = old })
}

func conform(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), append([]string{"conform"}, args...), &o, &e)
	return code, o.String(), e.String()
}

func TestConformRecordThenReplay(t *testing.T) {
	withEnv(t, fixtureEnv())
	ts := reference.NewTestServer(t, "ghes-3.3", reference.DefaultFixtures())
	dir := t.TempDir()
	code, live, stderr := conform("--version", "3.3", "--target", ts.URL+"/api/v3", "--record", filepath.Join(dir, "c"), "--report", filepath.Join(dir, "live"))
	if code != exitOK {
		t.Fatalf("live: exit %d\n%s%s", code, live, stderr)
	}
	for _, f := range []string{"c/.redact-key", "c/ghes-3.3/conform.yaml", "c/ghes-3.3/conform-run.json", "live/report.xml", "live/report.json", "live/report.md", "live/report.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	ts.Close() // the replay needs no server
	code, replayed, stderr := conform("--version", "ghes-3.3", "--cassettes", filepath.Join(dir, "c"), "--report", filepath.Join(dir, "replay"), "--format", "json")
	if code != exitOK {
		t.Fatalf("replay: exit %d\n%s%s", code, replayed, stderr)
	}
	l, _, _ := strings.Cut(live, "\n")
	r, _, _ := strings.Cut(replayed, "\n")
	if strings.Replace(l, "(live+record)", "", 1) != strings.Replace(r, "(replay)", "", 1) {
		t.Errorf("replay verdict differs:\n live:   %s\n replay: %s", l, r)
	}

	// A replay needs the credentials of the recorded run.
	env := fixtureEnv()
	env[conformance.EnvTokens] = strings.Split(env[conformance.EnvTokens], ",")[0]
	withEnv(t, env)
	code, _, stderr = conform("--version", "ghes-3.3", "--cassettes", filepath.Join(dir, "c"))
	if code != exitUsage || !strings.Contains(stderr, "other credentials") {
		t.Errorf("replay with other credentials: exit %d, stderr %q; want %d and a hint", code, stderr, exitUsage)
	}
}

func TestConformExitCodes(t *testing.T) {
	withEnv(t, fixtureEnv())
	v, _ := schemas.Default().Version("ghes-3.8")
	ref, err := reference.New(v, reference.DefaultFixtures())
	if err != nil {
		t.Fatal(err)
	}
	htmlList := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && schemas.StripPrefix(r.URL.Path) == "/authorizations" {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>no</html>"))
			return
		}
		ref.ServeHTTP(w, r)
	}))
	defer htmlList.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	// Cassettes, but not of a conform run.
	noRun := t.TempDir()
	os.CopyFS(noRun, os.DirFS("../../replay/testdata"))

	tests := []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"findings", []string{"--version", "3.8", "--target", htmlList.URL}, exitFindings, "content-type-not-json"},
		{"unreachable", []string{"--version", "3.8", "--target", dead.URL}, exitUsage, "cannot reach " + dead.URL + ": it refused the connection; check that it is running and listening on that port"},
		{"no version", []string{"--target", htmlList.URL}, exitUsage, "--version is required"},
		{"target and cassettes", []string{"--version", "3.8", "--target", htmlList.URL, "--cassettes", "x"}, exitUsage, "exactly one of"},
		{"credentials in the URL", []string{"--version", "3.8", "--target", "http://u:p@127.0.0.1:1"}, exitUsage, "must not carry credentials"},
		{"bad format", []string{"--version", "3.8", "--target", htmlList.URL, "--format", "pdf"}, exitUsage, "unknown report format"},
		{"no recording", []string{"--version", "3.8", "--cassettes", noRun}, exitUsage, "holds no recorded conform run"},
		{"no cassettes", []string{"--version", "3.8", "--cassettes", t.TempDir()}, exitFailure, "no cassettes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := conform(tc.args...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.output) {
				t.Errorf("exit %d, want %d; want output containing %q, got:\n%s%s", code, tc.code, tc.output, stdout, stderr)
			}
		})
	}
}

func TestConformDryRunSendsNothing(t *testing.T) {
	env := fixtureEnv()
	withEnv(t, env)
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer ts.Close()
	code, stdout, stderr := conform("--version", "3.2", "--target", ts.URL, "--dry-run", "--record", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("a dry run sent %d requests", n)
	}
	for _, want := range []string{"# apps/check-token 200 valid token", "POST " + ts.URL + "/applications/" + env[conformance.EnvClientID] + "/token", `"access_token":"***"`, "Basic octocat:***", "/tokens/***"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run output lacks %q", want)
		}
	}
	for _, k := range []string{conformance.EnvClientSecret, conformance.EnvPassword} {
		if strings.Contains(stdout+stderr, env[k]) {
			t.Errorf("dry run prints %s", k)
		}
	}
	for _, tok := range strings.Split(env[conformance.EnvTokens], ",") {
		if strings.Contains(stdout+stderr, tok) {
			t.Errorf("dry run prints a token")
		}
	}
}

// TestConformMissingCredentials runs conform against the reference server
// with one credential missing at a time, and with none: a missing
// credential is no finding, so the command exits 0 and the cases that need
// it are reported not exercised, with the reason.
func TestConformMissingCredentials(t *testing.T) {
	sets := []struct {
		name string
		drop []string
	}{
		{"no client id and secret", []string{conformance.EnvClientID, conformance.EnvClientSecret}},
		{"no username and password", []string{conformance.EnvUsername, conformance.EnvPassword}},
		{"no tokens", []string{conformance.EnvTokens}},
		{"nothing", []string{conformance.EnvClientID, conformance.EnvClientSecret, conformance.EnvUsername, conformance.EnvPassword, conformance.EnvTokens}},
	}
	for _, version := range []string{"ghes-3.2", "ghes-3.8", "github.ae"} {
		for _, set := range sets {
			t.Run(version+"/"+set.name, func(t *testing.T) {
				env := fixtureEnv()
				for _, k := range set.drop {
					delete(env, k)
				}
				withEnv(t, env)
				ts := reference.NewTestServer(t, version, reference.DefaultFixtures())
				dir := t.TempDir()
				code, stdout, stderr := conform("--version", version, "--target", ts.URL, "--report", dir, "--format", "json")
				if code != exitOK {
					t.Fatalf("exit %d, want %d\n%s%s", code, exitOK, stdout, stderr)
				}
				b, err := os.ReadFile(filepath.Join(dir, "report.json"))
				if err != nil {
					t.Fatal(err)
				}
				var rep conformance.Report
				if err := json.Unmarshal(b, &rep); err != nil {
					t.Fatal(err)
				}
				if fs := rep.Findings(); len(fs) > 0 {
					t.Errorf("%d findings, want none; first: %s %s: %s", len(fs), fs[0].Rule, fs[0].Operation, fs[0].Message)
				}
				notExercised := 0
				for _, c := range rep.Cases {
					if c.Result != conformance.NotExercised {
						continue
					}
					notExercised++
					if c.Reason == "" {
						t.Errorf("%s: not exercised without a reason", c.ID)
					}
				}
				if notExercised == 0 && set.name != "no tokens" && version != "github.ae" {
					t.Errorf("no case is not exercised, though %v are missing", set.drop)
				}
			})
		}
	}
}

func TestConformOnly(t *testing.T) {
	ts := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	noApp := fixtureEnv()
	delete(noApp, conformance.EnvClientID)
	tests := []struct {
		name   string
		env    map[string]string
		only   string
		code   int
		output []string
	}{
		{"typo", fixtureEnv(), "apps/nope", exitUsage, []string{`--only: unknown operation "apps/nope"`, "ghes-3.8 documents", "apps/check-token"}},
		{"unknown path", fixtureEnv(), "apps/check-token,GET /nope", exitUsage, []string{`unknown operation "GET /nope"`}},
		{"an id of an older version probes", fixtureEnv(), "oauth-authorizations/check-authorization", exitOK, []string{"conformant — 1 passed, 0 failed, 0 not exercised"}},
		{"method and path", fixtureEnv(), "post /applications/{client_id}/token", exitOK, []string{"conformant — 4 passed"}},
		{"no case exercised", noApp, "apps/check-token", exitUsage, []string{"none of the 4 cases could be exercised", conformance.EnvClientID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withEnv(t, tc.env)
			code, stdout, stderr := conform("--version", "3.8", "--target", ts.URL, "--only", tc.only)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, stdout, stderr)
			}
			for _, want := range tc.output {
				if !strings.Contains(stdout+stderr, want) {
					t.Errorf("output lacks %q:\n%s%s", want, stdout, stderr)
				}
			}
		})
	}
}

// TestConformRecordKeepsEarlierRecording checks that --record replaces an
// earlier recording only when the new run completed: a run against an
// unreachable target, or one whose recording cannot be written, leaves it
// as it was and no temporary file behind.
func TestConformRecordKeepsEarlierRecording(t *testing.T) {
	withEnv(t, fixtureEnv())
	ts := reference.NewTestServer(t, "ghes-3.3", reference.DefaultFixtures())
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	dir := filepath.Join(t.TempDir(), "c")
	vdir := filepath.Join(dir, "ghes-3.3")
	if code, stdout, stderr := conform("--version", "3.3", "--target", ts.URL, "--record", dir, "--only", "apps/check-token"); code != exitOK {
		t.Fatalf("first recording: exit %d\n%s%s", code, stdout, stderr)
	}
	snapshot := func() map[string]string {
		t.Helper()
		entries, err := os.ReadDir(vdir)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(vdir, e.Name()))
			files[e.Name()] = string(b)
		}
		return files
	}
	before := snapshot()
	if len(before) != 2 || before["conform.yaml"] == "" || before[conformance.RunFile] == "" {
		t.Fatalf("first recording holds %d files, want conform.yaml and %s", len(before), conformance.RunFile)
	}

	code, stdout, stderr := conform("--version", "3.3", "--target", dead.URL, "--record", dir)
	if code != exitUsage || !strings.Contains(stderr, "cannot reach") || !strings.Contains(stderr, "is kept") {
		t.Errorf("unreachable target: exit %d, want %d, cannot reach, and that the earlier recording is kept\n%s%s", code, exitUsage, stdout, stderr)
	}
	if diff := cmp.Diff(before, snapshot()); diff != "" {
		t.Errorf("an unreachable target changed the recording (-before +after):\n%s", diff)
	}

	// A recording that cannot be put in place (conform.yaml is now a
	// directory) is a failure, exit 3, and changes nothing else.
	blocked := filepath.Join(t.TempDir(), "c")
	bdir := filepath.Join(blocked, "ghes-3.3", "conform.yaml")
	if err := os.MkdirAll(filepath.Join(bdir, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = conform("--version", "3.3", "--target", ts.URL, "--record", blocked, "--only", "apps/check-token")
	if code != exitFailure || !strings.Contains(stderr, "write the recording") {
		t.Errorf("unwritable recording: exit %d, want %d and the reason\n%s%s", code, exitFailure, stdout, stderr)
	}
	entries, _ := os.ReadDir(filepath.Dir(bdir))
	if len(entries) != 1 {
		t.Errorf("an unwritable recording left %d files in %s, want only conform.yaml", len(entries), filepath.Dir(bdir))
	}

	// A journal that cannot be written (the version directory is a file):
	// found before anything is sent, and the command exits 3.
	nodir := filepath.Join(t.TempDir(), "c")
	if err := os.MkdirAll(nodir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nodir, "ghes-3.3"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = conform("--version", "3.3", "--target", ts.URL, "--record", nodir, "--only", "apps/check-token")
	if code != exitFailure || !strings.Contains(stderr, "cannot be written, so nothing was sent") || strings.Contains(stdout, "passed") {
		t.Errorf("unwritable journal: exit %d, want %d, the reason, and no run\n%s%s", code, exitFailure, stdout, stderr)
	}

	// A completed run replaces the recording and leaves no temporary file,
	// nor those of a recording that was killed.
	for _, stale := range []string{".conform-deadbeef.yaml", ".conform-deadbeef.json"} {
		if err := os.WriteFile(filepath.Join(vdir, stale), []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, stdout, stderr := conform("--version", "3.3", "--target", ts.URL, "--record", dir, "--only", "apps/check-token"); code != exitOK {
		t.Fatalf("second recording: exit %d\n%s%s", code, stdout, stderr)
	}
	after := snapshot()
	if len(after) != 2 || after[conformance.RunFile] == before[conformance.RunFile] {
		t.Errorf("a completed run left %d files (want conform.yaml and %s) or did not replace %s", len(after), conformance.RunFile, conformance.RunFile)
	}
	code, stdout, stderr = conform("--version", "3.3", "--cassettes", dir)
	if code != exitOK {
		t.Errorf("replay of the new recording: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestProgressKeepsRunes(t *testing.T) {
	var b bytes.Buffer
	progress(&b)(3, 65, strings.Repeat("é", 60))
	line := strings.TrimPrefix(b.String(), "\r\033[K")
	if !utf8.ValidString(line) || len(line) > 100 || !strings.HasPrefix(line, "[3/65] éé") {
		t.Errorf("progress line %q: want valid UTF-8 of at most 100 bytes", line)
	}
}
