package reference

import (
	"encoding/json"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// fields says which of the members that differ between versions a route
// renders: exactly those its version's response schema lists, so GHES 2.x
// answers carry no expires_at, installation or user_view_type, as real
// servers of that time did not (docs/fidelity.md, "Fields newer than the
// version"). The zero value renders none of them; allFields renders all.
type fields uint16

// The members a version's schema may or may not list.
const (
	fExpiresAt fields = 1 << iota
	fInstallation
	fUser
	fHashedToken
	fTokenLastEight
	fFingerprint
	fUserViewType
	fNodeID
)

// allFields is the shape used where no schema says otherwise.
const allFields = fExpiresAt | fInstallation | fUser | fHashedToken | fTokenLastEight | fFingerprint | fUserViewType | fNodeID

// optionalMembers maps each member to the object it belongs to ("" for the
// top level, "user" for the user object) and its bit.
var optionalMembers = []struct {
	in, name string
	bit      fields
}{
	{"", "expires_at", fExpiresAt},
	{"", "installation", fInstallation},
	{"", "user", fUser},
	{"", "hashed_token", fHashedToken},
	{"", "token_last_eight", fTokenLastEight},
	{"", "fingerprint", fFingerprint},
	{"user", "user_view_type", fUserViewType},
	{"user", "node_id", fNodeID},
}

// shapeOf derives the fields of op's success bodies from v's schemas
// (those of v's catalog: an imported version's own): a member is rendered
// when the schema of every 2xx response that has one lists it. Without a
// readable schema every member is rendered.
func shapeOf(v *schemas.Version, op *schemas.Operation) fields {
	cat := catalogOf(v)
	f := allFields
	seen := false
	for _, r := range op.Responses {
		if r.Status < 200 || r.Status > 299 || r.Schema == "" {
			continue
		}
		top, ok := propertiesOf(cat, r.Schema)
		if !ok {
			return allFields
		}
		seen = true
		user := map[string]any{}
		if u, ok := top["user"]; ok {
			user, _ = resolveProperties(cat, u)
		}
		for _, m := range optionalMembers {
			in := top
			if m.in == "user" {
				in = user
			}
			if _, ok := in[m.name]; !ok {
				f &^= m.bit
			}
		}
	}
	if !seen {
		return allFields
	}
	return f
}

// statuslessOf lists the error statuses of op whose documented body
// schema does not list "status": their bodies leave it out, as the rest of
// the answer follows the version's schema (docs/fidelity.md, "Fields newer
// than the version"). The 422 of api.github.com and GHEC keeps it, since
// users' real output shows "status":"422" there although no description
// lists it (docs/fidelity.md, "422 bodies").
func statuslessOf(v *schemas.Version, op *schemas.Operation) []int {
	cat := catalogOf(v)
	var out []int
	for _, r := range op.Responses {
		if r.Status < 400 || r.Schema == "" {
			continue
		}
		if r.Status == 422 && (v.Kind() == schemas.KindDotcom || v.Kind() == schemas.KindGHEC) {
			continue
		}
		if props, ok := propertiesOf(cat, r.Schema); ok {
			if _, has := props["status"]; !has {
				out = append(out, r.Status)
			}
		}
	}
	return out
}

// propertiesOf reads the properties of the object a schema file describes
// (of its items, for an array).
func propertiesOf(cat *schemas.Catalog, name string) (map[string]any, bool) {
	b, err := cat.SchemaJSON(name)
	if err != nil {
		return nil, false
	}
	var doc any
	if json.Unmarshal(b, &doc) != nil {
		return nil, false
	}
	return resolveProperties(cat, doc)
}

// resolveProperties collects the properties of a schema, following $ref
// (to another schema file), items, and the members of allOf, anyOf and
// oneOf.
func resolveProperties(cat *schemas.Catalog, s any) (map[string]any, bool) {
	m, ok := s.(map[string]any)
	if !ok {
		return nil, false
	}
	if ref, ok := m["$ref"].(string); ok {
		return propertiesOf(cat, ref)
	}
	if items, ok := m["items"]; ok {
		return resolveProperties(cat, items)
	}
	out := map[string]any{}
	found := false
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := m[k].([]any)
		for _, x := range list {
			if p, ok := resolveProperties(cat, x); ok {
				found = true
				for name, v := range p {
					if _, dup := out[name]; !dup {
						out[name] = v
					}
				}
			}
		}
	}
	if props, ok := m["properties"].(map[string]any); ok {
		found = true
		for name, v := range props {
			out[name] = v
		}
	}
	return out, found
}

// catalogOf is the catalog v comes from, the built-in one for a version
// made outside any catalog.
func catalogOf(v *schemas.Version) *schemas.Catalog {
	if cat := v.Catalog(); cat != nil {
		return cat
	}
	return schemas.Default()
}
