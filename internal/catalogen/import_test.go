package catalogen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func trimmed(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(trimmedDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestImportConvertsAsGenerate: an imported description gives the same
// operations and schema files as the built-in generation of it.
func TestImportConvertsAsGenerate(t *testing.T) {
	cat, b, err := Generate(readLock(t), TrimmedOpener("sources", trimmedDir))
	if err != nil {
		t.Fatal(err)
	}
	var want *Version
	for _, v := range cat.Versions {
		if v.Name == "ghes-3.19" {
			want = v
		}
	}
	var known []string
	for n := range b.Schemas() {
		known = append(known, n)
	}
	dir := t.TempDir()
	got, origin, err := Import(trimmed(t, "ghes-3.19"), dir, ImportOptions{Name: "ghes-3.20", File: "ghes-3.19.json", Now: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), Known: known})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Operations, got.Operations); diff != "" {
		t.Errorf("operations differ from the generated ghes-3.19 (-generated +imported):\n%s", diff)
	}
	if origin.Format != "bundled" || !origin.Imported || origin.Date != "2026-12-04T00:00:00Z" || len(origin.SHA256) != 64 {
		t.Errorf("origin = %+v", origin)
	}
	_, files, prov, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if !bytes.Equal(data, b.Schemas()[name]) {
			t.Errorf("json/%s differs from the generated schema of that name", name)
		}
	}
	if len(prov.Versions) != 1 || prov.Versions[0].Name != "ghes-3.20" {
		t.Errorf("provenance = %+v", prov)
	}
}

