package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadingCommandsExitCodes: every command that reads cassettes gives
// the same exit code and advice for the same fault: an empty directory,
// a directory holding only journals ("unrecovered journals: run
// oauthcompat cassette recover DIR") and a malformed cassette are all 3,
// and a usage error is 2.
func TestReadingCommandsExitCodes(t *testing.T) {
	empty := t.TempDir()
	journals := t.TempDir()
	writeJournal(t, journals, "killed")
	malformed := t.TempDir()
	bad := filepath.Join(malformed, "ghes-3.8", "bad.yaml")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, []byte("version: 2\ninteractions:\n  - id: [\n"), 0o644)

	readers := map[string]func(dir string) []string{
		"replay": func(d string) []string { return []string{"replay", "--cassettes", d, "--listen", "127.0.0.1:0"} },
		"lint":   func(d string) []string { return []string{"cassette", "lint", d} },
		"export": func(d string) []string {
			return []string{"cassette", "export", "--format", "har", "--out", filepath.Join(t.TempDir(), "x"), d}
		},
		"diff":          func(d string) []string { return []string{"diff", "--from-cassettes", d, "--to-cassettes", d} },
		"upgrade-check": func(d string) []string { return []string{"upgrade-check", "--traffic", d, "--to", "3.10"} },
		"conform":       func(d string) []string { return []string{"conform", "--version", "3.8", "--cassettes", d} },
	}
	// A usage error is 2 in each, before anything is read: a flag it does
	// not know, a directory that does not exist.
	for name, args := range readers {
		for _, a := range [][]string{append(args(malformed), "--no-such-flag"), args(filepath.Join(empty, "no-such-dir"))} {
			if code, _, stderr := runCmd(t, a...); code != exitUsage || strings.Contains(stderr, "no-such-dir") && !strings.Contains(stderr, "no such file or directory") {
				t.Errorf("%s: %v: exit %d, want %d:\n%s", name, a, code, exitUsage, stderr)
			}
		}
	}
	for _, fault := range []struct {
		name string
		dir  string
		want []string // in the message
	}{
		{"empty directory", empty, []string{"no cassettes", empty}},
		{"only journals", journals, []string{"unrecovered journal", "oauthcompat cassette recover " + journals}},
		{"malformed cassette", malformed, []string{"bad.yaml", "line 3"}},
	} {
		for name, args := range readers {
			t.Run(fault.name+"/"+name, func(t *testing.T) {
				a := args(fault.dir)
				code, stdout, stderr := runCmd(t, a...)
				out := stdout + stderr
				if code != exitFailure {
					t.Errorf("%v: exit %d, want %d:\n%s", a, code, exitFailure, out)
				}
				for _, w := range fault.want {
					if !strings.Contains(out, w) {
						t.Errorf("%v: the message does not say %q:\n%s", a, w, out)
					}
				}
			})
		}
	}
}
