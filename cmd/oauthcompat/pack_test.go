package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
)

// TestPackDirectory: lint and replay take a fixture pack's directory: its
// go-vcr cassettes, as its manifest.json lists them, under the version it
// names; the VCR.py cassettes beside them (format version 1) are skipped
// with a note, here and in any directory.
func TestPackDirectory(t *testing.T) {
	const pack = "../../fixtures/ghes-3.8"
	code, stdout, stderr := runCmd(t, "cassette", "lint", pack)
	if code != exitOK || strings.Contains(stdout, "version 1 is not supported") || strings.Contains(stdout, "version-unknown") {
		t.Errorf("lint of a pack: exit %d, want 0:\n%s%s", code, stdout, stderr)
	}
	f := reference.DefaultFixtures()
	base := startReplay(t, "--cassettes", pack)
	req, _ := http.NewRequest("POST", base+"/api/v3/applications/"+f.Apps[0].ClientID+"/token", strings.NewReader(`{"access_token":"`+f.Tokens[0].Value+`"}`))
	req.SetBasicAuth(f.Apps[0].ClientID, f.Apps[0].ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("replay of a pack: check-token answered %s, want 200", resp.Status)
	}

	// A directory without a manifest, holding a go-vcr cassette and a
	// VCR.py one.
	dir := t.TempDir()
	os.CopyFS(dir, os.DirFS("../../replay/testdata"))
	vcrpy, _ := os.ReadFile(filepath.Join(pack, "vcrpy", "apps.check-token.200.yaml"))
	os.WriteFile(filepath.Join(dir, "ghes-3.8", "vcrpy.yaml"), vcrpy, 0o644)
	code, stdout, stderr = runCmd(t, "cassette", "lint", dir)
	if code != exitOK || !strings.Contains(stdout+stderr, "vcrpy.yaml") || !strings.Contains(stdout+stderr, "skipped") {
		t.Errorf("lint of a directory holding a VCR.py cassette: exit %d, want 0 with a note that it was skipped:\n%s%s", code, stdout, stderr)
	}
	startReplay(t, "--cassettes", dir) // fails the test when it does not start
}
