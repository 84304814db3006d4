package reference

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// RealGitHub wraps a handler (a [Server]) so that it answers the way the
// evidence of docs/fidelity.md says real GitHub does, wherever the
// reference server is free to answer otherwise ("A server that is not
// ours"): conditionals on POST, PUT, PATCH and DELETE are ignored (the
// request does its work; "304 on conditional POST, PUT, PATCH and
// DELETE"); every 422 comes without "errors", even "Validation Failed"
// ("422 bodies"); a legacy endpoint without credentials answers 404 ("No
// credentials on the legacy app endpoints"); the ETags of check, reset and
// get-or-create are kept ("Reset token"); and every answer carries the
// header set api.github.com and GHES send (Server, Cache-Control, Vary, the
// security headers, Access-Control-*; "Headers per product"). It exists to
// test that "oauthcompat conform" judges a server that is not ours fairly:
// against it a run must be conformant.
func RealGitHub(next http.Handler) http.Handler {
	return &realGitHub{next: next}
}

type realGitHub struct {
	next http.Handler
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
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		r = r.Clone(r.Context())
		for _, k := range []string{"If-None-Match", "If-Match", "If-Modified-Since", "If-Unmodified-Since"} {
			r.Header.Del(k)
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
	h.Set("Cache-Control", "private, max-age=60, s-maxage=60")
	if len(body) > 0 {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(rec.code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
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
