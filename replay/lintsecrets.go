package replay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// judge decides whether a recorded secret is acceptable: a pseudonym
// (without the key, see [redact.IsPseudonym]), a pseudonym of the key
// (with it: a fixed point of the Redactor), or one of the reference
// server's published test credentials (see [reference.IsTestSecret]),
// which fixture packs hold in clear on purpose.
type judge struct{ r *redact.Redactor }

// verdict returns "" when v may stay in a cassette, else why not. It never
// includes v.
func (j judge) verdict(v string) string {
	switch {
	case v == "" || reference.IsTestSecret(v):
		return ""
	case redact.HasValidChecksum(v):
		return "is a GitHub token with a valid checksum: a real token, not a pseudonym"
	case j.r != nil:
		if j.r.Token(v) == v || j.r.Secret(v) == v {
			return ""
		}
		if redact.IsPseudonym(v) {
			return "is a pseudonym of another redaction key, not of this one"
		}
		return "is not a pseudonym of this redaction key"
	case redact.IsPseudonym(v):
		return ""
	}
	return "is not a redactor pseudonym; re-record through the recorder, which pseudonymises it"
}

// secretWalk visits every place the redactor pseudonymises, in the same
// way, and reports each value there that the judge rejects. It records
// the parts (a header, the URL, a body) it reported on.
type secretWalk struct {
	j        judge
	add      func(kind, format string, a ...any)
	reported map[string]bool
	public   map[string]bool // parts holding published test credentials
}

func (w *secretWalk) check(part, what, v string) {
	if reference.IsTestSecret(v) {
		w.public[part] = true
	}
	if why := w.j.verdict(v); why != "" {
		w.reported[part] = true
		w.add(FindingSecret, "%s: %s %s", part, what, why)
	}
}

// text checks every token-shaped substring of s, as the redactor replaces
// each.
func (w *secretWalk) text(part, what, s string) {
	for _, m := range redact.TokenPattern.FindAllString(s, -1) {
		w.check(part, what+" holds a token-shaped string that", m)
	}
}

func (w *secretWalk) interaction(it *cassette.Interaction) {
	w.headers("request", it.Request.Headers)
	w.headers("request trailer", it.Request.Trailer)
	w.url(it.Request.URL)
	for _, k := range sortedKeys(it.Request.Form) {
		for _, v := range it.Request.Form[k] {
			w.field("request form", k, v)
		}
	}
	w.body("request body", it.Request.Body, it.Request.Headers)
	w.headers("response", it.Response.Headers)
	w.headers("response trailer", it.Response.Trailer)
	w.body("response body", it.Response.Body, it.Response.Headers)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (w *secretWalk) headers(side string, h http.Header) {
	for _, k := range sortedKeys(h) {
		part := side + " header " + k
		for _, v := range h[k] {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Proxy-Authorization":
				w.authorization(part, v)
			case "X-Github-Otp":
				if !redact.IsOTPChallenge(v) { // "required; app" names no secret
					w.check(part, "the one-time password", v)
				}
			case "Cookie":
				for _, c := range strings.Split(v, ";") {
					if _, val, ok := strings.Cut(c, "="); ok {
						w.check(part, "a cookie value", unquoteCookie(val))
					} else {
						w.check(part, "a cookie", strings.TrimSpace(c))
					}
				}
			case "Set-Cookie":
				first, _, _ := strings.Cut(v, ";")
				if _, val, ok := strings.Cut(first, "="); ok {
					w.check(part, "the cookie value", unquoteCookie(val))
				} else {
					w.check(part, "the cookie", first)
				}
			default:
				w.text(part, "the value", v)
			}
		}
	}
}

func unquoteCookie(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// authorization checks credentials of any scheme as the redactor treats
// them: for Basic, the password (the user name, a client id or login, is
// not secret).
func (w *secretWalk) authorization(part, v string) {
	scheme, cred := redact.SplitAuthorization(v)
	if scheme == "" {
		w.check(part, "the credentials", cred)
		return
	}
	if !strings.EqualFold(scheme, "basic") {
		w.check(part, "the "+scheme+" credentials", cred)
		return
	}
	user, pass, colon, ok := redact.DecodeBasic(cred)
	if !ok {
		w.check(part, "the Basic credentials (not base64)", cred)
		return
	}
	if !colon {
		w.check(part, "the Basic credentials", user)
		return
	}
	w.text(part, "the Basic user name", user)
	w.check(part, "the Basic password", pass)
}

// url checks user info, secret path parameters (the legacy endpoints carry
// tokens in the path), secret query parameters and token-shaped strings.
func (w *secretWalk) url(raw string) {
	const part = "request URL"
	u, err := url.Parse(raw)
	if err != nil {
		w.text(part, "the URL", raw)
		return
	}
	if u.User != nil {
		w.text(part, "the user name", u.User.Username())
		if p, ok := u.User.Password(); ok {
			w.check(part, "the password", p)
		}
	}
	w.text(part, "the host", u.Host)
	segs := strings.Split(u.EscapedPath(), "/")
	secret := map[int]bool{}
	for _, i := range schemas.SecretPathParams(u.EscapedPath()) {
		secret[i] = true
	}
	for i, seg := range segs {
		if plain, err := url.PathUnescape(seg); err == nil {
			seg = plain
		}
		if secret[i] {
			w.check(part, "the path parameter {access_token}", seg)
		} else {
			w.text(part, "the path", seg)
		}
	}
	w.pairs(part, "the query parameter ", u.RawQuery)
	w.text(part, "the fragment", u.Fragment)
}

// field checks the value of a named form, query or JSON field.
func (w *secretWalk) field(part, name, v string) {
	switch {
	case v == "":
	case redact.IsSecretField(name):
		w.check(part, "the field "+strings.ToLower(name), v)
	default:
		w.text(part, name, v)
	}
}

// pairs checks an application/x-www-form-urlencoded string, naming each
// secret parameter after what.
func (w *secretWalk) pairs(part, what, s string) {
	for _, p := range strings.Split(s, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			w.text(part, "a parameter", p)
			continue
		}
		w.text(part, "a parameter name", name)
		if plain, err := url.QueryUnescape(v); err == nil {
			v = plain
		}
		if redact.IsSecretField(name) {
			w.check(part, what+strings.ToLower(name), v)
		} else if v != "" {
			w.text(part, "a parameter", v)
		}
	}
}

