package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// TestFixturesCommand writes a pack in two formats and checks the
// usage errors.
func TestFixturesCommand(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCmd(t, "fixtures", "--version", "3.8", "--out", out, "--format", "vcrpy,har")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, filepath.Join(out, "ghes-3.8")) {
		t.Errorf("stdout %q does not name the pack", stdout)
	}
	var m struct {
		Formats   []string          `json:"formats"`
		Scenarios []json.RawMessage `json:"scenarios"`
	}
	b, err := os.ReadFile(filepath.Join(out, "ghes-3.8", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil || strings.Join(m.Formats, ",") != "har,vcrpy" || len(m.Scenarios) == 0 {
		t.Errorf("manifest: formats %v, %d scenarios, %v", m.Formats, len(m.Scenarios), err)
	}
	for _, p := range []string{"vcrpy/apps.check-token.200.yaml", "har/apps.check-token.200.har", "README.md"} {
		if _, err := os.Stat(filepath.Join(out, "ghes-3.8", p)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "ghes-3.8", "govcr")); err == nil {
		t.Error("govcr/ written though not asked for")
	}
	for _, args := range [][]string{
		{"fixtures"},
		{"fixtures", "--version", "3.8"},
		{"fixtures", "--version", "9.99", "--out", out},
		{"fixtures", "--version", "3.8", "--out", out, "--format", "postman"},
		{"fixtures", "--version", "3.8", "--out", out, "extra"},
	} {
		if code, _, stderr := runCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, stderr)
		}
	}
}

// TestCassetteExportImport exports replay's example cassette in each
// format, imports the HAR back (redacted with a key it creates), and
// checks the usage errors.
func TestCassetteExportImport(t *testing.T) {
	const example = "../../replay/testdata/ghes-3.8/example.yaml"
	dir := t.TempDir()
	for _, tc := range []struct{ format, out, check string }{
		{"har", filepath.Join(dir, "x.har"), filepath.Join(dir, "x.har")},
		{"vcrpy", filepath.Join(dir, "x.yaml"), filepath.Join(dir, "x.yaml")},
		{"wiremock", filepath.Join(dir, "wm"), filepath.Join(dir, "wm", "mappings", "000-apps.check-token-200.json")},
	} {
		if code, _, stderr := runCmd(t, "cassette", "export", "--format", tc.format, "--out", tc.out, example); code != exitOK {
			t.Fatalf("export %s: exit %d: %s", tc.format, code, stderr)
		}
		if _, err := os.Stat(tc.check); err != nil {
			t.Errorf("export %s: %v", tc.format, err)
		}
	}
	// A directory: one output per cassette, mirroring the tree.
	if code, _, stderr := runCmd(t, "cassette", "export", "--format", "har", "--out", filepath.Join(dir, "tree"), "../../replay/testdata"); code != exitOK {
		t.Fatalf("export of a directory: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "tree", "ghes-3.8", "example.har")); err != nil {
		t.Error(err)
	}
	cass := filepath.Join(dir, "cassettes")
	code, stdout, stderr := runCmd(t, "cassette", "import", "--from", "har", "--cassettes", cass, filepath.Join(dir, "x.har"))
	if code != exitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	want := cassettes.Path(cass, "ghes-3.8", "x")
	if strings.TrimSpace(stdout) != want {
		t.Errorf("import printed %q, want %q", stdout, want)
	}
	if _, err := os.Stat(filepath.Join(cass, ".redact-key")); err != nil {
		t.Errorf("no key created: %v", err)
	}
	if code, out, _ := runCmd(t, "cassette", "lint", cass); code != exitOK {
		t.Errorf("lint of the imported cassette: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"cassette", "export", example},
		{"cassette", "export", "--format", "postman", "--out", dir, example},
		{"cassette", "export", "--format", "har", example},
		{"cassette", "export", "--format", "har", "--out", dir, "--body-files", example},
		{"cassette", "export", "--format", "har", "--out", dir, "no/such/file"},
		{"cassette", "import", "--cassettes", cass, filepath.Join(dir, "x.har")},
		{"cassette", "import", "--from", "har", filepath.Join(dir, "x.har")},
		{"cassette", "import", "--from", "har", "--cassettes", cass, "--version", "9.99", filepath.Join(dir, "x.har")},
		{"cassette", "import", "--from", "har", "--cassettes", cass, example},
	} {
		if code, _, stderr := runCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, stderr)
		}
	}
}
