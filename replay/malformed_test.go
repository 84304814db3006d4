package replay_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/replay"
)

// TestMalformedCassettes checks that broken files give an error naming the
// file (and what is wrong), never a panic.
func TestMalformedCassettes(t *testing.T) {
	good, err := os.ReadFile("testdata/ghes-3.8/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content string
		want    string // in the error
	}{
		{"bad YAML", "---\nversion: 2\ninteractions:\n  - id: 0\n    request: [unclosed\n", "line"},
		{"tab indentation", "version: 2\ninteractions:\n\t- id: 0\n", "line"},
		{"not a cassette", "- just\n- a list\n", "not a go-vcr cassette"},
		{"empty file", "", "cassette"},
		{"old format", "version: 1\ninteractions: []\n", "version"},
		{"missing method", "version: 2\ninteractions:\n  - id: 0\n    request:\n      url: http://x/applications/a/token\n    response:\n      code: 200\n", "request.method"},
		{"missing response code", "version: 2\ninteractions:\n  - id: 0\n    request:\n      method: GET\n      url: http://x/authorizations\n    response:\n      body: x\n", "response.code"},
		{"truncated file", string(good[:len(good)*2/3]), "cassette"},
		{"truncated mid-interaction", string(good[:strings.Index(string(good), "    - id: 1")+40]), "cassette"},
		{"wrong types", "version: 2\ninteractions:\n  - id: zero\n    request: {method: GET, url: http://x/}\n    response: {code: many}\n", "line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ghes-3.8", "broken.yaml")
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{dir, path} {
				_, err := replay.Load(p, replay.Options{})
				if err == nil {
					t.Fatalf("Load(%s) succeeded on a %s", p, tc.name)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Load(%s) error %q: want the file %s and %q", p, err, path, tc.want)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	writeCassette(t, filepath.Join(dir, "ghes-3.2", "a.yaml"), rec{"GET", "http://x/authorizations", nil, "", 200, nil, "[]"})
	writeCassette(t, filepath.Join(dir, "ghes-3.8", "a.yaml"), rec{"GET", "http://x/authorizations", nil, "", 200, nil, "[]"})
	tests := []struct {
		name, path, version, want string
	}{
		{"several versions", dir, "", "pass a version"},
		{"unknown version", dir, "9.9", "unknown version"},
		{"no cassettes of the version", dir, "3.9", "no cassettes of ghes-3.9"},
		{"missing path", filepath.Join(dir, "nope"), "", "no such file"},
		{"empty dir", t.TempDir(), "", "no cassettes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := replay.Load(tc.path, replay.Options{Version: tc.version})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	ix, err := replay.Load(dir, replay.Options{Version: "GHES 3.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 1 || ix.Version().Name != "ghes-3.2" {
		t.Errorf("Load --version 3.2: %d interactions of %v, want 1 of ghes-3.2", ix.Len(), ix.Version())
	}
}

// FuzzLoad holds that Load never panics, whatever the file holds.
func FuzzLoad(f *testing.F) {
	good, err := os.ReadFile("testdata/ghes-3.8/example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("version: 2\ninteractions:\n  - {}\n"))
	f.Add([]byte("version: 2\ninteractions:\n  - request: {method: GET, url: '%zz'}\n    response: {code: 200, headers: {Connection: [x]}}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ix, err := replay.Load(path, replay.Options{})
		if err != nil {
			return
		}
		req := httptest.NewRequest("POST", "/applications/x/token", strings.NewReader(`{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`))
		resp, err := ix.RoundTrip(req)
		if err != nil || resp.StatusCode == 0 {
			t.Fatalf("RoundTrip on a loaded cassette: %v, %v", resp, err)
		}
	})
}
