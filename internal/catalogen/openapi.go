package catalogen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrNotDescription is wrapped by the errors [Parse] returns for a file
// that is not one of GitHub's REST API descriptions, or lacks what the
// catalog needs from one.
var ErrNotDescription = errors.New("not a GitHub REST API description")

// Description is one of GitHub's official OpenAPI descriptions, read only as
// far as the catalog needs: its OAuth application and authorization
// operations and the components they reach. Both published formats are
// accepted: the bundled one, whose $refs point into components (the
// @octokit/openapi generated/<version>.json files and
// github/rest-api-description's descriptions/<version>/<version>.json), and
// the dereferenced one (*.deref.json), whose schemas are inline.
type Description struct {
	// Name is the version the description documents ("ghes-3.8",
	// "github.ae", "api.github.com", "ghec"), read from info.x-github-plan and
	// the operations' documentation links; "" when the file does not say.
	Name string

	ops   []*rawOp
	comps map[string]map[string]json.RawMessage // section -> name -> value
}

// rawOp is one operation under an OAuth path, not yet resolved.
type rawOp struct {
	Method, Path string
	body         json.RawMessage
	pathParams   []json.RawMessage // the path item's own parameters
}

// methodOrder is the order OpenAPI lists a path item's operations in; the
// catalog sorts an operation after its path by it.
var methodOrder = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// IsOAuthPath reports whether an OpenAPI path template is one of the OAuth
// application and authorization endpoints the catalog keeps.
func IsOAuthPath(p string) bool {
	return strings.HasPrefix(p, "/applications/") || strings.HasPrefix(p, "/authorizations/") ||
		p == "/applications" || p == "/authorizations"
}

// Parse reads a description. It fails, wrapping [ErrNotDescription], when
// the file is not JSON, not OpenAPI 3, has no paths, or documents no OAuth
// endpoint; the message says which.
func Parse(b []byte) (*Description, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotDescription)
	}
	if trimmed[0] != '{' {
		if bytes.HasPrefix(trimmed, []byte("openapi:")) || bytes.HasPrefix(trimmed, []byte("---")) {
			return nil, fmt.Errorf("%w: this looks like YAML; use the JSON form of the description (<version>.json)", ErrNotDescription)
		}
		return nil, fmt.Errorf("%w: not a JSON object", ErrNotDescription)
	}
	var doc struct {
		OpenAPI string
		Swagger bool
		Info    *struct {
			Plan    string          `json:"x-github-plan"`
			Release json.RawMessage `json:"x-github-release"`
		}
		Servers []struct {
			URL string `json:"url"`
		}
		Paths      map[string]json.RawMessage
		Components map[string]map[string]json.RawMessage
	}
	var pathCount int
	err := members(b, 0, func(key string, val []byte, off int) error {
		var err error
		switch key {
		case "openapi":
			err = json.Unmarshal(val, &doc.OpenAPI)
		case "swagger":
			doc.Swagger = true
		case "info":
			err = json.Unmarshal(val, &doc.Info)
		case "servers":
			err = json.Unmarshal(val, &doc.Servers)
		case "paths":
			doc.Paths = map[string]json.RawMessage{}
			err = members(val, off, func(p string, item []byte, _ int) error {
				pathCount++
				if IsOAuthPath(p) {
					doc.Paths[p] = item
				}
				return nil
			})
		case "components":
			doc.Components = map[string]map[string]json.RawMessage{}
			err = members(val, off, func(section string, sv []byte, soff int) error {
				m := map[string]json.RawMessage{}
				doc.Components[section] = m
				if len(sv) == 0 || sv[0] != '{' {
					return nil
				}
				return members(sv, soff, func(name string, v []byte, _ int) error {
					m[name] = v
					return nil
				})
			})
		}
		if err != nil {
			if _, ok := err.(*scanError); ok {
				return err
			}
			return &scanError{off, fmt.Sprintf("%s: %v", key, err)}
		}
		return nil
	})
	if err != nil {
		var se *scanError
		if errors.As(err, &se) {
			line, col := position(b, int64(se.off))
			return nil, fmt.Errorf("%w: invalid JSON at line %d, column %d: %s (a truncated download?)", ErrNotDescription, line, col, se.msg)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotDescription, err)
	}
	switch {
	case doc.Swagger && doc.OpenAPI == "":
		return nil, fmt.Errorf("%w: a Swagger 2.0 document; GitHub's descriptions are OpenAPI 3", ErrNotDescription)
	case doc.OpenAPI == "":
		return nil, fmt.Errorf("%w: no \"openapi\" field, so not an OpenAPI 3 document", ErrNotDescription)
	case !strings.HasPrefix(doc.OpenAPI, "3."):
		return nil, fmt.Errorf("%w: OpenAPI %s; only OpenAPI 3 is read", ErrNotDescription, doc.OpenAPI)
	case doc.Paths == nil:
		return nil, fmt.Errorf("%w: no \"paths\" object", ErrNotDescription)
	}
	d := &Description{comps: doc.Components}
	var paths []string
	for p := range doc.Paths {
		if IsOAuthPath(p) {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: none of its %d paths is an OAuth application or authorization endpoint (/applications/..., /authorizations...)", ErrNotDescription, pathCount)
	}
	sort.Strings(paths)
	var docLinks []string
	for _, p := range paths {
		var item map[string]json.RawMessage
		if err := json.Unmarshal(doc.Paths[p], &item); err != nil {
			return nil, fmt.Errorf("%w: paths[%q] is not an object", ErrNotDescription, p)
		}
		if _, ok := item["$ref"]; ok {
			return nil, fmt.Errorf("%w: paths[%q] is a $ref to another file; use the bundled or dereferenced description", ErrNotDescription, p)
		}
		var pathParams []json.RawMessage
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &pathParams); err != nil {
				return nil, fmt.Errorf("%w: paths[%q].parameters is not a list", ErrNotDescription, p)
			}
		}
		for _, m := range methodOrder {
			raw, ok := item[m]
			if !ok {
				continue
			}
			d.ops = append(d.ops, &rawOp{Method: strings.ToUpper(m), Path: p, body: raw, pathParams: pathParams})
			var ed struct {
				ExternalDocs struct {
					URL string `json:"url"`
				} `json:"externalDocs"`
			}
			json.Unmarshal(raw, &ed)
			docLinks = append(docLinks, ed.ExternalDocs.URL)
		}
	}
	if len(d.ops) == 0 {
		return nil, fmt.Errorf("%w: its OAuth paths (%s) hold no operation", ErrNotDescription, strings.Join(paths, ", "))
	}
	var plan, release string
	var servers []string
	if doc.Info != nil {
		plan, release = doc.Info.Plan, strings.Trim(string(doc.Info.Release), `"`)
	}
	for _, s := range doc.Servers {
		servers = append(servers, s.URL)
	}
	d.Name = versionName(plan, release, servers, docLinks)
	return d, nil
}

