package reference

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// RealGitHub wraps a handler (a [Server]) so that it answers the way the
// evidence says real GitHub does wherever that evidence leaves a choice the
// reference server makes the other way (docs/fidelity.md, "A server that is
// not ours"): every 422 without "errors", even "Validation Failed"; no ETag
// on the answers to POST, PUT and PATCH; 412 Precondition Failed to an
// If-None-Match on POST, PUT, PATCH or DELETE (what HTTP allows besides
// ignoring it); 401 rather than 404 on a legacy endpoint without
// credentials; and the header set api.github.com and GHES send (Server,
// Cache-Control, Vary, the security headers, Access-Control-*). It exists
// to test that "oauthcompat conform" judges a server that is not ours
// fairly: against it a run must be conformant.
func RealGitHub(next http.Handler, v *schemas.Version) http.Handler {
	return &realGitHub{next: next, v: v, status: errorsCarryStatus(v)}
}

type realGitHub struct {
	next   http.Handler
	v      *schemas.Version
	status bool // error bodies carry "status"
}

// realHeaders are headers GitHub sends with every API answer (octokit.rb's
// and @octokit/fixtures' recordings).
var realHeaders = [][2]string{
	{"Server", "GitHub.com"},
	{"Vary", "Accept, Authorization, Cookie, X-GitHub-OTP"},
	{"Access-Control-Expose-Headers", "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset"},
	{"Access-Control-Allow-Origin", "*"},
	{"Strict-Transport-Security", "max-age=31536000; includeSubdomains; preload"},
	{"X-Frame-Options", "deny"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-XSS-Protection", "0"},
	{"Referrer-Policy", "origin-when-cross-origin, strict-origin-when-cross-origin"},
	{"Content-Security-Policy", "default-src 'none'"},
}

func (g *realGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for _, kv := range realHeaders {
		h.Set(kv[0], kv[1])
	}
	unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead
	if unsafe && r.Header.Get("If-None-Match") != "" {
		g.plain(w, http.StatusPreconditionFailed, "Precondition Failed")
		return
	}
	if r.Header.Get("Authorization") == "" {
		path := schemas.StripPrefix(r.URL.Path)
		if op, ok := g.v.Match(r.Method, path); ok && op.Family == schemas.FamilyLegacyPathToken {
			g.plain(w, http.StatusUnauthorized, "Requires authentication")
			return
		}
	}
	rec := &captured{header: http.Header{}, code: http.StatusOK}
	g.next.ServeHTTP(rec, r)
	for k, v := range rec.header {
		if k == "Content-Length" {
			continue
		}
		h[k] = v
	}
	body := rec.body.Bytes()
	if rec.code == http.StatusUnprocessableEntity {
		body = withoutErrors(body)
	}
	if unsafe && r.Method != http.MethodDelete {
		h.Del("Etag")
	}
	h.Set("Cache-Control", "private, max-age=60, s-maxage=60")
	if len(body) > 0 {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(rec.code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// plain answers GitHub's error body for status.
func (g *realGitHub) plain(w http.ResponseWriter, status int, msg string) {
	e := env{status: g.status}
	b := appendBasicError(nil, &e, status, msg, "https://docs.github.com/rest")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// withoutErrors drops the "errors" member of a validation error body.
func withoutErrors(b []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	if _, ok := m["errors"]; !ok {
		return b
	}
	delete(m, "errors")
	out, err := json.Marshal(m)
	if err != nil {
		return b
	}
	return out
}

// captured is the answer of the wrapped handler.
type captured struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header         { return c.header }
func (c *captured) WriteHeader(code int)        { c.code = code }
func (c *captured) Write(b []byte) (int, error) { return c.body.Write(b) }
