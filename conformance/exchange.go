package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// OTPHeader carries a one-time password, and GitHub's answer that one is
// required ("required; app" or "required; sms").
const OTPHeader = "X-GitHub-OTP"

// ReplayMissHeader marks a replay's answer to a request its recording does
// not hold (the replay package sets it on its 501).
const ReplayMissHeader = "X-Oauthcompat-Replay"

// authKind says how a request authenticates.
type authKind int

const (
	authNone  authKind = iota
	authApp            // Basic client_id:client_secret
	authUser           // Basic username:password
	authBasic          // Basic with explicit user and password (wrong credentials)
	authToken          // "token <value>", where Basic is required
)

// request is one HTTP request a case sends.
type request struct {
	method string
	path   string // template: "/applications/{client_id}/token"
	params map[string]string
	query  url.Values
	auth   authKind
	user   string // authBasic
	pass   string // authBasic; authToken: the token
	body   []byte // nil: no body
	header http.Header
	noOTP  bool // authUser without the user's one-time password
}

func newRequest(method, path string) *request {
	return &request{method: method, path: path, params: map[string]string{}}
}

func (r *request) withApp() *request  { r.auth = authApp; return r }
func (r *request) withUser() *request { r.auth = authUser; return r }
func (r *request) withBasic(user, pass string) *request {
	r.auth, r.user, r.pass = authBasic, user, pass
	return r
}
func (r *request) withToken(tok string) *request { r.auth, r.pass = authToken, tok; return r }
func (r *request) param(name, value string) *request {
	r.params[name] = value
	return r
}
func (r *request) withQuery(k, v string) *request {
	if r.query == nil {
		r.query = url.Values{}
	}
	r.query.Set(k, v)
	return r
}
func (r *request) withHeader(k, v string) *request {
	if r.header == nil {
		r.header = http.Header{}
	}
	r.header.Set(k, v)
	return r
}

// withJSON sets a JSON body. Keys are encoded in sorted order, so the bytes
// are the same in every run.
func (r *request) withJSON(v any) *request {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("conformance: encode request body: %v", err))
	}
	r.body = b
	return r
}

// resolvedPath fills the template's parameters, escaping each. It refuses
// a parameter that is missing or empty: "/applications//token" would reach
// another route, or none, and the answer would say nothing about the case.
func (r *request) resolvedPath() (string, error) {
	segs := strings.Split(r.path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
			continue
		}
		name := strings.Trim(s, "{}")
		v := r.params[name]
		if v == "" {
			hint := "a setup step answered none"
			if name == "client_id" {
				hint = "set " + EnvClientID
			}
			return "", fmt.Errorf("cannot send %s %s: the path parameter {%s} is empty (%s)", r.method, r.path, name, hint)
		}
		segs[i] = url.PathEscape(v)
	}
	return strings.Join(segs, "/"), nil
}

// exchange is a request and what the target answered.
type exchange struct {
	method string
	path   string // as sent, with the base path and query
	reqHdr http.Header
	reqBdy []byte
	status int
	header http.Header
	body   []byte
	dry    bool // dry run: nothing was sent, the answer is made up
	miss   bool // a replay had no recorded answer
	doc    any  // decoded body, lazily
	parsed bool
}

// json decodes the body once; nil when it is not JSON.
func (e *exchange) json() any {
	if !e.parsed {
		e.parsed = true
		dec := json.NewDecoder(bytes.NewReader(e.body))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			e.doc = v
		}
	}
	return e.doc
}

// object returns the body as a JSON object, or nil.
func (e *exchange) object() map[string]any {
	m, _ := e.json().(map[string]any)
	return m
}

// list returns the body as a JSON array of objects.
func (e *exchange) list() []map[string]any {
	a, _ := e.json().([]any)
	out := make([]map[string]any, 0, len(a))
	for _, x := range a {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// str returns a string field of the body's object; in a dry run, a
// placeholder naming the field.
func (e *exchange) str(field string) string {
	if e.dry {
		return "{" + field + "}"
	}
	return str(e.object(), field)
}

// id returns the body's "id" as text; in a dry run, "{id}".
func (e *exchange) id() string {
	if e.dry {
		return "{id}"
	}
	return idOf(e.object())
}

func str(m map[string]any, field string) string {
	s, _ := m[field].(string)
	return s
}

func idOf(m map[string]any) string {
	switch v := m["id"].(type) {
	case json.Number:
		return v.String()
	case string:
		return v
	}
	return ""
}

// nested returns m[a][b] as a string.
func nested(m map[string]any, a, b string) string {
	inner, _ := m[a].(map[string]any)
	return str(inner, b)
}

// basic encodes Basic credentials.
func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// contentTypeJSON reports whether a Content-Type is JSON.
func contentTypeJSON(ct string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// evidence is the masked excerpt of an exchange.
func (e *exchange) evidence(m *masker) *Evidence {
	if e == nil || e.dry {
		return nil
	}
	var req strings.Builder
	req.WriteString(e.method + " " + m.text(maskPath(e.path)))
	if a := e.reqHdr.Get("Authorization"); a != "" {
		req.WriteString("\nAuthorization: " + m.authorization(a))
	}
	if v := e.reqHdr.Get("If-None-Match"); v != "" {
		req.WriteString("\nIf-None-Match: " + v)
	}
	if len(e.reqBdy) > 0 {
		req.WriteString("\n\n" + cut(m.body(e.reqBdy), 400))
	}
	resp := strconv.Itoa(e.status)
	if ct := e.header.Get("Content-Type"); ct != "" {
		resp += " " + ct
	}
	if l := e.header.Get("Link"); l != "" {
		resp += "\nLink: " + m.text(l)
	}
	if len(e.body) > 0 {
		resp += "\n\n" + cut(m.body(e.body), 600)
	}
	return &Evidence{Request: req.String(), Response: resp}
}

// maskPath masks the token segment of the legacy path-token endpoints
// (/applications/{client_id}/tokens/{access_token}), whatever its shape.
func maskPath(p string) string {
	path, q, hasQ := strings.Cut(p, "?")
	segs := strings.Split(path, "/")
	for i := 1; i < len(segs); i++ {
		if (segs[i-1] == "tokens" || segs[i-1] == "grants") && i >= 3 && segs[i-3] == "applications" && segs[i] != "" {
			segs[i] = masked
		}
	}
	out := strings.Join(segs, "/")
	if hasQ {
		out += "?" + q
	}
	return out
}

// cut shortens s to at most n bytes, on a rune boundary, and marks the cut
// with an ellipsis.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
