package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// node is what a schema (or a set of observed JSON values) says about one
// location in a body. Every field is comparable by go-cmp as it is.
type node struct {
	Type     string          // non-null JSON types joined with "|", sorted; "" is any
	Format   string          // the JSON Schema format annotation
	Nullable bool            // null is allowed (schemas) or was seen (observations)
	Required bool            // the parent object lists it as required; the root always is
	Enum     map[string]bool // allowed values as compact JSON; nil when unconstrained
}

// shape flattens a body description into its locations, keyed by JSON
// pointer: "" is the body itself, "/app/client_id" a nested property and
// "/*" every element of an array. A nil shape means "no body".
type shape map[string]node

// schemaShape flattens the JSON Schema document called name. allOf
// branches merge, anyOf and oneOf branches unite, and a {"type": "null"}
// branch or a "null" in type makes the location nullable: the two ways JSON
// Schema 2020-12 says what OpenAPI 3.0 wrote as nullable: true. A "$ref"
// names another document (the catalog hoists shared subschemas into their
// own files) and is read with load.
func schemaShape(name string, load func(name string) ([]byte, error)) (shape, error) {
	r := &resolver{load: load, docs: map[string]map[string]any{}}
	root, err := r.doc(name)
	if err != nil {
		return nil, err
	}
	s := shape{}
	s.addSchema(r, "", []map[string]any{root}, true)
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// resolver reads and decodes the documents a schema refers to.
type resolver struct {
	load  func(name string) ([]byte, error)
	docs  map[string]map[string]any
	depth int
	err   error // the first failure; flattening goes on without the target
}

func (r *resolver) doc(name string) (map[string]any, error) {
	if d, ok := r.docs[name]; ok {
		return d, nil
	}
	if strings.Contains(name, "#") {
		return nil, fmt.Errorf("schema %s: $ref with a fragment is not supported", name)
	}
	raw, err := r.load(name)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var d map[string]any
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("decode schema %s: %w", name, err)
	}
	r.docs[name] = d
	return d, nil
}

// merged is one location's schemas folded together.
type merged struct {
	types    map[string]bool
	nullable bool
	format   string
	enum     map[string]bool
	props    map[string][]map[string]any
	required map[string]bool
	items    []map[string]any
}

func (m *merged) fold(r *resolver, sch map[string]any) {
	if ref, ok := sch["$ref"].(string); ok {
		if r.depth > 64 {
			r.fail(fmt.Errorf("schema $ref %s: references nest too deep", ref))
		} else if target, err := r.doc(ref); err != nil {
			r.fail(err)
		} else {
			r.depth++
			m.fold(r, target)
			r.depth--
		}
	}
	switch t := sch["type"].(type) {
	case string:
		m.addType(t)
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				m.addType(s)
			}
		}
	}
	if b, ok := sch["nullable"].(bool); ok && b {
		m.nullable = true
	}
	if f, ok := sch["format"].(string); ok {
		m.format = f
	}
	if e, ok := sch["enum"].([]any); ok {
		if m.enum == nil {
			m.enum = map[string]bool{}
		}
		for _, v := range e {
			if v == nil {
				m.nullable = true
				continue
			}
			b, _ := json.Marshal(v)
			m.enum[string(b)] = true
		}
	}
	if p, ok := sch["properties"].(map[string]any); ok {
		m.addType("object")
		for name, sub := range p {
			if subm, ok := sub.(map[string]any); ok {
				m.props[name] = append(m.props[name], subm)
			}
		}
	}
	if r, ok := sch["required"].([]any); ok {
		for _, n := range r {
			if s, ok := n.(string); ok {
				m.required[s] = true
			}
		}
	}
	if it, ok := sch["items"].(map[string]any); ok {
		m.addType("array")
		m.items = append(m.items, it)
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		branches, _ := sch[key].([]any)
		for _, b := range branches {
			if bm, ok := b.(map[string]any); ok {
				m.fold(r, bm)
			}
		}
	}
}

