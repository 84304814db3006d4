package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCmd runs the command line in-process and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCatalogCommands(t *testing.T) {
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.json")
	os.WriteFile(valid, []byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`), 0o644)
	invalid := filepath.Join(dir, "invalid.json")
	os.WriteFile(invalid, []byte(`{"message":404}`), 0o644)
	nullNote := filepath.Join(dir, "null-note.json")
	os.WriteFile(nullNote, []byte(`{"id":1,"url":"u","scopes":[],"token":"t","app":{"client_id":"c","name":"n","url":"u"},"note":null,"note_url":null,"updated_at":"2019-01-01T00:00:00Z","created_at":"2019-01-01T00:00:00Z"}`), 0o644)

	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		contains string // in stdout+stderr
	}{
		{"no args", nil, exitUsage, "Commands:"},
		{"help", []string{"help"}, exitOK, "upgrade-check"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"versions", []string{"versions"}, exitOK, "ghes-3.19"},
		{"catalog", []string{"catalog", "--version", "GHES 3.2.5"}, exitOK, "apps/revoke-grant-for-application"},
		{"catalog help", []string{"catalog", "-h"}, exitOK, "--version"},
		{"catalog no version", []string{"catalog"}, exitUsage, "--version is required"},
		{"catalog unknown version", []string{"catalog", "--version", "3.99"}, exitUsage, "known versions are ghes-2.18"},
		{"validate valid", []string{"validate", "--version", "3.8", "--operation", "apps/check-token", "--status", "404", valid}, exitOK, "valid"},
		{"validate invalid", []string{"validate", "--version", "3.8", "--operation", "apps/check-token", "--status", "404", invalid}, exitFindings, "/message: expected string"},
		{"validate null note on 2.19", []string{"validate", "--version", "2.19", "--operation", "oauth-authorizations/check-authorization", "--status", "200", nullNote}, exitOK, "tolerated: /note: expected string, but got null"},
		{"validate unknown version", []string{"validate", "--version", "9.1", "--operation", "apps/check-token", "--status", "404", valid}, exitUsage, "unknown version"},
		{"validate unknown operation", []string{"validate", "--version", "3.8", "--operation", "apps/nope", "--status", "404", valid}, exitUsage, "unknown operation"},
		{"validate undocumented status", []string{"validate", "--version", "3.8", "--operation", "apps/check-token", "--status", "418", valid}, exitUsage, "status not documented"},
		{"validate missing file", []string{"validate", "--version", "3.8", "--operation", "apps/check-token", "--status", "404", filepath.Join(dir, "nope.json")}, exitUsage, "no such file"},
		{"validate bad flag", []string{"validate", "--bogus"}, exitUsage, "flag provided but not defined"},
		{"replay missing dir", []string{"replay", "--cassettes", filepath.Join(dir, "nope")}, exitUsage, "no such file or directory"},
		{"diff missing recording", []string{"diff", "--from-cassettes", dir, "--to-cassettes", filepath.Join(dir, "nope")}, exitUsage, "--to-cassettes"},
		{"upgrade-check missing traffic", []string{"upgrade-check", "--traffic", filepath.Join(dir, "nope"), "--to", "3.4"}, exitUsage, "--traffic"},
		{"recover missing dir", []string{"cassette", "recover", filepath.Join(dir, "nope")}, exitUsage, "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
			if !strings.Contains(out+errs, tc.contains) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tc.contains, out, errs)
			}
		})
	}
}

func TestVersionsJSON(t *testing.T) {
	code, out, _ := runCmd(t, "versions", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var rows []struct {
		Name       string `json:"name"`
		Operations int    `json:"operations"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 28 || rows[0].Name != "ghes-2.18" || rows[0].Operations != 14 {
		t.Errorf("versions --json: %d rows, first %+v", len(rows), rows[0])
	}
}
