package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportsNameLeftoverJournals: a journal beside the cassettes is said
// inside the reports of diff --from-cassettes and upgrade-check, in every
// format, not only on standard error: a report read later must not look
// complete when interactions were in no cassette.
func TestReportsNameLeftoverJournals(t *testing.T) {
	rec := t.TempDir()
	os.CopyFS(rec, os.DirFS("../../replay/testdata"))
	writeJournal(t, rec, "killed")
	clean := t.TempDir()
	os.CopyFS(clean, os.DirFS("../../replay/testdata"))
	for _, format := range []string{"json", "md", "html"} {
		for _, args := range [][]string{
			{"diff", "--from-cassettes", rec, "--to-cassettes", clean},
			{"diff", "--from-cassettes", clean, "--to-cassettes", rec},
			{"upgrade-check", "--traffic", rec, "--to", "3.10"},
		} {
			out := filepath.Join(t.TempDir(), "report."+format)
			code, _, stderr := runCmd(t, append(args, "--format", format, "--out", out)...)
			if code == exitUsage || code == exitFailure {
				t.Fatalf("%v: exit %d\n%s", args, code, stderr)
			}
			b, _ := os.ReadFile(out)
			if !strings.Contains(string(b), "killed.yaml.journal") || !strings.Contains(string(b), "cassette recover") {
				t.Errorf("%v --format %s: the report does not name the journal and 'cassette recover':\n%.2000s", args, format, b)
			}
		}
	}
	// A clean recording's report has no note.
	out := filepath.Join(t.TempDir(), "report.json")
	runCmd(t, "diff", "--from-cassettes", clean, "--to-cassettes", clean, "--format", "json", "--out", out)
	if b, _ := os.ReadFile(out); strings.Contains(string(b), "notes") {
		t.Errorf("a clean recording's report holds notes:\n%s", b)
	}
}
