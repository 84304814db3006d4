package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/internal/testenv"
	"github.com/oauthcompat/oauthcompat/reference"
)

// TestConformReportToStdout: "--report -" used to create a directory
// named "-", and --format without --report was silently ignored. Both
// write the report to standard output now, the summary to standard error.
func TestConformReportToStdout(t *testing.T) {
	withEnv(t, fixtureEnv())
	ts := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	t.Chdir(t.TempDir())
	tests := []struct {
		name  string
		args  []string
		check func(string) error
	}{
		{"--report -", []string{"--report", "-"}, isJSON},
		{"--format json", []string{"--format", "json"}, isJSON},
		{"--report - --format md", []string{"--report", "-", "--format", "md"}, startsWith("✅ **ghes-3.8 (live): conformant")},
		{"--format junit", []string{"--format", "junit"}, startsWith("<?xml")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := conform(append([]string{"--version", "3.8", "--target", ts.URL, "--only", "apps/check-token"}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if err := tc.check(stdout); err != nil {
				t.Errorf("stdout: %v\n%.200s", err, stdout)
			}
			if !strings.HasPrefix(stderr, "ghes-3.8 (live): conformant") {
				t.Errorf("stderr %q: want the summary line", stderr)
			}
			if _, err := os.Stat("-"); err == nil {
				t.Error(`a directory named "-" was created`)
			}
		})
	}
	code, _, stderr := conform("--version", "3.8", "--target", ts.URL, "--format", "json,md")
	if code != exitUsage || !strings.Contains(stderr, "standard output takes one format; give --report DIR") {
		t.Errorf("two formats to stdout: exit %d\n%s", code, stderr)
	}
}

func isJSON(s string) error {
	var doc struct {
		Schema string `json:"$schema"`
	}
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return err
	}
	if doc.Schema == "" {
		return os.ErrInvalid
	}
	return nil
}

func startsWith(prefix string) func(string) error {
	return func(s string) error {
		if !strings.HasPrefix(s, prefix) {
			return os.ErrInvalid
		}
		return nil
	}
}

