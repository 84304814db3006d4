package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/reference"
)

// TestServeStartsAndStops runs "serve" on a free port: the first stdout
// line is the base URL, the server answers, and cancelling the context
// stops it with exit 0.
func TestServeStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--version", "3.8", "--listen", "127.0.0.1:0"}, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read the base URL: %v (stderr: %s)", err, stderr.String())
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q: want http://127.0.0.1:PORT", base)
	}
	f := reference.DefaultFixtures()
	req, _ := http.NewRequest("POST", base+"/api/v3/applications/"+f.Apps[0].ClientID+"/token",
		strings.NewReader(`{"access_token":"`+f.Tokens[0].Value+`"}`))
	req.SetBasicAuth(f.Apps[0].ClientID, f.Apps[0].ClientSecret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("X-GitHub-Enterprise-Version") != "3.8.0" {
		t.Errorf("check token: %d, enterprise %q", res.StatusCode, res.Header.Get("X-GitHub-Enterprise-Version"))
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d, stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after the context was cancelled")
	}
}

func TestServeFlags(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"users":[{"login":"a","password":"p","id":0}]}`), 0o644)

	code, out, _ := runCmd(t, "serve", "--print-fixtures")
	if code != exitOK {
		t.Fatalf("--print-fixtures: exit %d", code)
	}
	var got reference.Fixtures
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(reference.DefaultFixtures(), got); diff != "" {
		t.Errorf("--print-fixtures (-want +got):\n%s", diff)
	}
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(out), 0o644)

	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"help", []string{"serve", "-h"}, exitOK, "--print-fixtures"},
		{"no version", []string{"serve"}, exitUsage, "--version is required"},
		{"unknown version", []string{"serve", "--version", "9.9"}, exitUsage, "known versions are"},
		{"bad fixtures", []string{"serve", "--version", "3.8", "--fixtures", bad}, exitUsage, "bad.json: users[0].id"},
		{"print given fixtures", []string{"serve", "--print-fixtures", "--fixtures", good}, exitOK, `"client_id": "` + got.Apps[0].ClientID},
		{"bad address", []string{"serve", "--version", "3.8", "--listen", "256.0.0.1:1"}, exitUsage, "--listen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.args...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.contains) {
				t.Errorf("exit %d (want %d), output does not contain %q:\n%s%s", code, tc.code, tc.contains, stdout, stderr)
			}
		})
	}
}