// TestImportIntoOverlay: importing into an overlay adds versions in
// catalog order, replaces one of the same name, and keeps only the schema
// files in use.
func TestImportIntoOverlay(t *testing.T) {
	dir := t.TempDir()
	for _, step := range []struct{ file, name string }{
		{"ghes-3.19", "ghes-3.21"},
		{"ghes-2.18", "ghes-3.20"},
		{"ghes-3.19", "ghes-3.20"}, // replaces the 2.18-shaped ghes-3.20
	} {
		if _, _, err := Import(trimmed(t, step.file), dir, ImportOptions{Name: step.name, File: step.file + ".json"}); err != nil {
			t.Fatal(err)
		}
	}
	cat, files, prov, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names, provNames []string
	for _, v := range cat.Versions {
		names = append(names, v.Name)
	}
	for _, o := range prov.Versions {
		provNames = append(provNames, o.Name)
	}
	if diff := cmp.Diff([]string{"ghes-3.20", "ghes-3.21"}, names); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if len(provNames) != 2 {
		t.Errorf("provenance names %v", provNames)
	}
	used, err := usedSchemas(cat, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(used) != len(files) {
		t.Errorf("%d schema files, %d in use: the replaced version's files were kept", len(files), len(used))
	}
	for name := range files {
		if strings.Contains(string(files[name]), "\"status\"") == false && strings.HasPrefix(name, "basic-error") {
			t.Errorf("json/%s is ghes-2.18's basic error, which no version of the overlay uses", name)
		}
	}
}

// TestImportName: without a name, the version is the one the description
// documents; a name is required when it documents none.
func TestImportName(t *testing.T) {
	v, _, err := Import(trimmed(t, "ghes-3.10"), t.TempDir(), ImportOptions{File: "x.json"})
	if err != nil || v.Name != "ghes-3.10" {
		t.Errorf("name = %v, %v; want ghes-3.10 (not 3.1, which x-github-release reads as)", v, err)
	}
	var doc map[string]any
	json.Unmarshal(trimmed(t, "api.github.com"), &doc)
	doc["servers"] = []any{}
	delete(doc["info"].(map[string]any), "x-github-plan")
	for _, item := range doc["paths"].(map[string]any) {
		for _, op := range item.(map[string]any) {
			delete(op.(map[string]any), "externalDocs")
		}
	}
	b, _ := json.Marshal(doc)
	if _, _, err := Import(b, t.TempDir(), ImportOptions{File: "x.json"}); err == nil || !strings.Contains(err.Error(), "pass --name") {
		t.Errorf("err = %v, want a request for --name", err)
	}
}

// bigDescription pads a real description with non-OAuth paths and
// components to about size bytes, as GitHub's full descriptions are.
func bigDescription(tb testing.TB, size int) []byte {
	var doc map[string]any
	if err := json.Unmarshal(trimmed(tb, "ghes-3.19"), &doc); err != nil {
		tb.Fatal(err)
	}
	paths := doc["paths"].(map[string]any)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	filler := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 20)
	for i := 0; ; i++ {
		b, _ := json.Marshal(doc)
		if len(b) >= size {
			return b
		}
		for j := 0; j < 200; j++ {
			n := fmt.Sprintf("%d-%d", i, j)
			schemas["filler-"+n] = map[string]any{"type": "object", "description": filler, "properties": map[string]any{"id": map[string]any{"type": "integer"}, "name": map[string]any{"type": "string", "description": filler}}}
			paths["/repos/{owner}/{repo}/filler/"+n] = map[string]any{"get": map[string]any{
				"operationId": "filler/" + n, "description": filler,
				"responses": map[string]any{"200": map[string]any{"description": "Response", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/filler-" + n}}}}},
			}}
		}
	}
}

// BenchmarkImport converts a 15 MB description (a real one padded to the
// size of GitHub's full descriptions): parse, resolve and convert, without
// writing.
func BenchmarkImport(b *testing.B) {
	raw := bigDescription(b, 15<<20)
	benchmarkConvert(b, raw)
}

// benchmarkConvert parses and converts raw b.N times.
func benchmarkConvert(b *testing.B, raw []byte) {
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewBuilder().Version("ghes-3.20", d, "bench", true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportReal converts GitHub's real ghes-3.19 description from
// the cache make catalog-sources fills.
func BenchmarkImportReal(b *testing.B) {
	l := readLock(b)
	var raw []byte
	for _, v := range l.Versions {
		if v.Name == "ghes-3.19" {
			var err error
			if raw, err = CacheOpener("sources", cacheDir)(v); err != nil {
				b.Skipf("the real description is not in %s (run make catalog-sources): %v", cacheDir, err)
			}
		}
	}
	benchmarkConvert(b, raw)
}

// FuzzParse: no input makes Parse or the conversion panic, and a
// description that parses converts or fails with an error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"openapi":"3.0.3","info":{"x-github-plan":"ghes","x-github-release":3.20},"paths":{"/applications/{client_id}/token":{"parameters":[{"$ref":"#/components/parameters/client-id"}],"post":{"operationId":"apps/check-token","externalDocs":{"url":"https://docs.github.com/enterprise-server@3.20/rest/apps"},"requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","properties":{"access_token":{"type":"string"},"scopes":{"type":"array","items":{"type":"string"},"nullable":true}},"required":["access_token"]}}}},"responses":{"200":{"description":"Response","content":{"application/json":{"schema":{"$ref":"#/components/schemas/authorization"}}}},"422":{"$ref":"#/components/responses/validation_failed"}}}}},"components":{"parameters":{"client-id":{"name":"client_id","in":"path","required":true,"schema":{"type":"string"}}},"schemas":{"authorization":{"title":"Authorization","type":"object","properties":{"id":{"type":"integer"},"user":{"nullable":true,"allOf":[{"$ref":"#/components/schemas/simple-user"}]}},"required":["id"]},"simple-user":{"title":"Simple User","type":"object","properties":{"login":{"type":"string","example":"octocat"}}}},"responses":{"validation_failed":{"description":"Validation failed","content":{"application/json":{"schema":{"type":"object","properties":{"message":{"type":"string"}}}}}}}}}`))
	f.Add([]byte(`{"openapi":"3.0.3","paths":{"/applications/{client_id}/token":{"post":{"operationId":"a/b","responses":{"200":{"$ref":"#/components/responses/x"}}}}},"components":{"responses":{"x":{"$ref":"#/components/responses/x"}}}}`))
	f.Add([]byte(`{"openapi":"3.1.0","paths":{"/authorizations":{"get":{"operationId":"a","parameters":[{"$ref":"#/components/parameters/p~1q"}],"responses":{"200":{"description":"","content":{"text/plain":{"schema":{"nullable":true,"properties":[]}}}}}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		NewBuilder().Version("fuzz", d, "fuzz", true)
	})
}
