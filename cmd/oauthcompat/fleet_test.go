package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/internal/testenv"
	"github.com/oauthcompat/oauthcompat/reference"
)

// prefixed is the reference fixtures' credentials under each prefix.
func prefixed(prefixes ...string) map[string]string { return testenv.Env(prefixes...) }

// TestConformFleetOfThree: two reference servers of different versions
// and one unreachable address, in one run, with one report.
func TestConformFleetOfThree(t *testing.T) {
	withEnv(t, prefixed("PROD_", "STAGING_"))
	prod := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	staging := reference.NewTestServer(t, "ghes-3.2", reference.DefaultFixtures())
	dead := testenv.ClosedURL(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "targets.yaml")
	os.WriteFile(file, []byte(`targets:
  - name: prod
    url: `+prod.URL+`/api/v3
    version: auto
    credentials_env_prefix: PROD_
  - name: staging
    url: `+staging.URL+`/api/v3
    version: ghes-3.2
    credentials_env_prefix: STAGING_
  - name: dr
    url: `+dead+`/api/v3
    credentials_env_prefix: DR_
`), 0o644)
	code, stdout, stderr := conform("--targets", file, "--version", "auto", "--parallel", "2", "--report", filepath.Join(dir, "out"))
	if code != exitUsage {
		t.Errorf("exit %d, want %d (the unreachable server)\n%s%s", code, exitUsage, stdout, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if lines[0] != "NOT conformant — 3 servers: 2 conformant, 1 unreachable" {
		t.Errorf("first line %q", lines[0])
	}
	for _, want := range []string{
		"  prod (ghes-3.8): conformant — ", "    version detected from X-GitHub-Enterprise-Version: 3.8.0 on GET /api/v3/meta",
		"  staging (ghes-3.2): conformant — ", "  dr (version unknown): unreachable — cannot reach " + dead + "/api/v3 to detect its version",
		"reports: " + filepath.Join(dir, "out", "index.html"),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	var rep struct {
		Verdict  string `json:"verdict"`
		ExitCode int    `json:"exit_code"`
		Targets  []struct {
			Name, Version, Verdict string
			Report                 *struct{ Conformant bool }
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	type got struct{ Name, Version, Verdict string }
	var gots []got
	for _, tg := range rep.Targets {
		gots = append(gots, got{tg.Name, tg.Version, tg.Verdict})
	}
	want := []got{{"prod", "ghes-3.8", "conformant"}, {"staging", "ghes-3.2", "conformant"}, {"dr", "", "unreachable"}}
	if diff := cmp.Diff(want, gots); diff != "" || rep.ExitCode != 2 || rep.Verdict != "not-conformant" {
		t.Errorf("report.json: exit %d, verdict %s (-want +got):\n%s", rep.ExitCode, rep.Verdict, diff)
	}
	for _, f := range []string{"index.html", "report.md", "report.xml", "prod/report.html", "staging/report.json"} {
		if _, err := os.Stat(filepath.Join(dir, "out", f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, "out", "index.html"))
	if !strings.Contains(string(html), `href="#staging-post-applications-client-id-token"`) {
		t.Error("index.html: the matrix does not link staging's cases")
	}
}

func TestConformFleetUsage(t *testing.T) {
	withEnv(t, fixtureEnv())
	dir := t.TempDir()
	good := filepath.Join(dir, "t.json")
	os.WriteFile(good, []byte(`{"targets":[{"name":"a","url":"http://127.0.0.1:1"}]}`), 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("targets:\n  - name: a\n    url: http://h\n    passwd: x\n"), 0o644)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"with --target", []string{"--targets", good, "--target", "http://127.0.0.1:1"}, "--target works with a single --target"},
		{"with --record", []string{"--targets", good, "--record", dir}, "--record works with a single --target"},
		{"with --credentials", []string{"--targets", good, "--credentials", good}, "credentials_env_prefix"},
		{"parallel 0", []string{"--targets", good, "--parallel", "0"}, "--parallel 0"},
		{"unknown key", []string{"--targets", bad}, "field passwd not found"},
		{"no file", []string{"--targets", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
		{"unknown default version", []string{"--targets", good, "--version", "9.9"}, "known versions are"},
		{"several formats to stdout", []string{"--targets", good, "--report", "-", "--format", "json,md"}, "standard output takes one format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := conform(tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, want %d, stderr lacks %q:\n%s%s", code, exitUsage, tc.msg, stdout, stderr)
			}
		})
	}
}

// TestConformFleetJSONToStdout: --report - writes the fleet's report.json
// to standard output, and nothing else goes there.
func TestConformFleetJSONToStdout(t *testing.T) {
	withEnv(t, fixtureEnv())
	ts := reference.NewTestServer(t, "github.ae", reference.DefaultFixtures())
	file := filepath.Join(t.TempDir(), "t.json")
	os.WriteFile(file, []byte(`{"targets":[{"name":"ae","url":"`+ts.URL+`","version":"github.ae"}]}`), 0o644)
	code, stdout, stderr := conform("--targets", file, "--report", "-")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc struct {
		Schema  string `json:"$schema"`
		Targets []struct{ Verdict string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%.300s", err, stdout)
	}
	if !strings.Contains(doc.Schema, "fleet") || len(doc.Targets) != 1 || doc.Targets[0].Verdict != "conformant" {
		t.Errorf("report: %+v", doc)
	}
	if !strings.HasPrefix(stderr, "conformant — 1 server: 1 conformant") {
		t.Errorf("stderr %q: want the summary", stderr)
	}
}

// TestConformFleetChecksReportFirst: a --report that cannot be written
// stops a fleet run before any server gets a request.
func TestConformFleetChecksReportFirst(t *testing.T) {
	withEnv(t, fixtureEnv())
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer ts.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "t.yaml")
	os.WriteFile(file, []byte("targets:\n  - {name: a, url: '"+ts.URL+"', version: '3.8'}\n"), 0o644)
	notADir := filepath.Join(dir, "plain-file")
	os.WriteFile(notADir, nil, 0o644)
	code, _, stderr := conform("--targets", file, "--report", filepath.Join(notADir, "out"))
	if code != exitFailure || !strings.Contains(stderr, "cannot be written, so nothing was sent") || hits.Load() != 0 {
		t.Errorf("exit %d, %d requests sent:\n%s", code, hits.Load(), stderr)
	}
	code, _, stderr = conform("--targets", file, "--upstream-ca", filepath.Join(dir, "missing.pem"))
	if code != exitUsage || hits.Load() != 0 {
		t.Errorf("--upstream-ca of a missing file: exit %d, %d requests:\n%s", code, hits.Load(), stderr)
	}
}
