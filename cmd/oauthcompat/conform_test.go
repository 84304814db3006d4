package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

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

	tests := []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"findings", []string{"--version", "3.8", "--target", htmlList.URL}, exitFindings, "content-type-not-json"},
		{"unreachable", []string{"--version", "3.8", "--target", dead.URL}, exitUsage, "cannot reach " + dead.URL + ": connection refused; is the server running?"},
		{"no version", []string{"--target", htmlList.URL}, exitUsage, "--version is required"},
		{"target and cassettes", []string{"--version", "3.8", "--target", htmlList.URL, "--cassettes", "x"}, exitUsage, "exactly one of"},
		{"credentials in the URL", []string{"--version", "3.8", "--target", "http://u:p@127.0.0.1:1"}, exitUsage, "must not carry credentials"},
		{"bad format", []string{"--version", "3.8", "--target", htmlList.URL, "--format", "pdf"}, exitUsage, "unknown report format"},
		{"no recording", []string{"--version", "3.8", "--cassettes", t.TempDir()}, exitUsage, "holds no recorded conform run"},
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