func (m *merged) addType(t string) {
	if t == "null" {
		m.nullable = true
		return
	}
	m.types[t] = true
}

func (r *resolver) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (s shape) addSchema(r *resolver, ptr string, schemas []map[string]any, required bool) {
	m := merged{types: map[string]bool{}, props: map[string][]map[string]any{}, required: map[string]bool{}}
	for _, sch := range schemas {
		m.fold(r, sch)
	}
	s[ptr] = node{Type: joinSet(m.types), Format: m.format, Nullable: m.nullable, Required: required, Enum: m.enum}
	for name, subs := range m.props {
		s.addSchema(r, ptr+"/"+escapePointer(name), subs, m.required[name])
	}
	if len(m.items) > 0 {
		s.addSchema(r, ptr+"/*", m.items, true)
	}
}

// valueShape flattens observed JSON bodies (of one operation and status)
// into the shape they show: the types seen at each location, whether null
// was seen, and whether a property was present in every object that could
// hold it. Array elements merge under "/*". Bodies that are not JSON are
// skipped; ok is false when none was JSON.
func valueShape(bodies [][]byte) (s shape, ok bool) {
	type acc struct {
		types    map[string]bool
		nullable bool
		seen     int // times present
	}
	accs := map[string]*acc{}
	get := func(ptr string) *acc {
		a := accs[ptr]
		if a == nil {
			a = &acc{types: map[string]bool{}}
			accs[ptr] = a
		}
		return a
	}
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		a := get(ptr)
		a.seen++
		switch t := v.(type) {
		case nil:
			a.nullable = true
		case map[string]any:
			a.types["object"] = true
			for k, sub := range t {
				walk(ptr+"/"+escapePointer(k), sub)
			}
		case []any:
			a.types["array"] = true
			for _, e := range t {
				walk(ptr+"/*", e)
			}
		case string:
			a.types["string"] = true
		case bool:
			a.types["boolean"] = true
		case json.Number:
			if strings.ContainsAny(t.String(), ".eE") {
				a.types["number"] = true
			} else {
				a.types["integer"] = true
			}
		}
	}
	for _, b := range bodies {
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			continue
		}
		ok = true
		walk("", v)
	}
	if !ok {
		return nil, false
	}
	// A property is "required" (always present) when it was present as
	// often as its parent was an object. Array elements are always present.
	objects := map[string]int{}
	var countObjects func(ptr string, v any)
	countObjects = func(ptr string, v any) {
		switch t := v.(type) {
		case map[string]any:
			objects[ptr]++
			for k, sub := range t {
				countObjects(ptr+"/"+escapePointer(k), sub)
			}
		case []any:
			for _, e := range t {
				countObjects(ptr+"/*", e)
			}
		}
	}
	for _, b := range bodies {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			countObjects("", v)
		}
	}
	s = shape{}
	for ptr, a := range accs {
		req := true
		if parent, last := splitPointer(ptr); ptr != "" && last != "*" {
			req = a.seen >= objects[parent]
		}
		s[ptr] = node{Type: joinSet(a.types), Nullable: a.nullable, Required: req}
	}
	return s, true
}

func joinSet(m map[string]bool) string {
	if len(m) == 0 {
		return ""
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, "|")
}

// escapePointer escapes a property name for a JSON pointer (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// splitPointer returns the parent pointer and the last token of ptr.
func splitPointer(ptr string) (parent, last string) {
	i := strings.LastIndexByte(ptr, '/')
	if i < 0 {
		return "", ptr
	}
	return ptr[:i], ptr[i+1:]
}

// hasAncestor reports whether any proper ancestor of ptr is in set.
func hasAncestor(ptr string, set map[string]bool) bool {
	for ptr != "" {
		ptr, _ = splitPointer(ptr)
		if set[ptr] {
			return true
		}
	}
	return false
}
