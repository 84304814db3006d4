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
	red, path, err := createRedactor(dir, "", redact.Options{}, nil)
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
		found, p, err := findRedactor(at, "", redact.Options{}, nil)
		if err != nil || found == nil || p != path {
			t.Errorf("findRedactor(%s) = %v, %q, %v; want the key %s", at, found, p, err, path)
			continue
		}
		if found.Token(tok) != red.Token(tok) {
			t.Errorf("findRedactor(%s): a different key", at)
		}
	}
	if found, _, err := findRedactor(t.TempDir(), "", redact.Options{}, nil); found != nil || err != nil {
		t.Errorf("no key anywhere: %v, %v; want none", found, err)
	}
	if _, _, err := findRedactor(dir, filepath.Join(dir, "missing"), redact.Options{}, nil); err == nil {
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
		{"open forward proxy", []string{"record", "--forward", "--mitm-host", "api.github.com", "--ca", dir, "--cassettes", dir, "--listen", "0.0.0.0:0"}, "anyone on the network"},
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

// TestWeakKeyRefused: a key shorter than 32 bytes or of one byte repeated
// is refused by every command that reads one, with exit 2 and a message
// saying what is wrong and what to do.
func TestWeakKeyRefused(t *testing.T) {
	for _, tc := range []struct {
		name, key, want string
	}{
		{"short", "0123456789abcdef", "holds 16 bytes, want at least 32"},
		{"one byte repeated", strings.Repeat("a", 64), "one byte repeated 64 times"},
		{"zeros", strings.Repeat("\x00", 32), "one byte repeated 32 times"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			key := filepath.Join(dir, "key")
			if err := os.WriteFile(key, []byte(tc.key), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"cassette", "lint", "--redact-key-file", key, dir},
				{"record", "--upstream", "http://127.0.0.1:1", "--cassettes", dir, "--redact-key-file", key, "--listen", "127.0.0.1:0"},
				{"replay", "--cassettes", dir, "--redact-key-file", key, "--listen", "127.0.0.1:0"},
			} {
				code, _, errs := runCmd(t, args...)
				if code != exitUsage || !strings.Contains(errs, tc.want) || !strings.Contains(errs, "move it away") {
					t.Errorf("%s: exit %d, stderr %q; want %d, %q and what to do", args[0], code, errs, exitUsage, tc.want)
				}
			}
		})
	}
}

// TestKeyReadableByOthersWarns: a key file of mode 0644 is used, with a
// warning that says how to fix it.
func TestKeyReadableByOthersWarns(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, keyName)
	if err := os.WriteFile(key, []byte("0123456789abcdef0123456789abcdef"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(key, 0o644)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o600} {
		if err := os.Chmod(key, mode); err != nil {
			t.Fatal(err)
		}
		_, _, errs := runCmd(t, "cassette", "lint", dir)
		warned := strings.Contains(errs, "chmod 600 "+key) && strings.Contains(errs, "readable by group or others")
		if warned != (mode != 0o600) {
			t.Errorf("mode %04o: warned %v, stderr:\n%s", mode, warned, errs)
		}
	}
}

// TestGitignoreKeepsKeyOut: a .gitignore already in the cassettes
// directory is made to ignore the key by appending a line, never by
// rewriting it, and that is logged; one that already ignores it is left
// alone.
func TestGitignoreKeepsKeyOut(t *testing.T) {
	for _, tc := range []struct {
		name, before, after string
		logged              bool
	}{
		{"none", "", keyName + "\n*.lock\n*.journal.damaged\n", false}, // a new .gitignore is made silently, as always
		{"others only", "*.log\nsecrets/\n", "*.log\nsecrets/\n" + keyName + "\n", true},
		{"no final newline", "*.log", "*.log\n" + keyName + "\n", true},
		{"ignored by name", "/.redact-key\n", "/.redact-key\n", false},
		{"ignored by glob", ".*\n", ".*\n", false},
		{"ignored then unignored", ".*\n!.redact-key\n", ".*\n!.redact-key\n" + keyName + "\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ignore := filepath.Join(dir, ".gitignore")
			if tc.before != "" {
				os.WriteFile(ignore, []byte(tc.before), 0o644)
			}
			var log strings.Builder
			if _, _, err := createRedactor(dir, "", redact.Options{}, stderrLogger(&log)); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(ignore)
			if string(got) != tc.after {
				t.Errorf(".gitignore = %q, want %q", got, tc.after)
			}
			if logged := strings.Contains(log.String(), ".gitignore"); logged != tc.logged {
				t.Errorf("logged %v, want %v: %s", logged, tc.logged, log.String())
			}
			// An existing key in a directory whose .gitignore does not
			// ignore it: appended too.
			if tc.before == "*.log" {
				os.WriteFile(ignore, []byte("# only logs\n"), 0o644)
				if _, _, err := createRedactor(dir, "", redact.Options{}, nil); err != nil {
					t.Fatal(err)
				}
				if got, _ := os.ReadFile(ignore); string(got) != "# only logs\n"+keyName+"\n" {
					t.Errorf("existing key: .gitignore = %q", got)
				}
			}
		})
	}
}
