package schemas_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// writeOverlay writes an overlay holding a copy of base's version called
// name, its schema files copied from the embedded catalog, plus extra
// files.
func writeOverlay(t *testing.T, base, name string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	v, err := schemas.Default().Version(base)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(v)
	var copyOf map[string]any
	json.Unmarshal(raw, &copyOf)
	copyOf["name"] = name
	copyOf["source"] = "imported from test.json"
	cat, _ := json.Marshal(map[string]any{"versions": []any{copyOf}})
	os.MkdirAll(filepath.Join(dir, "json"), 0o755)
	os.WriteFile(filepath.Join(dir, "catalog.json"), cat, 0o644)
	prov, _ := json.Marshal(map[string]any{"date": "2026-12-04", "versions": []any{map[string]any{"name": name, "imported": true, "file": "/tmp/test.json", "sha256": "ab", "format": "bundled"}}})
	os.WriteFile(filepath.Join(dir, "provenance.json"), prov, 0o644)
	for _, op := range v.Operations {
		for _, r := range op.Responses {
			if r.Schema != "" {
				b, _ := schemas.Default().SchemaJSON(r.Schema)
				os.WriteFile(filepath.Join(dir, "json", r.Schema), b, 0o644)
			}
		}
	}
	for n, body := range extra {
		os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644)
	}
	return dir
}

func TestLoadOverlay(t *testing.T) {
	dir := writeOverlay(t, "ghes-3.19", "ghes-3.20", nil)
	cat, err := schemas.LoadOverlay(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := cat.Version("GHES 3.20.1")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Imported() || v.Origin() == nil || v.Origin().File != "/tmp/test.json" {
		t.Errorf("ghes-3.20: imported %v origin %+v", v.Imported(), v.Origin())
	}
	if v.Catalog() != cat {
		t.Error("the version's catalog is not the overlay catalog")
	}
	v319, _ := cat.Version("3.19")
	ae, _ := cat.Version("ae")
	if !v319.Before(v) || !v.Before(ae) {
		t.Errorf("order: %v", cat.Names())
	}
	if v319.Imported() {
		t.Error("ghes-3.19 marked imported")
	}
	valid := `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`
	if err := v.Validate("apps/check-token", 404, []byte(valid)); err != nil {
		t.Errorf("an imported version validates with the shared schemas: %v", err)
	}
	if err := v.Validate("apps/check-token", 404, []byte(`{"message":5}`)); err == nil {
		t.Error("an invalid body passed")
	}
	if got := cat.Provenance(); got.Overlay != dir || len(got.Imported) != 1 || got.Imported[0].Name != "ghes-3.20" {
		t.Errorf("Provenance = %+v", got)
	}
	// The embedded catalog is unaffected.
	if _, err := schemas.Default().Version("ghes-3.20"); !errors.Is(err, schemas.ErrUnknownVersion) {
		t.Errorf("Default knows ghes-3.20: %v", err)
	}
}

func TestLoadOverlayReplacesBuiltIn(t *testing.T) {
	cat, err := schemas.LoadOverlay(writeOverlay(t, "ghes-3.18", "ghes-3.19", nil))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := cat.Version("3.19")
	if !v.Imported() || len(cat.Versions()) != len(schemas.Default().Versions()) {
		t.Errorf("ghes-3.19 imported %v, %d versions", v.Imported(), len(cat.Versions()))
	}
}

func TestLoadOverlayErrors(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		dir  string
		is   error
		want string
	}{
		{"missing", filepath.Join(empty, "nope"), os.ErrNotExist, "no such file"},
		{"no catalog.json", empty, schemas.ErrNoOverlay, "catalog import"},
		{"no versions", writeOverlay(t, "3.19", "ghes-3.20", map[string]string{"catalog.json": `{"versions":[]}`}), schemas.ErrNoOverlay, "lists no version"},
		{"schema differs", writeOverlay(t, "3.19", "ghes-3.20", map[string]string{"json/basic-error-4c691567d0.json": `{"type":"object"}`}), nil, "differs from the built-in schema"},
		{"schema missing", writeOverlay(t, "3.19", "ghes-3.20", map[string]string{"catalog.json": `{"versions":[{"name":"ghes-3.20","operations":[{"id":"a/b","method":"GET","path":"/applications/x","responses":[{"status":200,"schema":"nope-0000000000.json"}]}]}]}`}), nil, "nope-0000000000.json missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := schemas.LoadOverlay(tc.dir)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %v containing %q", err, tc.is, tc.want)
			}
		})
	}
}

func TestProvenance(t *testing.T) {
	p := schemas.Default().Provenance()
	for _, want := range []string{"@octokit/openapi@2.2.1", "@octokit/openapi@23.0.2", "github/rest-api-description"} {
		if !strings.Contains(p.Source, want) {
			t.Errorf("Source %q lacks %s", p.Source, want)
		}
	}
	if p.Date == "" || p.Overlay != "" || len(p.Imported) != 0 {
		t.Errorf("Provenance = %+v", p)
	}
	for _, v := range schemas.Default().Versions() {
		o := v.Origin()
		if o == nil || o.String() == "" {
			t.Errorf("%s has no origin", v.Name)
			continue
		}
		if v.Verified != (o.Like == "") {
			t.Errorf("%s: verified %v but origin %s", v.Name, v.Verified, o)
		}
	}
}
