// Command catalogen builds the embedded catalog under schemas/ from the
// reference extract of GitHub's OpenAPI descriptions.
//
//	go run ./internal/catalogen -ref ../shared/reference/openapi -out schemas
//
// It writes schemas/catalog.json (every version and its operations) and one
// JSON Schema file per distinct schema under schemas/json/. Schemas are
// converted from the OpenAPI 3.0 dialect (nullable: true) to JSON Schema
// 2020-12 (type: [T, "null"]) and stored once however many versions share them.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	ref := flag.String("ref", "../shared/reference/openapi", "folder holding openapi-matrix.json and the ghes-3.0-3.3 supplements")
	out := flag.String("out", "schemas", "folder to write catalog.json and json/ into")
	flag.Parse()
	if err := run(*ref, *out); err != nil {
		fmt.Fprintln(os.Stderr, "catalogen:", err)
		os.Exit(1)
	}
}

// Output shapes: kept in step with schemas/catalog.go by hand (the generator
// must not import the package it generates data for).
type field struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
}

type param struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Type     string `json:"type,omitempty"`
	Required bool   `json:"required,omitempty"`
}

type requestBody struct {
	Required bool    `json:"required,omitempty"`
	Fields   []field `json:"fields"`
	Schema   string  `json:"schema,omitempty"`
}

