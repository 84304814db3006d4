package catalogen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The output shapes: kept in step with package schemas by hand (the
// generator must not depend on the package it generates data for; a test
// loads what it writes with schemas).

// Field is one property of a request body.
type Field struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
}

// Param is a path or query parameter.
type Param struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Type     string `json:"type,omitempty"`
	Required bool   `json:"required,omitempty"`
}

// RequestBody is an operation's JSON request body.
type RequestBody struct {
	Required bool    `json:"required,omitempty"`
	Fields   []Field `json:"fields"`
	Schema   string  `json:"schema,omitempty"`
}

// Response is one documented status.
type Response struct {
	Status      int    `json:"status"`
	Description string `json:"description,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Schema      string `json:"schema,omitempty"`
}

// Operation is one documented endpoint.
type Operation struct {
	ID              string       `json:"id"`
	Method          string       `json:"method"`
	Path            string       `json:"path"`
	Summary         string       `json:"summary,omitempty"`
	Family          string       `json:"family"`
	Category        string       `json:"category,omitempty"`
	Deprecated      bool         `json:"deprecated,omitempty"`
	DeprecationDate string       `json:"deprecation_date,omitempty"`
	RemovalDate     string       `json:"removal_date,omitempty"`
	Params          []Param      `json:"params,omitempty"`
	Request         *RequestBody `json:"request,omitempty"`
	Responses       []Response   `json:"responses"`
}

// Version is one version of the catalog.
type Version struct {
	Name       string       `json:"name"`
	Source     string       `json:"source"`
	Verified   bool         `json:"verified"`
	Operations []*Operation `json:"operations"`
}

// Catalog is what catalog.json holds.
type Catalog struct {
	Note     string     `json:"note"`
	Versions []*Version `json:"versions"`
}

// Builder turns descriptions into catalog versions and keeps each distinct
// JSON Schema once, named by its title and content hash, however many
// operations and versions share it. The zero value is not ready: use
// [NewBuilder].
type Builder struct {
	files map[string]string // content hash -> file name
	data  map[string][]byte // file name -> JSON Schema document
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{files: map[string]string{}, data: map[string][]byte{}}
}

// name registers an existing schema file name ("authorization-9e52df88c7.json"),
// so that the same schema, stored again, gets that name.
func (b *Builder) name(file string) {
	base := strings.TrimSuffix(file, ".json")
	if i := strings.LastIndexByte(base, '-'); i >= 0 && len(base)-i-1 == 10 {
		if _, ok := b.files[base[i+1:]]; !ok {
			b.files[base[i+1:]] = file
		}
	}
}

// Schemas returns the JSON Schema files built so far, by file name.
func (b *Builder) Schemas() map[string][]byte { return b.data }

// Version converts the OAuth operations of d into a catalog version called
// name, with source and verified as given. Operations are sorted by path,
// then in OpenAPI's method order.
func (b *Builder) Version(name string, d *Description, source string, verified bool) (*Version, error) {
	v := &Version{Name: name, Source: source, Verified: verified}
	seen := map[string]string{}
	for _, ro := range d.ops {
		op, err := b.operation(d, ro)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[op.ID]; dup {
			return nil, fmt.Errorf("%w: operationId %s is used by both %s and %s", ErrNotDescription, op.ID, prev, op.Method+" "+op.Path)
		}
		seen[op.ID] = op.Method + " " + op.Path
		v.Operations = append(v.Operations, op)
	}
	return v, nil
}

// Family names how an operation carries the token, from its path alone.
func Family(path string) string {
	switch {
	case strings.Contains(path, "{access_token}"):
		return "legacy-path-token"
	case strings.HasPrefix(path, "/authorizations") || strings.HasPrefix(path, "/applications/grants"):
		return "authorizations-api"
	case strings.HasSuffix(path, "/token/scoped"):
		return "scoped-token"
	}
	return "token-in-body"
}

type opJSON struct {
	OperationID string `json:"operationId"`
	Summary     string `json:"summary"`
	Deprecated  bool   `json:"deprecated"`
	XGitHub     struct {
		Category        string `json:"category"`
		Subcategory     string `json:"subcategory"`
		DeprecationDate string `json:"deprecationDate"`
		RemovalDate     string `json:"removalDate"`
	} `json:"x-github"`
	Parameters  []json.RawMessage          `json:"parameters"`
	RequestBody json.RawMessage            `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

func (b *Builder) operation(d *Description, ro *rawOp) (*Operation, error) {
	key := ro.Method + " " + ro.Path
	var o opJSON
	if err := json.Unmarshal(ro.body, &o); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotDescription, key, err)
	}
	if o.OperationID == "" {
		return nil, fmt.Errorf("%w: %s has no operationId", ErrNotDescription, key)
	}
	if len(o.Responses) == 0 {
		return nil, fmt.Errorf("%w: %s (%s) documents no responses", ErrNotDescription, key, o.OperationID)
	}
	op := &Operation{
		ID: o.OperationID, Method: ro.Method, Path: ro.Path, Summary: o.Summary,
		Family: Family(ro.Path), Category: o.XGitHub.Category,
		Deprecated: o.Deprecated, DeprecationDate: o.XGitHub.DeprecationDate, RemovalDate: o.XGitHub.RemovalDate,
	}
	if o.XGitHub.Subcategory != "" {
		op.Category = o.XGitHub.Subcategory
	}
	params, err := b.params(d, key, o.Parameters, ro.pathParams)
	if err != nil {
		return nil, err
	}
	op.Params = params
	if len(o.RequestBody) > 0 && string(o.RequestBody) != "null" {
		if op.Request, err = b.request(d, key, o.OperationID, o.RequestBody); err != nil {
			return nil, err
		}
	}
	var statuses []int
	raws := map[int]json.RawMessage{}
	for sc, raw := range o.Responses {
		st, err := strconv.Atoi(sc)
		if err != nil || st < 100 || st > 599 {
			continue // "default", "2XX": not a documented status the catalog can check
		}
		statuses = append(statuses, st)
		raws[st] = raw
	}
	if len(statuses) == 0 {
		return nil, fmt.Errorf("%w: %s (%s) documents no numeric status", ErrNotDescription, key, o.OperationID)
	}
	sort.Ints(statuses)
	for _, st := range statuses {
		where := fmt.Sprintf("%s %d", key, st)
		v, err := d.resolve(raws[st], where)
		if err != nil {
			return nil, err
		}
		r, _ := v.(map[string]any)
		resp := Response{Status: st}
		resp.Description, _ = r["description"].(string)
		if ct, media := pickContent(r); ct != "" {
			resp.ContentType = ct
			if s, ok := media["schema"]; ok {
				if resp.Schema, err = b.schema(s, "response"); err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
			}
		}
		op.Responses = append(op.Responses, resp)
	}
	return op, nil
}

