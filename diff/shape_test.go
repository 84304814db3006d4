package diff

import (
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// shapeOf flattens doc, resolving $refs from files.
func shapeOf(t *testing.T, doc string, files map[string]string) shape {
	t.Helper()
	load := func(name string) ([]byte, error) {
		if name == "root" {
			return []byte(doc), nil
		}
		if f, ok := files[name]; ok {
			return []byte(f), nil
		}
		return nil, fmt.Errorf("no file %s", name)
	}
	s, err := schemaShape("root", load)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchemaShape(t *testing.T) {
	s := shapeOf(t, `{
		"anyOf": [{"allOf": [{"$ref": "obj.json"}]}, {"type": "null"}]
	}`, map[string]string{"obj.json": `{
		"type": "object",
		"required": ["id", "tags"],
		"properties": {
			"id": {"type": "integer", "format": "int64"},
			"note": {"type": ["string", "null"]},
			"tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
			"user": {"anyOf": [{"allOf": [{"type": "object", "properties": {"login": {"type": "string"}}}]}, {"type": "null"}]},
			"value": {"oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]}
		}
	}`})
	want := shape{
		"":            {Type: "object", Nullable: true, Required: true},
		"/id":         {Type: "integer", Format: "int64", Required: true},
		"/note":       {Type: "string", Nullable: true},
		"/tags":       {Type: "array", Required: true},
		"/tags/*":     {Type: "string", Required: true, Enum: map[string]bool{`"a"`: true, `"b"`: true}},
		"/user":       {Type: "object", Nullable: true},
		"/user/login": {Type: "string"},
		"/value":      {Type: "integer|string", Nullable: true},
	}
	if d := cmp.Diff(want, s); d != "" {
		t.Errorf("shape (-want +got):\n%s", d)
	}
}

func TestSchemaShapeBadRef(t *testing.T) {
	_, err := schemaShape("root", func(name string) ([]byte, error) {
		if name == "root" {
			return []byte(`{"properties": {"a": {"$ref": "missing.json"}}}`), nil
		}
		return nil, fmt.Errorf("no file %s", name)
	})
	if err == nil {
		t.Error("want an error for a $ref to a missing file")
	}
}

// rulesFor flattens two schemas and returns "rule pointer before→after"
// for each change.
func rulesFor(t *testing.T, before, after string, rs shapeRules) []string {
	t.Helper()
	b, a := shapeOf(t, before, nil), shapeOf(t, after, nil)
	var out []string
	for _, c := range shapeChanges(structural(b, a), b, a, rs) {
		out = append(out, fmt.Sprintf("%s %s %s→%s", c.Rule, c.Pointer, c.Before, c.After))
	}
	sort.Strings(out)
	return out
}

func TestShapeChanges(t *testing.T) {
	const base = `{"type": "object", "required": ["id"], "properties": {
		"id": {"type": "integer"},
		"name": {"type": "string"},
		"state": {"type": "string", "enum": ["open", "closed"]},
		"owner": {"type": "object", "properties": {"login": {"type": "string"}, "id": {"type": "integer"}}}
	}}`
	tests := []struct {
		name  string
		after string
		rules shapeRules
		want  []string
	}{
		{"identical", base, responseRules, nil},
		{"property added, nested ones folded", `{"type": "object", "required": ["id"], "properties": {
			"id": {"type": "integer"}, "name": {"type": "string"},
			"state": {"type": "string", "enum": ["open", "closed"]},
			"owner": {"type": "object", "properties": {"login": {"type": "string"}, "id": {"type": "integer"}}},
			"team": {"type": "object", "properties": {"slug": {"type": "string"}}}
		}}`, responseRules, []string{"response-property-added /team →object, optional"}},
		{"required removed and optional removed", `{"type": "object", "properties": {
			"state": {"type": "string", "enum": ["open", "closed"]},
			"owner": {"type": "object", "properties": {"login": {"type": "string"}, "id": {"type": "integer"}}}
		}}`, responseRules, []string{
			"response-optional-property-removed /name string, optional→",
			"response-property-removed /id integer, required→",
		}},
		{"type, nullable, format, enum", `{"type": "object", "required": ["id"], "properties": {
			"id": {"type": "string", "format": "uuid"},
			"name": {"type": ["string", "null"]},
			"state": {"type": "string", "enum": ["open", "closed", "draft"]},
			"owner": {"type": "object", "properties": {"login": {"type": "string"}, "id": {"type": "integer", "format": "int64"}}}
		}}`, responseRules, []string{
			"response-enum-value-added /state →\"draft\"",
			"response-property-became-nullable /name non-nullable→nullable",
			"response-property-format-added /id →uuid",
			"response-property-format-added /owner/id →int64",
			"response-property-type-changed /id integer→string",
		}},
		{"request: required added, enum value removed", `{"type": "object", "required": ["id", "name"], "properties": {
			"id": {"type": "integer"},
			"name": {"type": "string"},
			"state": {"type": "string", "enum": ["open"]},
			"owner": {"type": "object", "properties": {"login": {"type": "string"}, "id": {"type": "integer"}}},
			"token": {"type": "string"}
		}}`, requestRules, []string{
			"request-enum-value-removed /state \"closed\"→",
			"request-property-added /token →string, optional",
			"request-property-required-added /name optional→required",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, rulesFor(t, base, tc.after, tc.rules)); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
		})
	}
}

func TestValueShapeChanges(t *testing.T) {
	before := [][]byte{
		[]byte(`{"id": 1, "token": "gho_x", "user": {"login": "a"}, "scopes": ["repo"]}`),
		[]byte(`{"id": 2, "token": "gho_y", "user": {"login": "b"}, "scopes": []}`),
	}
	after := [][]byte{
		[]byte(`{"id": "1", "user": null, "scopes": ["repo"], "expires_at": null, "note": "x"}`),
		[]byte(`{"id": "2", "user": {"login": "b"}, "scopes": ["repo", "gist"], "expires_at": "2030-01-01T00:00:00Z"}`),
		[]byte(`not json`),
	}
	b, okb := valueShape(before)
	a, oka := valueShape(after)
	if !okb || !oka {
		t.Fatal("valueShape found no JSON")
	}
	var got []string
	for _, c := range shapeChanges(structural(b, a), b, a, observedRules) {
		got = append(got, c.Rule+" "+c.Pointer)
	}
	sort.Strings(got)
	want := []string{
		"observed-field-added /expires_at",
		"observed-field-added /note",
		"observed-field-became-null /user",
		"observed-field-removed /token",
		"observed-field-type-changed /id",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("observed changes (-want +got):\n%s", d)
	}
	if _, ok := valueShape([][]byte{[]byte(""), []byte("<html>")}); ok {
		t.Error("valueShape of no JSON: ok = true")
	}
}