func (w *secretWalk) body(part, body string, h http.Header) {
	if body == "" {
		return
	}
	ctype := strings.ToLower(h.Get("Content-Type"))
	trimmed := strings.TrimSpace(body)
	isJSON := trimmed != "" && (trimmed[0] == '{' || trimmed[0] == '[')
	switch {
	case (isJSON || strings.Contains(ctype, "json") || ctype == "") && json.Valid([]byte(body)):
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		var t any
		if dec.Decode(&t) == nil {
			w.json(part, t, "", "")
			return
		}
	case isJSON:
		// JSON that does not parse (cut at the recording cap): the
		// redactor redacts it leniently; token shapes are what can be told
		// without the key.
	case strings.Contains(ctype, "x-www-form-urlencoded") || ctype == "" && strings.Contains(trimmed, "=") && !strings.ContainsAny(trimmed, " \t\r\n"):
		w.pairs(part, "the field ", body)
		return
	}
	w.text(part, "the body", body)
}

// json checks a decoded JSON value held by the member key (values in an
// array take the key of the member holding the array, as the redactor
// does).
func (w *secretWalk) json(part string, t any, ptr, key string) {
	switch x := t.(type) {
	case map[string]any:
		tok, _ := x["token"].(string)
		for _, k := range sortedKeys(x) {
			p := ptr + "/" + pointerSegment(k)
			v := x[k]
			if s, ok := v.(string); ok && (k == "hashed_token" || k == "token_last_eight") {
				w.derived(part, p, ptr, k, s, tok)
				continue
			}
			w.json(part, v, p, k)
		}
	case []any:
		for i, v := range x {
			w.json(part, v, fmt.Sprintf("%s/%d", ptr, i), key)
		}
	case string:
		if redact.IsSecretField(key) && x != "" {
			w.check(part, ptr, x)
		} else {
			w.text(part, ptr, x)
		}
	case json.Number:
		if redact.IsSecretField(key) {
			w.check(part, ptr, x.String())
		}
	}
}

// derived checks hashed_token and token_last_eight. Next to a token they
// are derived from it (lintHashes checks they agree); the hash of a real
// token is reported here. Without a token (GitHub blanks it after
// creation) they are pseudonyms of their own.
func (w *secretWalk) derived(part, ptr, obj, key, v, tok string) {
	if v == "" {
		return
	}
	if tok == "" {
		w.check(part, ptr+" (the token not shown)", v)
		return
	}
	if key == "hashed_token" && redact.HasValidChecksum(tok) && !reference.IsTestSecret(tok) {
		sum := sha256.Sum256([]byte(tok))
		if strings.EqualFold(hex.EncodeToString(sum[:]), v) {
			w.reported[part] = true
			w.add(FindingSecret, "%s: %s is the SHA-256 of %s/token, a GitHub token with a valid checksum: the hash of a real token", part, ptr, obj)
		}
	}
}

// pointerSegment escapes a JSON member name for a pointer, and hides it
// when it is token-shaped (a finding never holds a secret).
func pointerSegment(k string) string {
	if redact.TokenPattern.MatchString(k) {
		return "<token-shaped name>"
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}

// fixedPoint reports, with the key, every part of the interaction that
// redacting again would change and that the walk did not already explain:
// the exact test, for whatever the walk does not know about.
func (w *secretWalk) fixedPoint(it *cassette.Interaction, r *redact.Redactor) {
	req := it.Request
	req.Headers = req.Headers.Clone()
	req.Trailer = req.Trailer.Clone()
	r.Request(&req)
	resp := it.Response
	resp.Headers = resp.Headers.Clone()
	resp.Trailer = resp.Trailer.Clone()
	r.Response(&resp)
	report := func(part string, changed bool) {
		// Redacting again changes a published test credential, which may
		// stay in clear.
		if changed && !w.reported[part] && !w.public[part] {
			w.reported[part] = true
			w.add(FindingSecret, "%s holds a secret that is not a pseudonym of this key", part)
		}
	}
	for _, side := range []struct {
		name     string
		old, new http.Header
	}{
		{"request", it.Request.Headers, req.Headers}, {"request trailer", it.Request.Trailer, req.Trailer},
		{"response", it.Response.Headers, resp.Headers}, {"response trailer", it.Response.Trailer, resp.Trailer},
	} {
		for _, k := range changedHeaders(side.old, side.new) {
			report(side.name+" header "+k, true)
		}
	}
	report("request URL", req.URL != it.Request.URL)
	report("request form", !sameValues(req.Form, it.Request.Form))
	report("request body", req.Body != it.Request.Body)
	report("response body", resp.Body != it.Response.Body)
}

func sameValues(a, b url.Values) bool {
	var x, y bytes.Buffer
	for _, v := range []struct {
		vs  url.Values
		buf *bytes.Buffer
	}{{a, &x}, {b, &y}} {
		for _, k := range sortedKeys(v.vs) {
			fmt.Fprintf(v.buf, "%q=%q;", k, v.vs[k])
		}
	}
	return x.String() == y.String()
}
