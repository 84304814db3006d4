package catalogen

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/schemas"
)

type example struct {
	method, path string
	status       int
	name         string
	body         json.RawMessage
}

// examples lists the response examples of d's OAuth operations.
func examples(t *testing.T, d *Description) []example {
	t.Helper()
	var out []example
	for _, ro := range d.ops {
		var o struct {
			Responses map[string]json.RawMessage `json:"responses"`
		}
		if err := json.Unmarshal(ro.body, &o); err != nil {
			t.Fatal(err)
		}
		for sc, raw := range o.Responses {
			st, err := strconv.Atoi(sc)
			if err != nil {
				continue
			}
			v, err := d.resolve(raw, ro.Method+" "+ro.Path)
			if err != nil {
				t.Fatal(err)
			}
			_, media := pickContent(v.(map[string]any))
			add := func(name string, body any) {
				b, _ := json.Marshal(body)
				out = append(out, example{ro.Method, ro.Path, st, name, b})
			}
			if ex, ok := media["example"]; ok {
				add("example", ex)
			}
			exs, _ := media["examples"].(map[string]any)
			for name, e := range exs {
				if m, ok := e.(map[string]any); ok {
					if val, ok := m["value"]; ok {
						add(name, val)
					}
				}
			}
		}
	}
	return out
}

// TestExamplesValidate checks every response example of every locked
// description against the catalog schema of the same version, operation
// and status, and that mutated copies are rejected.
func TestExamplesValidate(t *testing.T) {
	l := readLock(t)
	cat := schemas.Default()
	open := TrimmedOpener("sources", trimmedDir)
	checked := 0
	for _, lv := range l.Versions {
		if lv.Like != "" {
			continue
		}
		raw, err := open(lv)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		v, err := cat.Version(lv.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range examples(t, d) {
			op, ok := v.Match(ex.method, ex.path)
			if !ok || op.Path != ex.path {
				t.Errorf("%s: %s %s is not in the catalog", v.Name, ex.method, ex.path)
				continue
			}
			if _, documented := op.Response(ex.status); !documented {
				continue
			}
			err := v.Validate(op.ID, ex.status, ex.body)
			if note, known := exampleDefect(v, op.ID, ex.status); known {
				// The description's own example contradicts its schema;
				// the catalog keeps the schema (see schemas/notes.go).
				if err == nil || !strings.Contains(err.Error(), note) {
					t.Errorf("%s %s %d: known example defect (%s) no longer reproduces: %v", v.Name, op.ID, ex.status, note, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %s %d example %s: %v", v.Name, op.ID, ex.status, ex.name, err)
				continue
			}
			checked++
			mutants(t, cat, v, op, ex.status, ex.body)
		}
	}
	t.Logf("%d examples checked", checked)
	if checked < 100 {
		t.Errorf("only %d examples checked; the descriptions hold more", checked)
	}
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
