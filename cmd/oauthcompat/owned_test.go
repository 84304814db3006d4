package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// TestWritersKeepWhatTheyDoNotOwn: fixtures --out and cassette export
// replace only the files they wrote before (a pack's are listed in its
// manifest.json; a WireMock export's mappings name the interaction they
// came from), keep every other file, and export refuses to write over
// the cassettes it reads.
func TestWritersKeepWhatTheyDoNotOwn(t *testing.T) {
	const example = "../../replay/testdata/ghes-3.8/example.yaml"
	t.Run("fixtures", func(t *testing.T) {
		out := t.TempDir()
		if code, _, stderr := runCmd(t, "fixtures", "--version", "3.8", "--out", out, "--format", "vcrpy,har"); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		pack := filepath.Join(out, "ghes-3.8")
		mine := []string{filepath.Join(pack, "NOTES.md"), filepath.Join(pack, "har", "mine.har"), filepath.Join(out, "other.txt")}
		for _, p := range mine {
			if err := os.WriteFile(p, []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if code, _, stderr := runCmd(t, "fixtures", "--version", "3.8", "--out", out, "--format", "vcrpy"); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, p := range mine {
			if b, err := os.ReadFile(p); err != nil || string(b) != "mine" {
				t.Errorf("%s, not the pack's, was not kept: %v", p, err)
			}
		}
		if _, err := os.Stat(filepath.Join(pack, "har", "apps.check-token.200.har")); err == nil {
			t.Error("the pack's HAR files, no longer asked for, were kept")
		}
		if _, err := os.Stat(filepath.Join(pack, "vcrpy", "apps.check-token.200.yaml")); err != nil {
			t.Error(err)
		}
	})
	t.Run("export over its input", func(t *testing.T) {
		dir := t.TempDir()
		in := cassettes.Path(dir, "ghes-3.8", "example")
		data, _ := os.ReadFile(example)
		os.MkdirAll(filepath.Dir(in), 0o755)
		os.WriteFile(in, data, 0o644)
		for _, args := range [][]string{
			{"cassette", "export", "--format", "vcrpy", "--out", dir, dir},
			{"cassette", "export", "--format", "vcrpy", "--out", in, in},
			{"cassette", "export", "--format", "har", "--out", in, in},
		} {
			code, _, stderr := runCmd(t, args...)
			if code != exitUsage || !strings.Contains(stderr, in) {
				t.Errorf("%v: exit %d, want 2 naming the input:\n%s", args, code, stderr)
			}
			if b, _ := os.ReadFile(in); !bytes.Equal(b, data) {
				t.Fatalf("%v overwrote its input", args)
			}
		}
	})
	t.Run("wiremock", func(t *testing.T) {
		dir, wm := t.TempDir(), filepath.Join(t.TempDir(), "wm")
		if code, _, stderr := runCmd(t, "cassette", "export", "--format", "wiremock", "--body-files", "--out", wm, example); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		mine := []string{filepath.Join(wm, "mappings", "mine.json"), filepath.Join(wm, "__files", "mine.json")}
		for _, p := range mine {
			os.WriteFile(p, []byte(`{"request":{"method":"GET","url":"/mine"},"response":{"status":200}}`), 0o644)
		}
		// A cassette of the first interaction only.
		c, err := cassettes.Load(example)
		if err != nil {
			t.Fatal(err)
		}
		c.Interactions = c.Interactions[:1]
		one := filepath.Join(dir, "one.yaml")
		if err := cassettes.WriteAtomic(one, c); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := runCmd(t, "cassette", "export", "--format", "wiremock", "--out", wm, one); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, p := range mine {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("a file the export did not write is gone: %v", err)
			}
		}
		var got []string
		for _, sub := range []string{"mappings", "__files"} {
			entries, _ := os.ReadDir(filepath.Join(wm, sub))
			for _, e := range entries {
				got = append(got, sub+"/"+e.Name())
			}
		}
		if len(got) != 3 || !strings.HasPrefix(got[0], "mappings/000-") {
			t.Errorf("after the second export: %v, want its one mapping and the user's two files", got)
		}
	})
}