func TestConformVersionAuto(t *testing.T) {
	withEnv(t, fixtureEnv())
	ts := reference.NewTestServer(t, "ghes-3.2", reference.DefaultFixtures())
	dir := t.TempDir()
	code, stdout, stderr := conform("--version", "auto", "--target", ts.URL+"/api/v3", "--record", dir)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "detected ghes-3.2 (X-GitHub-Enterprise-Version: 3.2.0 on GET /api/v3/meta)") || !strings.HasPrefix(stdout, "ghes-3.2 (live+record): conformant") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	ts.Close()
	code, stdout, stderr = conform("--version", "auto", "--cassettes", dir)
	if code != exitOK || !strings.Contains(stderr, "the recorded run's version: ghes-3.2") || !strings.HasPrefix(stdout, "ghes-3.2 (replay): conformant") {
		t.Errorf("replay: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = conform("--version", "auto", "--target", ts.URL, "--dry-run")
	if code != exitUsage || !strings.Contains(stderr, "--dry-run sends nothing") {
		t.Errorf("dry run: exit %d\n%s", code, stderr)
	}
}

// actionsEnv turns GitHub Actions output on, with a step summary file.
func actionsEnv(t *testing.T, env map[string]string) (summary string) {
	summary = filepath.Join(t.TempDir(), "step-summary.md")
	env["GITHUB_ACTIONS"] = "true"
	env["GITHUB_STEP_SUMMARY"] = summary
	withEnv(t, env)
	return summary
}

var annotation = regexp.MustCompile(`(?m)^::(error|warning|notice) title=([^:]*)::(.*)$`)

func TestConformInGitHubActions(t *testing.T) {
	summary := actionsEnv(t, fixtureEnv())
	broken := testenv.LegacyRemovedServer(t, "ghes-3.3")
	code, stdout, stderr := conform("--version", "3.3", "--target", broken)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	var titles []string
	for _, m := range annotation.FindAllStringSubmatch(stdout, -1) {
		if m[1] == "error" {
			titles = append(titles, m[2])
		}
	}
	if !slices.Contains(titles, "conform ghes-3.3%3A apps/check-authorization endpoint-removed") {
		t.Errorf("error annotations %q; stdout:\n%s", titles, stdout)
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	first, _, _ := strings.Cut(md, "\n")
	failures, coverage := strings.Index(md, "### Failures"), strings.Index(md, "Coverage")
	if !strings.HasPrefix(first, "❌ **ghes-3.3 (live): NOT conformant") || failures < 0 || coverage < failures {
		t.Errorf("summary: verdict, then failures, then coverage; got:\n%.600s", md)
	}

	// --fail-on never: the findings are warnings, and the step passes.
	// (A fresh server each time: a run uses up the fixtures' tokens.)
	code, stdout, _ = conform("--version", "3.3", "--target", testenv.LegacyRemovedServer(t, "ghes-3.3"), "--fail-on", "never")
	if code != exitOK || strings.Contains(stdout, "::error") || !strings.Contains(stdout, "::warning title=conform ghes-3.3%3A apps/check-authorization endpoint-removed::") {
		t.Errorf("--fail-on never: exit %d\n%s", code, stdout)
	}
	// --ci none: nothing for the runner.
	os.Remove(summary)
	code, stdout, _ = conform("--version", "3.3", "--target", testenv.LegacyRemovedServer(t, "ghes-3.3"), "--ci", "none")
	if _, err := os.Stat(summary); code != exitFindings || strings.Contains(stdout, "::") || err == nil {
		t.Errorf("--ci none: exit %d, a summary was written or annotations printed:\n%s", code, stdout)
	}
	// An unreachable server is an annotated error too.
	dead := testenv.ClosedURL(t)
	code, stdout, _ = conform("--version", "3.3", "--target", dead)
	b, _ = os.ReadFile(summary)
	if code != exitUsage || !strings.Contains(stdout, "::error title=conform ghes-3.3%3A not checked::cannot reach "+dead) || !strings.HasPrefix(string(b), "❌ **conform ghes-3.3: not checked — cannot reach") {
		t.Errorf("unreachable: exit %d\n%s\nsummary:\n%s", code, stdout, b)
	}
}

func TestConformFleetInGitHubActions(t *testing.T) {
	summary := actionsEnv(t, prefixed("OAUTHCOMPAT_"))
	good := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	file := filepath.Join(t.TempDir(), "t.yaml")
	os.WriteFile(file, []byte("targets:\n  - name: new\n    url: "+good.URL+"\n  - name: old\n    url: "+testenv.LegacyRemovedServer(t, "ghes-3.3")+"\n    version: '3.3'\n  - name: gone\n    url: "+testenv.ClosedURL(t)+"\n    version: '3.8'\n"), 0o644)
	code, stdout, stderr := conform("--targets", file)
	if code != exitUsage {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"::error title=conform old ghes-3.3%3A apps/check-authorization endpoint-removed::", "::error title=conform gone%3A unreachable::http://"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	b, _ := os.ReadFile(summary)
	md := string(b)
	for _, want := range []string{"❌ **NOT conformant — 3 servers: 1 conformant, 1 not conformant, 1 unreachable**", "| new | ghes-3.8 (detected) | ✅ conformant |", "### old: failures", "Coverage: operation × server"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%.800s", want, md)
		}
	}
	if !strings.HasPrefix(md, "❌ **NOT conformant") {
		t.Errorf("the summary does not start with the verdict:\n%.200s", md)
	}
}

func TestDiffInGitHubActions(t *testing.T) {
	summary := actionsEnv(t, map[string]string{})
	rec := func(name string) string { return filepath.Join(diffTestdata, name) }
	tests := []struct {
		name     string
		args     []string
		code     int
		errors   int
		title    string
		verdict  string
		onStderr bool
	}{
		{"diff gated on breaking", []string{"diff", "--from", "3.3", "--to", "3.4", "--fail-on", "breaking", "--out", filepath.Join(t.TempDir(), "d.md")}, exitFindings, 4,
			"diff ghes-3.3 → ghes-3.4%3A apps/", "❌ **Documented changes from ghes-3.3 to ghes-3.4: 4 breaking, 12 warnings, 0 info**", false},
		{"diff not gated", []string{"diff", "--from", "3.3", "--to", "3.4"}, exitOK, 0,
			"diff ghes-3.3 → ghes-3.4%3A ", "⚠️ **Documented changes from ghes-3.3 to ghes-3.4", true},
		{"upgrade-check", []string{"upgrade-check", "--traffic", rec("traffic-legacy-client"), "--to", "3.4", "--format", "json"}, exitFindings, 4,
			"upgrade-check ghes-3.3", "❌ **Upgrade check of recorded traffic", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(summary)
			code, stdout, stderr := runCmd(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, stderr)
			}
			where := stdout
			if tc.onStderr {
				where = stderr
				if strings.Contains(stdout, "\n::") {
					t.Error("annotations mixed into the report on stdout")
				}
			}
			ms := annotation.FindAllStringSubmatch(where, -1)
			errors := 0
			for _, m := range ms {
				if m[1] == "error" {
					errors++
				}
			}
			if len(ms) == 0 || errors != tc.errors || !strings.HasPrefix(ms[0][2], tc.title) {
				t.Errorf("%d annotations, %d errors (want %d), first title %q; output:\n%s", len(ms), errors, tc.errors, ms, where)
			}
			b, _ := os.ReadFile(summary)
			if !strings.HasPrefix(string(b), tc.verdict) {
				t.Errorf("summary starts %.120q, want %q", b, tc.verdict)
			}
		})
	}
}
