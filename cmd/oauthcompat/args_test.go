package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagsAfterArguments: every subcommand that takes a positional
// argument also takes its flags after it, as they are parsed by one
// helper; a flag's value that looks like an argument stays the flag's,
// and "--" still ends the flags.
func TestFlagsAfterArguments(t *testing.T) {
	const example = "../../replay/testdata/ghes-3.8/example.yaml"
	dir := t.TempDir()
	har := filepath.Join(dir, "x.har")
	for _, tc := range []struct {
		name  string
		args  []string
		want  int
		check string // a file the command must have written
	}{
		{"export", []string{"cassette", "export", example, "--format", "har", "--out", har}, exitOK, har},
		{"export, = form", []string{"cassette", "export", example, "--format=vcrpy", "-out=" + filepath.Join(dir, "x.yaml")}, exitOK, filepath.Join(dir, "x.yaml")},
		{"import", []string{"cassette", "import", har, "--from", "har", "--cassettes", filepath.Join(dir, "c")}, exitOK, filepath.Join(dir, "c", "ghes-3.8", "x.yaml")},
		{"lint", []string{"cassette", "lint", "../../replay/testdata", "--json"}, exitOK, ""},
		{"recover", []string{"cassette", "recover", filepath.Join(dir, "c"), "--json"}, exitUsage, ""}, // no such flag: still a usage error
		{"validate", []string{"validate", "../../replay/testdata/ghes-3.8/example.yaml", "--version", "3.8", "--operation", "apps/check-token"}, -1, ""},
		{"an unexpected argument among flags", []string{"fixtures", "--version", "3.8", "extra", "--out", dir}, exitUsage, ""},
		{"after --", []string{"cassette", "lint", "--", "--json"}, exitUsage, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.args...)
			if tc.want == exitOK && strings.Contains(stderr, "arguments") {
				t.Errorf("%v: the flags after the argument were taken as arguments:\n%s", tc.args, stderr)
			}
			if tc.want >= 0 && code != tc.want {
				t.Errorf("%v: exit %d, want %d\n%s%s", tc.args, code, tc.want, stdout, stderr)
			}
			if tc.check != "" {
				if _, err := os.Stat(tc.check); err != nil {
					t.Errorf("%v: %v", tc.args, err)
				}
			}
		})
	}
}
