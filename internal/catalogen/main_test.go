package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCatalogIsCurrent regenerates the catalog from the reference extract
// and compares it with the committed files under schemas/.
func TestCatalogIsCurrent(t *testing.T) {
	ref := "../../../shared/reference/openapi"
	if _, err := os.Stat(filepath.Join(ref, "openapi-matrix.json")); err != nil {
		t.Skipf("reference extract not present at %s: %v", ref, err)
	}
	out := t.TempDir()
	if err := run(ref, out); err != nil {
		t.Fatal(err)
	}
	committed := "../../schemas"
	want, _ := filepath.Glob(filepath.Join(committed, "json", "*.json"))
	got, _ := filepath.Glob(filepath.Join(out, "json", "*.json"))
	if len(want) != len(got) {
		t.Errorf("schemas/json has %d files, a fresh generation %d: run make catalog", len(want), len(got))
	}
	for _, f := range append(got, filepath.Join(out, "catalog.json")) {
		rel, _ := filepath.Rel(out, f)
		a, err := os.ReadFile(filepath.Join(committed, rel))
		if err != nil {
			t.Errorf("%s: %v (run make catalog)", rel, err)
			continue
		}
		b, _ := os.ReadFile(f)
		if !bytes.Equal(a, b) {
			t.Errorf("schemas/%s is stale: run make catalog", rel)
		}
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
			got := mustJSON(t, convert(tc.in))
			if got != tc.want {
				t.Errorf("convert = %s, want %s", got, tc.want)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := jsonEncoder(&buf)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSpace(buf.Bytes()))
}
