package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
)

// TestGitignore: the .gitignore a cassettes directory gets keeps out of
// git the key, the recordings' lock files and the damaged journals
// recovery keeps, whether the directory is new, holds a .gitignore an
// earlier release wrote (only the key), or the key was removed while
// recording; a .gitignore of the user's is left alone.
func TestGitignore(t *testing.T) {
	want := []string{".redact-key", "*.lock", "*.journal.damaged"}
	check := func(t *testing.T, dir string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		for _, w := range want {
			n := 0
			for _, l := range lines {
				if l == w {
					n++
				}
			}
			if n != 1 {
				t.Errorf(".gitignore holds %q %d times, want once:\n%s", w, n, b)
			}
		}
	}
	t.Run("new", func(t *testing.T) {
		dir := t.TempDir()
		if _, _, err := createRedactor(dir, "", redact.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		check(t, dir)
		createRedactor(dir, "", redact.Options{}, nil) // again: nothing added twice
		check(t, dir)
	})
	t.Run("earlier release", func(t *testing.T) {
		dir := t.TempDir()
		createRedactor(dir, "", redact.Options{}, nil)
		os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(".redact-key\n"), 0o644)
		if _, _, err := createRedactor(dir, "", redact.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		check(t, dir)
	})
	t.Run("key restored", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "gone")
		restoreKey(filepath.Join(dir, keyName), make([]byte, 32), slog.New(slog.DiscardHandler))
		check(t, dir)
	})
	t.Run("the user's", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("*.tmp\n"), 0o644)
		createRedactor(dir, "", redact.Options{}, nil)
		// The key's line only, appended (see TestGitignoreKeepsKeyOut).
		if b, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(b) != "*.tmp\n"+keyName+"\n" {
			t.Errorf("the user's .gitignore = %q, want only the key's line appended", b)
		}
	})
}
