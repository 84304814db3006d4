package catalogen

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	lockFile   = "sources/lock.json"
	trimmedDir = "testdata/trimmed"
	cacheDir   = "../../.cache/catalog-sources"
	schemasDir = "../../schemas"
)

func readLock(t testing.TB) *Lock {
	t.Helper()
	l, err := ReadLock(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// generateTo generates the catalog with open into a fresh directory.
func generateTo(t testing.TB, open Opener) string {
	t.Helper()
	l := readLock(t)
	cat, b, err := Generate(l, open)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := WriteDir(out, cat, b.Schemas(), LockProvenance(l)); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameDirs reports every file that differs between two catalog directories.
func sameDirs(t *testing.T, want, got, hint string) {
	t.Helper()
	list := func(dir string) []string {
		var out []string
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
				rel, _ := filepath.Rel(dir, p)
				out = append(out, rel)
			}
			return nil
		})
		sort.Strings(out)
		return out
	}
	w, g := list(want), list(got)
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("files differ (-%s +generated): %s\n%s", want, hint, diff)
	}
	for _, rel := range g {
		a, err := os.ReadFile(filepath.Join(want, rel))
		if err != nil {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(got, rel))
		if !bytes.Equal(a, b) {
			t.Errorf("%s is not what the generator makes: %s", filepath.Join(want, rel), hint)
		}
	}
}

// TestCatalogIsCurrent generates the catalog from the committed, trimmed
// copies of the locked descriptions and compares it with schemas/, byte
// for byte.
func TestCatalogIsCurrent(t *testing.T) {
	out := generateTo(t, TrimmedOpener("sources", trimmedDir))
	sameDirs(t, schemasDir, out, "run make catalog")
}

// TestTrimmedEqualsFull checks, when make catalog-sources has filled the
// cache, that the trimmed copies are what the trimming makes of the locked
// files and that both generate the same catalog.
func TestTrimmedEqualsFull(t *testing.T) {
	if _, err := os.Stat(cacheDir); err != nil {
		t.Skipf("the downloaded descriptions are not in %s (run make catalog-sources): %v", cacheDir, err)
	}
	if raceEnabled {
		t.Skip("scanning 300 MB of descriptions under the race detector takes minutes; run go test ./internal/catalogen without -race")
	}
	l := readLock(t)
	open := CacheOpener("sources", cacheDir)
	for _, v := range l.Versions {
		if v.Package == "" {
			continue
		}
		raw, err := open(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Trim(raw, v.Package+" "+v.Path+" sha256:"+v.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(trimmedDir, v.Name+".json"))
		if err != nil || !bytes.Equal(want, got) {
			t.Errorf("%s: the trimmed copy is stale: run make catalog-testdata", v.Name)
		}
	}
	sameDirs(t, generateTo(t, TrimmedOpener("sources", trimmedDir)), generateTo(t, open), "trimmed and full descriptions disagree")
}

// TestLockedFilesVerified: a committed source whose bytes differ from the
// lock is refused, naming both hashes.
func TestLockedFilesVerified(t *testing.T) {
	dir := t.TempDir()
	l := readLock(t)
	var v *LockVersion
	for _, x := range l.Versions {
		if x.File != "" {
			v = x
			break
		}
	}
	b, err := os.ReadFile(filepath.Join("sources", v.File))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, filepath.FromSlash(v.File))
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, append(b, ' '), 0o644)
	_, err = CacheOpener(dir, "")(v)
	if !errors.Is(err, ErrHashMismatch) || !strings.Contains(err.Error(), v.SHA256) {
		t.Errorf("a changed committed source: err = %v, want ErrHashMismatch naming the locked hash", err)
	}
}

// TestNames: the version each description documents is read from it.
func TestNames(t *testing.T) {
	l := readLock(t)
	for _, v := range l.Versions {
		if v.Like != "" {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			raw, err := TrimmedOpener("sources", trimmedDir)(v)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != v.Name {
				t.Errorf("Name = %q, want %q", d.Name, v.Name)
			}
		})
	}
}

func TestConvertNullable(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   map[string]any
		want string
	}{
		{"typed", map[string]any{"type": "string", "nullable": true}, `{"type":["string","null"]}`},
		{"enum", map[string]any{"type": "string", "enum": []any{"a"}, "nullable": true}, `{"enum":["a",null],"type":["string","null"]}`},
		{"untyped", map[string]any{"allOf": []any{map[string]any{"type": "object"}}, "nullable": true}, `{"anyOf":[{"allOf":[{"type":"object"}]},{"type":"null"}]}`},
		{"not nullable", map[string]any{"type": "integer", "example": 1, "x-github": true}, `{"type":"integer"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(convert(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("convert = %s, want %s", b, tc.want)
			}
		})
	}
}

func TestTypeName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{`{"type":"string"}`, "string"},
		{`{"type":"array","items":{"type":"integer"}}`, "array<integer>"},
		{`{"type":"array","items":{"type":"string"},"nullable":true}`, "array<string>|null"},
		{`{"title":"App Permissions","type":"object"}`, "object"},
	} {
		var m map[string]any
		json.Unmarshal([]byte(tc.in), &m)
		if got := typeName(m); got != tc.want {
			t.Errorf("typeName(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
