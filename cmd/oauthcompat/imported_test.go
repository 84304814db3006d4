package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
)

// TestImportedVersionThroughEveryCommand: a version known only from an
// imported description is recorded, linted, replayed and checked for an
// upgrade as a built-in one is, with --catalog on each command; without
// it, each says it does not know the version.
func TestImportedVersionThroughEveryCommand(t *testing.T) {
	cat := importAs(t, description319, "ghes-3.20")
	upstream := serveInBackground(t, "--version", "ghes-3.20", "--catalog", cat)
	dir := t.TempDir()
	f := reference.DefaultFixtures()

	rec := startInProcess(t, "record", "--upstream", upstream, "--cassettes", dir, "--listen", "127.0.0.1:0", "--version", "ghes-3.20", "--catalog", cat)
	if rec.url == "" {
		_, stderr := rec.stop()
		t.Fatalf("record did not start: %s", stderr)
	}
	status, live := checkToken(t, rec.url, f.Tokens[0].Value)
	if status != http.StatusOK {
		t.Fatalf("check-token through record: %d %s", status, live)
	}
	if code, stderr := rec.stop(); code != exitOK || strings.Contains(stderr, "does not document") {
		t.Errorf("record: exit %d, want %d without a warning about the version:\n%s", code, exitOK, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "ghes-3.20", "session.yaml")); err != nil {
		t.Fatalf("no cassette under ghes-3.20: %v", err)
	}

	code, out, errOut := runCmd(t, "cassette", "lint", "--catalog", cat, dir)
	if code != exitOK || strings.Contains(out+errOut, "not a version") || strings.Contains(out+errOut, "unknown version") {
		t.Errorf("cassette lint --catalog: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "cassette", "lint", dir); code == exitOK && !strings.Contains(out+errOut, "ghes-3.20") {
		t.Errorf("cassette lint without --catalog: exit %d and no word of ghes-3.20:\n%s%s", code, out, errOut)
	}

	rep := startInProcess(t, "replay", "--cassettes", dir, "--catalog", cat, "--listen", "127.0.0.1:0")
	if rep.url == "" {
		_, stderr := rep.stop()
		t.Fatalf("replay did not start: %s", stderr)
	}
	if status, replayed := checkToken(t, rep.url, f.Tokens[0].Value); status != http.StatusOK || !strings.Contains(replayed, `"token_last_eight"`) {
		t.Errorf("check-token replayed: %d %s", status, replayed)
	}
	rep.stop()

	code, out, errOut = runCmd(t, "upgrade-check", "--traffic", filepath.Join(dir, "ghes-3.20"), "--to", "ghes-3.19", "--catalog", cat)
	if code != exitOK || !strings.Contains(out, "ghes-3.20") {
		t.Errorf("upgrade-check --catalog: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "upgrade-check", "--traffic", filepath.Join(dir, "ghes-3.20"), "--to", "ghes-3.19")
	if code == exitOK || !strings.Contains(errOut, "--catalog") {
		t.Errorf("upgrade-check without --catalog: exit %d, want a failure that names --catalog:\n%s", code, errOut)
	}
}

// checkToken sends check-token for tok to base (a server of the reference
// fixtures, or a proxy or replay of one) with the first fixture app's
// credentials, and returns the status and body.
func checkToken(t *testing.T, base, tok string) (int, string) {
	t.Helper()
	app := reference.DefaultFixtures().Apps[0]
	req, _ := http.NewRequest("POST", base+"/api/v3/applications/"+app.ClientID+"/token",
		strings.NewReader(`{"access_token":"`+tok+`"}`))
	req.SetBasicAuth(app.ClientID, app.ClientSecret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