func (b *Builder) params(d *Description, key string, own, inherited []json.RawMessage) ([]Param, error) {
	var out []Param
	have := map[[2]string]bool{}
	for i, list := range [][]json.RawMessage{own, inherited} {
		for _, raw := range list {
			v, err := d.resolve(raw, key+" parameters")
			if err != nil {
				return nil, err
			}
			m, _ := v.(map[string]any)
			p := Param{}
			p.Name, _ = m["name"].(string)
			p.In, _ = m["in"].(string)
			p.Required, _ = m["required"].(bool)
			if s, ok := m["schema"].(map[string]any); ok {
				p.Type, _ = s["type"].(string)
			}
			if p.Name == "" || p.In == "" {
				return nil, fmt.Errorf("%w: %s: a parameter without name or in", ErrNotDescription, key)
			}
			k := [2]string{p.Name, p.In}
			if i == 1 && have[k] {
				continue // overridden by the operation
			}
			have[k] = true
			out = append(out, p)
		}
	}
	return out, nil
}

func (b *Builder) request(d *Description, key, id string, raw json.RawMessage) (*RequestBody, error) {
	v, err := d.resolve(raw, key+" requestBody")
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	req := &RequestBody{}
	req.Required, _ = m["required"].(bool)
	req.Fields = []Field{}
	_, media := pickContent(m)
	s, ok := media["schema"].(map[string]any)
	if !ok {
		return req, nil
	}
	required := map[string]bool{}
	if rs, ok := s["required"].([]any); ok {
		for _, r := range rs {
			if name, ok := r.(string); ok {
				required[name] = true
			}
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for name, p := range props {
			ps, _ := p.(map[string]any)
			req.Fields = append(req.Fields, Field{Name: name, Type: typeName(ps), Required: required[name]})
		}
	}
	sort.Slice(req.Fields, func(i, j int) bool { return req.Fields[i].Name < req.Fields[j].Name })
	if req.Schema, err = b.schema(s, requestHint(id)); err != nil {
		return nil, fmt.Errorf("%s requestBody: %w", key, err)
	}
	return req, nil
}

// pickContent returns the media type of a response or request body and its
// media object: application/json when present, else the first in order.
func pickContent(m map[string]any) (string, map[string]any) {
	content, _ := m["content"].(map[string]any)
	if len(content) == 0 {
		return "", nil
	}
	ct := "application/json"
	if _, ok := content[ct]; !ok {
		keys := make([]string, 0, len(content))
		for k := range content {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ct = keys[0]
	}
	media, _ := content[ct].(map[string]any)
	return ct, media
}

// typeName is a request field's type as the catalog lists it: "string",
// "array<string>", "array<string>|null".
func typeName(s map[string]any) string {
	t, _ := s["type"].(string)
	if t == "array" {
		it, _ := s["items"].(map[string]any)
		et, _ := it["type"].(string)
		t = "array<" + et + ">"
	}
	if n, _ := s["nullable"].(bool); n {
		t += "|null"
	}
	return t
}

// requestHint names a request schema after its operation: "scope-token-request".
func requestHint(id string) string {
	return id[strings.LastIndex(id, "/")+1:] + "-request"
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// schema converts a resolved OpenAPI 3.0 schema to JSON Schema 2020-12,
// stores it once and returns its file name.
func (b *Builder) schema(s any, hint string) (string, error) {
	m, ok := convert(s).(map[string]any)
	if !ok {
		return "", fmt.Errorf("%w: a schema that is not an object", ErrNotDescription)
	}
	return b.store(m, hint)
}

// store keeps one converted schema, first hoisting every titled object
// schema inside it (Simple User, App Permissions, ...) into a file of its
// own referenced by $ref, so that a subschema shared by many operations and
// versions is stored, and compiled, once.
func (b *Builder) store(doc map[string]any, hint string) (string, error) {
	for k, v := range doc {
		hoisted, err := b.hoist(v, k == "properties")
		if err != nil {
			return "", err
		}
		doc[k] = hoisted
	}
	doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	h := hex.EncodeToString(sum[:])[:10]
	if f, ok := b.files[h]; ok {
		if _, have := b.data[f]; !have { // a known name: store the content under it
			b.data[f] = buf.Bytes()
		}
		return f, nil
	}
	title, _ := doc["title"].(string)
	if title == "" {
		if t, _ := doc["type"].(string); t == "array" {
			if it, ok := doc["items"].(map[string]any); ok {
				title, _ = it["title"].(string)
				title += " list"
			}
		}
	}
	if title == "" || title == " list" {
		title = hint
	}
	name := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(title), "-"), "-") + "-" + h + ".json"
	b.files[h] = name
	b.data[name] = buf.Bytes()
	return name, nil
}

// hoist walks a schema value; titled object schemas below the root are
// stored as files and replaced by a $ref. props is true when v is a
// properties map (its keys are names, not keywords).
func (b *Builder) hoist(v any, props bool) (any, error) {
	switch t := v.(type) {
	case []any:
		for i, e := range t {
			h, err := b.hoist(e, false)
			if err != nil {
				return nil, err
			}
			t[i] = h
		}
	case map[string]any:
		if !props {
			if title, ok := t["title"].(string); ok && title != "" {
				name, err := b.store(t, title)
				if err != nil {
					return nil, err
				}
				return map[string]any{"$ref": name}, nil
			}
		}
		for k, e := range t {
			h, err := b.hoist(e, !props && k == "properties")
			if err != nil {
				return nil, err
			}
			t[k] = h
		}
	}
	return v, nil
}

// convert rewrites OpenAPI's nullable into JSON Schema types, recursively,
// and drops what does not constrain a body (descriptions, examples,
// extensions).
func convert(s any) any {
	switch t := s.(type) {
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = convert(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, v := range t {
			switch k {
			case "nullable", "example", "examples", "description", "readOnly", "writeOnly", "deprecated":
				continue
			case "properties":
				props := map[string]any{}
				pm, _ := v.(map[string]any)
				for pk, pv := range pm {
					props[pk] = convert(pv)
				}
				out[k] = props
			case "enum", "required", "type", "format", "title", "maxLength", "minLength", "minimum", "maximum", "pattern", "default":
				out[k] = v
			default:
				if strings.HasPrefix(k, "x-") {
					continue
				}
				out[k] = convert(v)
			}
		}
		if n, _ := t["nullable"].(bool); n {
			switch typ := out["type"].(type) {
			case string:
				out["type"] = []any{typ, "null"}
				if e, ok := out["enum"].([]any); ok {
					out["enum"] = append(append([]any{}, e...), nil)
				}
			case nil:
				title := out["title"]
				delete(out, "title")
				wrapped := map[string]any{"anyOf": []any{out, map[string]any{"type": "null"}}}
				if title != nil {
					wrapped["title"] = title
				}
				return wrapped
			}
		}
		return out
	}
	return s
}
