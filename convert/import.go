package convert

import (
	"fmt"
	"net/url"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// ImportOptions configures [Import]. The zero value files each interaction
// under the version its response's X-GitHub-Enterprise-Version names, else
// DefaultVersion, and keeps only OAuth endpoints.
type ImportOptions struct {
	// Version files every interaction under this version (any form
	// [schemas.Catalog.Version] accepts).
	Version string
	// DefaultVersion is the version of an interaction whose response names
	// none, when Version is empty ("api.github.com" when empty too).
	DefaultVersion string
	// All keeps every interaction, not only those of the OAuth endpoints
	// (/applications/..., /authorizations...), as record --record-all does.
	All bool
	// Catalog is the catalog versions and operations are looked up in;
	// nil means the built-in one.
	Catalog *schemas.Catalog
}

// ImportResult says what [Import] did.
type ImportResult struct {
	Added    map[string]int // interactions filed, by version
	Skipped  int            // interactions left out, for any reason
	Versions []string       // the versions filed under, in first-seen order
	// SkippedBy counts the interactions left out by reason:
	// [SkipNotOAuth] or [SkipBadURL].
	SkippedBy map[string]int
}

// The reasons [Import] leaves an interaction out.
const (
	SkipNotOAuth = "not an OAuth endpoint" // without ImportOptions.All
	SkipBadURL   = "a request URL that does not parse"
)

// Import files interactions made elsewhere (see [FromHAR]) into s as a
// recording does: only the OAuth endpoints unless opts.All, each labelled
// with the catalog operation it matches ([cassettes.OperationHeader]) and
// filed under its version. [cassettes.Store.Add] redacts each before
// anything is written. Close s to write the cassettes.
func Import(its []*cassette.Interaction, s *cassettes.Store, opts ImportOptions) (ImportResult, error) {
	res := ImportResult{Added: map[string]int{}, SkippedBy: map[string]int{}}
	skip := func(reason string) {
		res.Skipped++
		res.SkippedBy[reason]++
	}
	cat := opts.Catalog
	if cat == nil {
		cat = schemas.Default()
	}
	fixed := ""
	if opts.Version != "" {
		v, err := cat.Version(opts.Version)
		if err != nil {
			return res, fmt.Errorf("import: %w", err)
		}
		fixed = v.Name
	}
	def := opts.DefaultVersion
	if def == "" {
		def = "api.github.com"
	}
	if v, err := cat.Version(def); err == nil {
		def = v.Name
	}
	for _, it := range its {
		u, err := url.Parse(it.Request.URL)
		if err != nil {
			skip(SkipBadURL)
			continue
		}
		if !opts.All && !schemas.IsOAuthPath(u.Path) {
			skip(SkipNotOAuth)
			continue
		}
		version := fixed
		if version == "" {
			version = def
			if h := cassettes.Header(it.Response.Headers, "X-Github-Enterprise-Version"); h != "" {
				if v, err := cat.Version(h); err == nil {
					version = v.Name
				}
			}
		}
		if it.Request.Headers == nil {
			it.Request.Headers = map[string][]string{}
		}
		if cassettes.Header(it.Request.Headers, cassettes.OperationHeader) == "" {
			if op := operationOf(cat, version, it.Request.Method, u.Path); op != "" {
				it.Request.Headers.Set(cassettes.OperationHeader, op)
			}
		}
		if err := s.Add(version, it); err != nil {
			return res, fmt.Errorf("import: %w", err)
		}
		if res.Added[version] == 0 {
			res.Versions = append(res.Versions, version)
		}
		res.Added[version]++
	}
	return res, nil
}

// operationOf names the catalog operation a request matches: the
// version's own, else any version's, as the recorder labels it.
func operationOf(cat *schemas.Catalog, version, method, path string) string {
	if v, err := cat.Version(version); err == nil {
		if op, ok := v.Match(method, path); ok {
			return op.ID
		}
	}
	if op, ok := cat.Lookup(method, path); ok {
		return op.ID
	}
	return ""
}