type response struct {
	Status      int    `json:"status"`
	Description string `json:"description,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Schema      string `json:"schema,omitempty"`
}

type operation struct {
	ID              string       `json:"id"`
	Method          string       `json:"method"`
	Path            string       `json:"path"`
	Summary         string       `json:"summary,omitempty"`
	Family          string       `json:"family"`
	Category        string       `json:"category,omitempty"`
	Deprecated      bool         `json:"deprecated,omitempty"`
	DeprecationDate string       `json:"deprecation_date,omitempty"`
	RemovalDate     string       `json:"removal_date,omitempty"`
	Params          []param      `json:"params,omitempty"`
	Request         *requestBody `json:"request,omitempty"`
	Responses       []response   `json:"responses"`
}

type version struct {
	Name       string      `json:"name"`
	Source     string      `json:"source"`
	Verified   bool        `json:"verified"`
	Operations []operation `json:"operations"`
}

type catalog struct {
	Note     string    `json:"note"`
	Versions []version `json:"versions"`
}

// Input shapes.
type matrix struct {
	Versions  map[string]string          `json:"versions"`
	Snapshots map[string]snapshot        `json:"snapshots"`
	Schemas   map[string]json.RawMessage `json:"schemas"`
}

type snapshot struct {
	Operations []mop `json:"operations"`
}

type mop struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	OperationID string `json:"operationId"`
	Summary     string `json:"summary"`
	Deprecated  bool   `json:"deprecated"`
	XGitHub     struct {
		Subcategory     *string `json:"subcategory"`
		Category        string  `json:"category"`
		DeprecationDate string  `json:"deprecationDate"`
		RemovalDate     string  `json:"removalDate"`
	} `json:"x-github"`
	Parameters []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
		Type     string `json:"type"`
	} `json:"parameters"`
	RequestBody *struct {
		Required       bool              `json:"required"`
		RequiredFields []string          `json:"required_fields"`
		Properties     map[string]string `json:"properties"`
		SchemaRef      string            `json:"schema_ref"`
	} `json:"requestBody"`
	StatusCodes []string `json:"status_codes"`
	Responses   map[string]struct {
		Description  string   `json:"description"`
		ContentTypes []string `json:"content_types"`
		SchemaRef    string   `json:"schema_ref"`
	} `json:"responses"`
	LegacyPathToken bool `json:"legacy_path_token"`
}

type supplement struct {
	Verified   map[string]bool `json:"verified"`
	Operations []struct {
		Method      string   `json:"method"`
		Path        string   `json:"path"`
		OperationID string   `json:"operationId"`
		Deprecated  bool     `json:"deprecated"`
		StatusCodes []string `json:"status_codes"`
		XGitHub     struct {
			DeprecationDate string `json:"deprecationDate"`
			RemovalDate     string `json:"removalDate"`
		} `json:"x-github"`
	} `json:"operations"`
}

type schemaFile struct {
	Versions map[string]struct {
		Schemas    map[string]json.RawMessage `json:"schemas"`
		Operations []struct {
			Method      string `json:"method"`
			Path        string `json:"path"`
			RequestBody *struct {
				Required       *bool           `json:"required"`
				Schema         json.RawMessage `json:"schema"`
				RequiredFields []string        `json:"required_fields"`
			} `json:"request_body"`
			Responses map[string]*string `json:"responses"`
		} `json:"operations"`
	} `json:"versions"`
}

// order lists the versions in the order the catalog presents them.
func order(m *matrix) []string {
	var names []string
	for n := range m.Versions {
		names = append(names, n)
	}
	for _, n := range []string{"ghes-3.0", "ghes-3.1", "ghes-3.2", "ghes-3.3"} {
		names = append(names, n)
	}
	rank := func(n string) (int, int, int) {
		switch n {
		case "github.ae":
			return 1, 0, 0
		case "api.github.com":
			return 2, 0, 0
		case "ghec":
			return 3, 0, 0
		}
		var a, b int
		fmt.Sscanf(strings.TrimPrefix(n, "ghes-"), "%d.%d", &a, &b)
		return 0, a, b
	}
	sort.Slice(names, func(i, j int) bool {
		a1, a2, a3 := rank(names[i])
		b1, b2, b3 := rank(names[j])
		if a1 != b1 {
			return a1 < b1
		}
		if a2 != b2 {
			return a2 < b2
		}
		return a3 < b3
	})
	return names
}

type gen struct {
	out   string
	files map[string]string // content hash -> file name
}

func run(ref, out string) error {
	var m matrix
	var sup supplement
	var sf schemaFile
	for name, v := range map[string]any{"openapi-matrix.json": &m, "ghes-3.0-3.3-supplement.json": &sup, "ghes-3.2-3.3-schemas.json": &sf} {
		b, err := os.ReadFile(filepath.Join(ref, name))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := os.RemoveAll(filepath.Join(out, "json")); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "json"), 0o755); err != nil {
		return err
	}
	g := &gen{out: out, files: map[string]string{}}
	cat := catalog{Note: "Generated by internal/catalogen from the reference extract of GitHub's OpenAPI descriptions; do not edit."}
	for _, name := range order(&m) {
		var v version
		var err error
		if key, ok := m.Versions[name]; ok {
			v, err = g.fromSnapshot(name, key, &m)
		} else {
			v, err = g.fromSupplement(name, &m, &sup, &sf)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		cat.Versions = append(cat.Versions, v)
	}
	b, err := json.MarshalIndent(cat, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "catalog.json"), append(b, '\n'), 0o644)
}

func family(path string, legacy bool) string {
	switch {
	case legacy:
		return "legacy-path-token"
	case strings.HasPrefix(path, "/authorizations") || strings.HasPrefix(path, "/applications/grants"):
		return "authorizations-api"
	case strings.HasSuffix(path, "/token/scoped"):
		return "scoped-token"
	}
	return "token-in-body"
}

func (g *gen) fromSnapshot(name, key string, m *matrix) (version, error) {
	snap, ok := m.Snapshots[key]
	if !ok {
		return version{}, fmt.Errorf("snapshot %s missing", key)
	}
	v := version{Name: name, Source: "@octokit/openapi " + strings.SplitN(key, "@", 2)[1], Verified: true}
	for _, o := range snap.Operations {
		op := operation{
			ID: o.OperationID, Method: o.Method, Path: o.Path, Summary: o.Summary,
			Family:     family(o.Path, o.LegacyPathToken),
			Category:   o.XGitHub.Category,
			Deprecated: o.Deprecated, DeprecationDate: o.XGitHub.DeprecationDate, RemovalDate: o.XGitHub.RemovalDate,
		}
		if o.XGitHub.Subcategory != nil && *o.XGitHub.Subcategory != "" {
			op.Category = *o.XGitHub.Subcategory
		}
		for _, p := range o.Parameters {
			op.Params = append(op.Params, param{Name: p.Name, In: p.In, Type: p.Type, Required: p.Required})
		}
		if rb := o.RequestBody; rb != nil {
			req := &requestBody{Required: rb.Required}
			req.Fields = fields(rb.Properties, rb.RequiredFields)
			if rb.SchemaRef != "" {
				f, err := g.schema(m.Schemas[rb.SchemaRef], requestHint(o.OperationID))
				if err != nil {
					return v, err
				}
				req.Schema = f
			}
			op.Request = req
		}
		for _, sc := range o.StatusCodes {
			r := o.Responses[sc]
			st, _ := strconv.Atoi(sc)
			resp := response{Status: st, Description: r.Description}
			if len(r.ContentTypes) > 0 {
				resp.ContentType = r.ContentTypes[0]
			}
			if r.SchemaRef != "" {
				f, err := g.schema(m.Schemas[r.SchemaRef], "response")
				if err != nil {
					return v, err
				}
				resp.Schema = f
			}
			op.Responses = append(op.Responses, resp)
		}
		v.Operations = append(v.Operations, op)
	}
	return v, nil
}

// fromSupplement builds ghes-3.0 to 3.3, which no packaged snapshot holds:
// the endpoint set and status codes come from the supplement, the schemas from
// ghes-3.2-3.3-schemas.json (3.2's for 3.0 and 3.1), and the parameters,
// summaries and response descriptions, which those files do not carry, from
// the same operation in ghes-3.4 or, for the legacy endpoints, ghes-2.22.
func (g *gen) fromSupplement(name string, m *matrix, sup *supplement, sf *schemaFile) (version, error) {
	schemaVersion := name
	if name == "ghes-3.0" || name == "ghes-3.1" {
		schemaVersion = "ghes-3.2"
	}
	sv, ok := sf.Versions[schemaVersion]
	if !ok {
		return version{}, fmt.Errorf("no schemas for %s", schemaVersion)
	}
	src := "github/rest-api-description (read by hand)"
	if !sup.Verified[name] {
		src = "inferred from ghes-3.2 (description not read)"
	}
	v := version{Name: name, Source: src, Verified: sup.Verified[name]}
	donor := func(method, path string) *mop {
		for _, key := range []string{"ghes-3.4@10.0.0", "ghes-2.22@2.2.1"} {
			for i, o := range m.Snapshots[key].Operations {
				if o.Method == method && o.Path == path {
					return &m.Snapshots[key].Operations[i]
				}
			}
		}
		return nil
	}
	for _, o := range sup.Operations {
		d := donor(o.Method, o.Path)
		if d == nil {
			return v, fmt.Errorf("no donor for %s %s", o.Method, o.Path)
		}
		op := operation{
			ID: o.OperationID, Method: o.Method, Path: o.Path, Summary: d.Summary,
			Family:     family(o.Path, strings.Contains(o.Path, "{access_token}")),
			Category:   d.XGitHub.Category,
			Deprecated: o.Deprecated, DeprecationDate: o.XGitHub.DeprecationDate, RemovalDate: o.XGitHub.RemovalDate,
		}
		if d.XGitHub.Subcategory != nil && *d.XGitHub.Subcategory != "" {
			op.Category = *d.XGitHub.Subcategory
		}
		if op.Deprecated && op.DeprecationDate == "" {
			op.DeprecationDate, op.RemovalDate = d.XGitHub.DeprecationDate, d.XGitHub.RemovalDate
		}
		for _, p := range d.Parameters {
			op.Params = append(op.Params, param{Name: p.Name, In: p.In, Type: p.Type, Required: p.Required})
		}
		var so *struct {
			Method      string `json:"method"`
			Path        string `json:"path"`
			RequestBody *struct {
				Required       *bool           `json:"required"`
				Schema         json.RawMessage `json:"schema"`
				RequiredFields []string        `json:"required_fields"`
			} `json:"request_body"`
			Responses map[string]*string `json:"responses"`
		}
		for i := range sv.Operations {
			if sv.Operations[i].Method == o.Method && sv.Operations[i].Path == o.Path {
				so = &sv.Operations[i]
			}
		}
		if so == nil {
			return v, fmt.Errorf("%s %s not in schemas file", o.Method, o.Path)
		}
		if rb := so.RequestBody; rb != nil {
			req := &requestBody{Required: rb.Required != nil && *rb.Required}
			var s struct {
				Properties map[string]json.RawMessage `json:"properties"`
			}
			if err := json.Unmarshal(rb.Schema, &s); err != nil {
				return v, err
			}
			props := map[string]string{}
			for k, raw := range s.Properties {
				props[k] = typeName(raw)
			}
			req.Fields = fields(props, rb.RequiredFields)
			f, err := g.schema(rb.Schema, requestHint(o.OperationID))
			if err != nil {
				return v, err
			}
			req.Schema = f
			op.Request = req
		}
		for _, sc := range o.StatusCodes {
			st, _ := strconv.Atoi(sc)
			resp := response{Status: st}
			if dr, ok := d.Responses[sc]; ok {
				resp.Description = dr.Description
			}
			ref, ok := so.Responses[sc]
			if !ok {
				return v, fmt.Errorf("%s %s: status %s not in schemas file", o.Method, o.Path, sc)
			}
			if ref != nil {
				raw, err := named(sv.Schemas, *ref)
				if err != nil {
					return v, err
				}
				f, err := g.schema(raw, "response")
				if err != nil {
					return v, err
				}
				resp.Schema, resp.ContentType = f, "application/json"
			}
			op.Responses = append(op.Responses, resp)
		}
		v.Operations = append(v.Operations, op)
	}
	return v, nil
}

// named resolves "authorization" or "array<authorization>" in a schemas map.
func named(schemas map[string]json.RawMessage, ref string) (json.RawMessage, error) {
	if inner, ok := strings.CutPrefix(ref, "array<"); ok {
		item, err := named(schemas, strings.TrimSuffix(inner, ">"))
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"type": "array", "items": item})
	}
	raw, ok := schemas[ref]
	if !ok {
		return nil, fmt.Errorf("schema %q not found", ref)
	}
	return raw, nil
}

func typeName(raw json.RawMessage) string {
	var s struct {
		Type  string `json:"type"`
		Items *struct {
			Type string `json:"type"`
		} `json:"items"`
	}
	json.Unmarshal(raw, &s)
	if s.Type == "array" && s.Items != nil {
		return "array<" + s.Items.Type + ">"
	}
	return s.Type
}

func fields(props map[string]string, required []string) []field {
	req := map[string]bool{}
	for _, r := range required {
		req[r] = true
	}
	var fs []field
	for k, t := range props {
		fs = append(fs, field{Name: k, Type: t, Required: req[k]})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	if fs == nil {
		fs = []field{}
	}
	return fs
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// schema converts an OpenAPI 3.0 schema to JSON Schema 2020-12, stores it
// once under json/ and returns its file name.
func (g *gen) schema(raw json.RawMessage, hint string) (string, error) {
	if len(raw) == 0 {
		return "", fmt.Errorf("empty schema")
	}
	var s any
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return g.store(convert(s).(map[string]any), hint)
}

// store writes one converted schema, first hoisting every titled object
// schema inside it (Simple User, App Permissions, ...) into a file of its
// own referenced by $ref, so that a subschema shared by many operations and
// versions is stored, and compiled, once.
func (g *gen) store(doc map[string]any, hint string) (string, error) {
	for k, v := range doc {
		hoisted, err := g.hoist(v, k == "properties")
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
	if f, ok := g.files[h]; ok {
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
	if err := os.WriteFile(filepath.Join(g.out, "json", name), buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	g.files[h] = name
	return name, nil
}

// hoist walks a schema value; titled object schemas below the root are
// stored as files and replaced by a $ref. props is true when v is a
// properties map (its keys are names, not keywords).
func (g *gen) hoist(v any, props bool) (any, error) {
	switch t := v.(type) {
	case []any:
		for i, e := range t {
			h, err := g.hoist(e, false)
			if err != nil {
				return nil, err
			}
			t[i] = h
		}
	case map[string]any:
		if !props {
			if title, ok := t["title"].(string); ok && title != "" {
				name, err := g.store(t, title)
				if err != nil {
					return nil, err
				}
				return map[string]any{"$ref": name}, nil
			}
		}
		for k, e := range t {
			h, err := g.hoist(e, !props && k == "properties")
			if err != nil {
				return nil, err
			}
			t[k] = h
		}
	}
	return v, nil
}

// convert rewrites OpenAPI's nullable into JSON Schema types, recursively.
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
				for pk, pv := range v.(map[string]any) {
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

// requestHint names a request schema after its operation: "scope-token-request".
func requestHint(id string) string {
	return id[strings.LastIndex(id, "/")+1:] + "-request"
}

func jsonEncoder(w *bytes.Buffer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}
