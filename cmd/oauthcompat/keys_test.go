package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
)

func TestRedactionKeyLookup(t *testing.T) {
	dir := t.TempDir()
	red, path, err := createRedactor(dir, "", redact.Options{})
	if err != nil || red == nil {
		t.Fatalf("createRedactor: %v", err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key %s: %v, mode %v", path, err, st.Mode())
	}
	if b, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err != nil || !strings.HasPrefix(string(b), keyName+"\n") {
		t.Errorf(".gitignore beside a new key: %q, %v", b, err)
	}
	vdir := filepath.Join(dir, "ghes-3.8")
	os.MkdirAll(vdir, 0o755)
	file := filepath.Join(vdir, "session.yaml")
	os.WriteFile(file, []byte("---\nversion: 2\ninteractions: []\n"), 0o644)
	const tok = "gho_16C7e42F292c6912E7710c838347Ae178B4a"
	for _, at := range []string{dir, vdir, file} {
		found, p, err := findRedactor(at, "", redact.Options{})
		if err != nil || found == nil || p != path {
			t.Errorf("findRedactor(%s) = %v, %q, %v; want the key %s", at, found, p, err, path)
			continue
		}
		if found.Token(tok) != red.Token(tok) {
			t.Errorf("findRedactor(%s): a different key", at)
		}
	}
	if found, _, err := findRedactor(t.TempDir(), "", redact.Options{}); found != nil || err != nil {
		t.Errorf("no key anywhere: %v, %v; want none", found, err)
	}
	if _, _, err := findRedactor(dir, filepath.Join(dir, "missing"), redact.Options{}); err == nil {
		t.Error("a named key file that does not exist must be an error")
	}
}

func TestRecordRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		args     []string
		contains string
	}{
		{"credentials in upstream", []string{"record", "--upstream", "http://admin:S3cretPw@127.0.0.1:1", "--cassettes", dir}, "must not carry credentials"},
		{"open forward proxy", []string{"record", "--forward", "--mitm-host", "api.github.com", "--ca", dir, "--cassettes", dir, "--listen", "0.0.0.0:0"}, "open proxy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(t, tc.args...)
			if code != exitUsage || !strings.Contains(errs, tc.contains) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, exitUsage, tc.contains)
			}
			if strings.Contains(out+errs, "S3cretPw") {
				t.Error("the password is echoed")
			}
		})
	}
	for addr, want := range map[string]bool{"127.0.0.1:0": true, "[::1]:8081": true, "localhost:1": true, "0.0.0.0:0": false, ":8081": false, "10.0.0.1:80": false} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v", addr, got)
		}
	}
}
