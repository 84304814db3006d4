package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed catalog.json provenance.json json/*.json
var data embed.FS

// Sentinel errors, wrapped with the details; test for them with [errors.Is].
var (
	ErrUnknownVersion   = errors.New("unknown version")
	ErrUnknownOperation = errors.New("unknown operation")
	ErrUndocumented     = errors.New("status not documented")
)

// Family groups operations by how they carry the token.
type Family string

// The families of OAuth endpoints.
const (
	// FamilyTokenInBody: /applications/{client_id}/token and /grant, token in the JSON body.
	FamilyTokenInBody Family = "token-in-body"
	// FamilyScopedToken: POST /applications/{client_id}/token/scoped.
	FamilyScopedToken Family = "scoped-token"
	// FamilyLegacyPathToken: the deprecated endpoints with {access_token} in the URL.
	FamilyLegacyPathToken Family = "legacy-path-token"
	// FamilyAuthorizationsAPI: the OAuth Authorizations API (/authorizations*, /applications/grants*).
	FamilyAuthorizationsAPI Family = "authorizations-api"
)

// Field is one property of a request body.
type Field struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // "string", "integer", "array<string>", "object", ...
	Required bool   `json:"required,omitempty"`
}

// Param is a path or query parameter.
type Param struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Type     string `json:"type,omitempty"`
	Required bool   `json:"required,omitempty"`
}

// RequestBody describes an operation's JSON request body.
type RequestBody struct {
	Required bool    `json:"required,omitempty"` // the description's requestBody.required
	Fields   []Field `json:"fields"`
	Schema   string  `json:"schema,omitempty"` // file under json/
}

// Response is one documented status of an operation. Schema is empty when
// the status has no body (204, 304).
type Response struct {
	Status      int    `json:"status"`
	Description string `json:"description,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Schema      string `json:"schema,omitempty"`
}

// Operation is one documented endpoint of one version.
type Operation struct {
	ID              string       `json:"id"` // GitHub's operationId, e.g. "apps/check-token"
	Method          string       `json:"method"`
	Path            string       `json:"path"` // template, without /api/v3
	Summary         string       `json:"summary,omitempty"`
	Family          Family       `json:"family"`
	Category        string       `json:"category,omitempty"` // docs page (x-github subcategory)
	Deprecated      bool         `json:"deprecated,omitempty"`
	DeprecationDate string       `json:"deprecation_date,omitempty"`
	RemovalDate     string       `json:"removal_date,omitempty"`
	Params          []Param      `json:"params,omitempty"`
	Request         *RequestBody `json:"request,omitempty"`
	Responses       []Response   `json:"responses"`

	segs []string
}

// Key is "METHOD /path/template", the identity of an operation across versions.
func (o *Operation) Key() string { return o.Method + " " + o.Path }

// Statuses returns the documented status codes in ascending order.
func (o *Operation) Statuses() []int {
	s := make([]int, len(o.Responses))
	for i, r := range o.Responses {
		s[i] = r.Status
	}
	return s
}

// Response returns the documented response for status, if any.
func (o *Operation) Response(status int) (Response, bool) {
	for _, r := range o.Responses {
		if r.Status == status {
			return r, true
		}
	}
	return Response{}, false
}

// Catalog holds every version. It is immutable and safe for concurrent use.
type Catalog struct {
	versions []*Version
	byName   map[string]*Version
	compiled map[string]*lazySchema

	mu   sync.Mutex // guards comp, which is not safe for concurrent use
	comp *jsonschema.Compiler

	extra       map[string][]byte // schema files of the overlay, by name
	prov        provenanceFile    // of the embedded catalog
	overlay     string            // the overlay directory, "" for none
	overlayProv provenanceFile
}

// lazySchema is compiled on first use: compiling every schema of every
// version costs far more than loading the catalog, and most runs need a few.
type lazySchema struct {
	once sync.Once
	s    *jsonschema.Schema
	err  error
}

// schema returns the compiled schema stored as name.
func (c *Catalog) schema(name string) (*jsonschema.Schema, error) {
	l, ok := c.compiled[name]
	if !ok {
		return nil, fmt.Errorf("schema %q is not in the catalog", name)
	}
	l.once.Do(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		l.s, l.err = c.comp.Compile(schemaBase + name)
		if l.err != nil {
			l.err = fmt.Errorf("compile %s: %w", name, l.err)
		}
	})
	return l.s, l.err
}

// CompileAll compiles every schema now rather than on first use, so that a
// long-running process pays the cost up front and a broken schema fails
// early.
func (c *Catalog) CompileAll() error {
	for name := range c.compiled {
		if _, err := c.schema(name); err != nil {
			return err
		}
	}
	return nil
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// Default returns the embedded catalog, loaded and compiled on first use.
// It panics if the embedded data is broken, which tests rule out.
func Default() *Catalog {
	defaultOnce.Do(func() { defaultCat, defaultErr = Load() })
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultCat
}

const schemaBase = "https://oauthcompat.invalid/schemas/"

// Load reads the embedded catalog. Schemas are compiled on first use, or
// all at once by [Catalog.CompileAll].
func Load() (*Catalog, error) {
	c, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	return c, c.finish()
}

// loadEmbedded reads the embedded catalog.json, provenance.json and
// schema files; finish completes the catalog.
func loadEmbedded() (*Catalog, error) {
	raw, err := data.ReadFile("catalog.json")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Versions []*Version `json:"versions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("catalog.json: %w", err)
	}
	c := &Catalog{versions: doc.Versions, byName: map[string]*Version{}, compiled: map[string]*lazySchema{}, extra: map[string][]byte{}}
	c.comp = jsonschema.NewCompiler()
	c.comp.Draft = jsonschema.Draft2020
	c.comp.AssertFormat = true
	c.comp.LoadURL = func(u string) (io.ReadCloser, error) { return nil, fmt.Errorf("%s is not embedded", u) }
	files, err := fs.Glob(data, "json/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := data.ReadFile(f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(f, "json/")
		if err := c.comp.AddResource(schemaBase+name, bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		c.compiled[name] = &lazySchema{}
	}
	prov, err := data.ReadFile("provenance.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(prov, &c.prov); err != nil {
		return nil, fmt.Errorf("provenance.json: %w", err)
	}
	return c, nil
}

// finish orders the versions, attaches their origins and indexes them.
func (c *Catalog) finish() error {
	sortVersions(c.versions)
	origins := map[string]*Origin{}
	for _, o := range c.prov.Versions {
		origins[o.Name] = o
	}
	for _, o := range c.overlayProv.Versions {
		origins[o.Name] = o
	}
	for i, v := range c.versions {
		v.cat, v.index = c, i
		v.origin = origins[v.Name]
		if err := v.init(); err != nil {
			return err
		}
		c.byName[v.Name] = v
	}
	return nil
}

// Versions returns every version in catalog order: GHES oldest first, then
// github.ae, api.github.com and ghec.
func (c *Catalog) Versions() []*Version { return c.versions }

// Names returns the names of every version, in catalog order.
func (c *Catalog) Names() []string {
	n := make([]string, len(c.versions))
	for i, v := range c.versions {
		n[i] = v.Name
	}
	return n
}

// Version finds a version from what a user typed: "3.8", "ghes-3.8",
// "GHES 3.8.12", "3.8.12" (the X-GitHub-Enterprise-Version header),
// "enterprise-server@3.8", "github.ae" or "ae", "api.github.com",
// "github.com" or "dotcom", "ghec".
func (c *Catalog) Version(s string) (*Version, error) {
	name := Canonical(s)
	if v, ok := c.byName[name]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("%w %q: known versions are %s (see 'oauthcompat versions'); for a version published since, import its description with 'oauthcompat catalog import' and pass --catalog DIR or set OAUTHCOMPAT_CATALOG=DIR", ErrUnknownVersion, s, strings.Join(c.Names(), ", "))
}

// Canonical turns the forms users type into a version name as GitHub's
// descriptions spell it. It does not check that the version exists.
func Canonical(s string) string {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "ae", "githubae", "github-ae", "github ae", "github.ae":
		return "github.ae"
	case "dotcom", "github.com", "api.github.com", "fpt", "free-pro-team":
		return "api.github.com"
	case "ghec", "github enterprise cloud", "enterprise-cloud":
		return "ghec"
	}
	for _, p := range []string{"enterprise-server@", "ghes-", "ghes ", "ghes", "enterprise server ", "v"} {
		if rest, ok := strings.CutPrefix(t, p); ok {
			t = strings.TrimSpace(rest)
			break
		}
	}
	parts := strings.Split(t, ".")
	if len(parts) >= 2 && isDigits(parts[0]) && isDigits(parts[1]) {
		return "ghes-" + strings.TrimLeft(parts[0], "0") + "." + trimZeros(parts[1])
	}
	return strings.ToLower(strings.TrimSpace(s))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func trimZeros(s string) string {
	if t := strings.TrimLeft(s, "0"); t != "" {
		return t
	}
	return "0"
}

// Lookup finds the operation a request addresses in any version, newest
// description first. It is how undocumented calls are named.
func (c *Catalog) Lookup(method, path string) (*Operation, bool) {
	for i := len(c.versions) - 1; i >= 0; i-- {
		if op, ok := c.versions[i].Match(method, path); ok {
			return op, true
		}
	}
	return nil, false
}

// Operations returns, for every method+path any version documents, its
// newest description: the union the reports and probes range over, sorted
// by key.
func (c *Catalog) Operations() []*Operation {
	seen := map[string]*Operation{}
	for _, v := range c.versions {
		for _, op := range v.Operations {
			seen[op.Key()] = op
		}
	}
	out := make([]*Operation, 0, len(seen))
	for _, op := range seen {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// StripPrefix removes the GHES "/api/v3" prefix and any query from a
// request path.
func StripPrefix(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if rest, ok := strings.CutPrefix(path, "/api/v3"); ok && (rest == "" || rest[0] == '/') {
		return rest
	}
	return path
}

// IsOAuthPath reports whether a request path (with or without /api/v3) is
// under /applications or /authorizations.
func IsOAuthPath(path string) bool {
	p := StripPrefix(path)
	return p == "/applications" || strings.HasPrefix(p, "/applications/") ||
		p == "/authorizations" || strings.HasPrefix(p, "/authorizations/")
}
