package schemas_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// refDir is the reference extract beside the repository. The catalog never
// reads it at run time; these tests compare the embedded catalog with it.
const refDir = "../../shared/reference/openapi"

type extract struct {
	Versions  map[string]string `json:"versions"`
	Snapshots map[string]struct {
		Operations []struct {
			Method      string   `json:"method"`
			Path        string   `json:"path"`
			OperationID string   `json:"operationId"`
			StatusCodes []string `json:"status_codes"`
			Responses   map[string]struct {
				Examples map[string]string `json:"examples"`
			} `json:"responses"`
		} `json:"operations"`
	} `json:"snapshots"`
	Examples map[string]json.RawMessage `json:"examples"`
}

type supplement struct {
	Operations []struct {
		Method      string   `json:"method"`
		Path        string   `json:"path"`
		StatusCodes []string `json:"status_codes"`
	} `json:"operations"`
}

func readRef(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, name))
	if os.IsNotExist(err) {
		t.Skipf("reference extract %s not present (expected at %s beside the repository); skipping the comparison", name, refDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// opSet renders "METHOD path: statuses" lines, sorted.
func catalogSet(v *schemas.Version) []string {
	var out []string
	for _, op := range v.Operations {
		var st []string
		for _, s := range op.Statuses() {
			st = append(st, itoa(s))
		}
		out = append(out, op.Key()+": "+strings.Join(st, " "))
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestCatalogMatchesExtract(t *testing.T) {
	var ex extract
	var sup supplement
	readRef(t, "openapi-matrix.json", &ex)
	readRef(t, "ghes-3.0-3.3-supplement.json", &sup)
	cat := schemas.Default()

	want := map[string][]string{}
	for name, key := range ex.Versions {
		for _, o := range ex.Snapshots[key].Operations {
			want[name] = append(want[name], o.Method+" "+o.Path+": "+strings.Join(o.StatusCodes, " "))
		}
	}
	for _, name := range []string{"ghes-3.0", "ghes-3.1", "ghes-3.2", "ghes-3.3"} {
		for _, o := range sup.Operations {
			want[name] = append(want[name], o.Method+" "+o.Path+": "+strings.Join(o.StatusCodes, " "))
		}
	}
	if got, wantN := len(cat.Versions()), len(want); got != wantN {
		t.Errorf("catalog has %d versions, extract %d", got, wantN)
	}
	for name, ops := range want {
		t.Run(name, func(t *testing.T) {
			v, err := cat.Version(name)
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(ops)
			if diff := cmp.Diff(ops, catalogSet(v)); diff != "" {
				t.Errorf("operations and statuses differ from the extract (-extract +catalog):\n%s", diff)
			}
		})
	}
}

// TestExamplesValidate checks every example body of every snapshot in the
// extract against the catalog schema of the same version, operation and
// status, and that mutated copies are rejected.
func TestExamplesValidate(t *testing.T) {
	var ex extract
	readRef(t, "openapi-matrix.json", &ex)
	cat := schemas.Default()
	checked := 0
	for name, key := range ex.Versions {
		snap := ex.Snapshots[key]
		v, err := cat.Version(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range snap.Operations {
			op, ok := v.Match(o.Method, o.Path)
			if !ok || op.Path != o.Path {
				// github.ae@10.0.0's scoped-token 501 stub is in no catalog version.
				continue
			}
			for status, r := range o.Responses {
				if _, documented := op.Response(atoi(status)); !documented {
					continue
				}
				for _, h := range r.Examples {
					body := ex.Examples[h]
					err := v.Validate(op.ID, atoi(status), body)
					if note, known := exampleDefect(v, op.ID, atoi(status)); known {
						// The description's own example contradicts its schema;
						// the catalog keeps the schema (see schemas/notes.go).
						if err == nil || !strings.Contains(err.Error(), note) {
							t.Errorf("%s %s %s: known example defect (%s) no longer reproduces: %v", v.Name, op.ID, status, note, err)
						}
						continue
					}
					if err != nil {
						t.Errorf("%s (%s) %s %s example %s: %v", v.Name, key, op.ID, status, h, err)
						continue
					}
					checked++
					mutants(t, cat, v, op, atoi(status), body)
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d examples checked; the extract holds more", checked)
	}
}

func atoi(s string) int {
	var n int
	json.Unmarshal([]byte(s), &n)
	return n
}

// mutants derives invalid bodies from a valid example using the schema:
// a required property removed, a property of the wrong type, and null
// where null is not allowed. Each must be rejected.
func mutants(t *testing.T, cat *schemas.Catalog, v *schemas.Version, op *schemas.Operation, status int, body json.RawMessage) {
	t.Helper()
	r, _ := op.Response(status)
	raw, err := cat.SchemaJSON(r.Schema)
	if err != nil {
		t.Fatal(err)
	}
	var sch map[string]any
	json.Unmarshal(raw, &sch)
	var doc any
	json.Unmarshal(body, &doc)
	obj, objSchema := doc, sch
	wrap := func(o map[string]any) any { return o }
	if arr, ok := doc.([]any); ok {
		if len(arr) == 0 {
			return
		}
		obj = arr[0]
		objSchema, _ = sch["items"].(map[string]any)
		wrap = func(o map[string]any) any { return []any{o} }
	}
	m, ok := obj.(map[string]any)
	if !ok || objSchema == nil {
		return
	}
	props, _ := objSchema["properties"].(map[string]any)
	reject := func(what string, o map[string]any) {
		b, _ := json.Marshal(wrap(o))
		if err := v.Validate(op.ID, status, b); err == nil {
			t.Errorf("%s %s %d: %s was accepted", v.Name, op.ID, status, what)
		}
	}
	req, _ := objSchema["required"].([]any)
	for _, name := range req {
		c := clone(m)
		delete(c, name.(string))
		reject("body without required "+name.(string), c)
	}
	for name, p := range props {
		ps, _ := p.(map[string]any)
		types := typesOf(ps)
		if len(types) == 0 {
			continue
		}
		if !types["null"] {
			c := clone(m)
			c[name] = nil
			reject("null "+name, c)
		}
		c := clone(m)
		if types["string"] {
			c[name] = 12345
		} else {
			c[name] = "wrong type"
		}
		reject("wrong-typed "+name, c)
	}
}

func typesOf(s map[string]any) map[string]bool {
	out := map[string]bool{}
	switch t := s["type"].(type) {
	case string:
		out[t] = true
	case []any:
		for _, e := range t {
			out[e.(string)] = true
		}
	}
	return out
}

func clone(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// exampleDefect reports the official examples that fail their own schema:
// from the 3.4-era descriptions on, list-authorizations' example omits
// expires_at, which the authorization schema requires.
func exampleDefect(v *schemas.Version, id string, status int) (string, bool) {
	for _, n := range v.Notes() {
		if n.Operation == id && n.Status == status && n.Kind == schemas.NoteExampleDefect {
			return n.Match, true
		}
	}
	return "", false
}