var ghesDocRE = regexp.MustCompile(`/enterprise-server@(\d+\.\d+)/`)

// versionName tells which version a description documents. GHES releases
// are read from the documentation links (enterprise-server@3.10), because
// info.x-github-release is a JSON number there and 3.10 reads as 3.1.
func versionName(plan, release string, servers, docLinks []string) string {
	var ghes string
	for _, l := range docLinks {
		if m := ghesDocRE.FindStringSubmatch(l); m != nil {
			ghes = "ghes-" + m[1]
			break
		}
	}
	switch plan {
	case "api.github.com", "ghec", "github.ae":
		return plan
	case "ghes":
		if ghes != "" {
			return ghes
		}
		if _, err := strconv.ParseFloat(release, 64); err == nil && release != "" {
			return "ghes-" + release
		}
		return ""
	}
	if ghes != "" {
		return ghes
	}
	for _, l := range docLinks {
		switch {
		case strings.Contains(l, "/github-ae@"):
			return "github.ae"
		case strings.Contains(l, "/enterprise-cloud@"):
			return "ghec"
		}
	}
	for _, s := range servers {
		if s == "https://api.github.com" {
			return "api.github.com"
		}
	}
	return ""
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	before := b[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// resolve decodes raw and replaces every $ref in it by what it points to,
// recursively, giving a tree of fresh maps and slices. where names the
// place for errors.
func (d *Description) resolve(raw json.RawMessage, where string) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return d.deref(v, where, nil)
}

func (d *Description) deref(v any, where string, stack []string) (any, error) {
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			r, err := d.deref(e, where, stack)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		if ref, ok := t["$ref"].(string); ok {
			for _, s := range stack {
				if s == ref {
					return nil, fmt.Errorf("%w: %s: circular $ref %s", ErrNotDescription, where, strings.Join(append(stack, ref), " → "))
				}
			}
			target, err := d.lookup(ref, where)
			if err != nil {
				return nil, err
			}
			return d.deref(target, where, append(stack, ref))
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			r, err := d.deref(e, where, stack)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

// lookup finds a local reference "#/components/<section>/<name>[/more]".
func (d *Description) lookup(ref, where string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return nil, fmt.Errorf("%w: %s: $ref %q points outside #/components; use the bundled or dereferenced description", ErrNotDescription, where, ref)
	}
	parts := strings.Split(rest, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	if len(parts) < 2 {
		return nil, fmt.Errorf("%w: %s: malformed $ref %q", ErrNotDescription, where, ref)
	}
	raw, ok := d.comps[parts[0]][parts[1]]
	if !ok {
		return nil, fmt.Errorf("%w: %s refers to %s, which the description does not define (components.%s has no %q)", ErrNotDescription, where, ref, parts[0], parts[1])
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotDescription, ref, err)
	}
	for _, p := range parts[2:] {
		switch t := v.(type) {
		case map[string]any:
			v, ok = t[p]
		case []any:
			i, err := strconv.Atoi(p)
			ok = err == nil && i >= 0 && i < len(t)
			if ok {
				v = t[i]
			}
		default:
			ok = false
		}
		if !ok {
			return nil, fmt.Errorf("%w: %s refers to %s, which the description does not define", ErrNotDescription, where, ref)
		}
	}
	return v, nil
}
