package redact

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// url redacts a request URL: user info, secret path parameters, query
// values and token-shaped strings. A URL that does not parse, or whose path
// url.Parse does not see (an opaque URL), is redacted by unparsed.
func (r *Redactor) url(method, raw string) string {
	if raw == "" || r.plainURL(raw) {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return r.unparsed(raw)
	}
	if u.User != nil {
		name := r.clientID(u.User.Username())
		if p, ok := u.User.Password(); ok {
			u.User = url.UserPassword(name, r.value(p))
		} else {
			u.User = url.User(name)
		}
	}
	r.path(method, u)
	u.RawQuery = r.pairs(u.RawQuery)
	u.Fragment = r.text(u.Fragment)
	u.RawFragment = ""
	u.Host = r.text(u.Host)
	return u.String()
}

// plainURL reports, without parsing it, that redaction leaves raw as it
// is: an absolute URL without user info, query, fragment or escapes, with
// no token shape anywhere and no path segment that carries a token, and
// client ids kept. (Parsed and printed again, such a URL would only be
// normalised.)
func (r *Redactor) plainURL(raw string) bool {
	if r.opts.PseudonymizeClientID || strings.ContainsAny(raw, "@?#%\\") || mayHoldToken(raw) {
		return false
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || !validScheme(scheme) {
		return false // not what url.Parse takes for scheme://host/path
	}
	i := strings.IndexByte(rest, '/')
	return i >= 0 && schemas.SecretPathParams(rest[i:]) == nil
}

// unparsed redacts a URL url.Parse rejects or sees no path in, from its
// text: the user info of what follows "://", the path segments that carry
// a token (by position from any "applications" segment, see
// [schemas.SecretPathParams]), the query pair by pair, and token shapes
// everywhere.
func (r *Redactor) unparsed(raw string) string {
	var b strings.Builder
	start := 0 // where the path starts
	if i := strings.Index(raw, "://"); i >= 0 {
		start = len(raw)
		if j := strings.IndexByte(raw[i+3:], '/'); j >= 0 {
			start = i + 3 + j
		}
		authority := raw[i+3 : start]
		b.WriteString(r.text(raw[:i+3]))
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			name, pass, hasPass := strings.Cut(authority[:at], ":")
			b.WriteString(r.clientID(name))
			if hasPass {
				b.WriteString(":" + r.value(pass))
			}
			authority = authority[at:]
		}
		b.WriteString(r.text(authority))
	}
	end := len(raw)
	if k := strings.IndexAny(raw[start:], "?#"); k >= 0 {
		end = start + k
	}
	path := raw[start:end]
	if p, ok := r.legacyPath(path); ok {
		b.WriteString(p)
		b.WriteString(r.unparsedRest(raw[end:]))
		return b.String()
	}
	segs := strings.Split(path, "/")
	// What comes before the path may be malformed too: the legacy
	// endpoints are looked for from every "applications" segment.
	secret := secretSegments(path)
	for i, seg := range segs {
		if slices.Contains(secret, i) {
			segs[i] = r.value(seg)
		} else {
			segs[i] = r.text(seg)
		}
	}
	b.WriteString(strings.Join(segs, "/"))
	b.WriteString(r.unparsedRest(raw[end:]))
	return b.String()
}

// unparsedRest redacts what follows the path of a URL url.Parse rejects:
// the query pair by pair, the fragment as text.
func (r *Redactor) unparsedRest(rest string) string {
	if q, ok := strings.CutPrefix(rest, "?"); ok {
		q, frag, hasFrag := strings.Cut(q, "#")
		out := "?" + r.pairs(q)
		if hasFrag {
			out += "#" + r.text(frag)
		}
		return out
	}
	return r.text(rest)
}

// legacyPath recognises a legacy token path spelt otherwise than plainly
// (/%61pplications/{id}/tokens/X, /applications/{id}%2Ftokens%2FX, twice
// encoded): when escaped is no legacy path as it is but its decoded
// spelling is one (from any "applications" segment), it returns that
// spelling with the token segment pseudonymised whatever its shape, the
// other segments redacted as text, each segment escaped again.
func (r *Redactor) legacyPath(escaped string) (string, bool) {
	if strings.IndexByte(escaped, '%') < 0 || secretSegments(escaped) != nil {
		return "", false
	}
	dec := escaped
	for range 3 {
		d, err := url.PathUnescape(dec)
		if err != nil || d == dec {
			break
		}
		dec = d
	}
	// A decoded "?" or "#" is part of a segment here, not a query or
	// fragment: it is hidden from SecretPathParams, which cuts there.
	secret := secretSegments(queryMarks.Replace(dec))
	if secret == nil {
		return "", false
	}
	segs := strings.Split(dec, "/")
	for i, seg := range segs {
		if slices.Contains(secret, i) {
			segs[i] = url.PathEscape(r.value(seg))
		} else {
			segs[i] = url.PathEscape(r.text(seg))
		}
	}
	return strings.Join(segs, "/"), true
}

// queryMarks hides "?" and "#" behind bytes of the same length.
var queryMarks = strings.NewReplacer("?", "\x01", "#", "\x02")

// secretSegments returns the indexes of the "/"-separated segments of
// path that carry a token: [schemas.SecretPathParams] from any
// "applications" segment.
func secretSegments(path string) []int {
	segs := strings.Split(path, "/")
	var secret []int
	for k, seg := range segs {
		if strings.EqualFold(seg, "applications") {
			for _, i := range schemas.SecretPathParams(strings.Join(segs[k:], "/")) {
				secret = append(secret, k+i)
			}
		}
	}
	return secret
}

// validScheme reports whether s is a URL scheme as url.Parse reads one: a
// letter, then letters, digits, "+", "-" or ".".
func validScheme(s string) bool {
	if s == "" || !('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '+', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// requestURI redacts a request's raw request-target.
func (r *Redactor) requestURI(method, raw string) string {
	u, err := url.ParseRequestURI(raw)
	if err != nil || u.Opaque != "" {
		return r.unparsed(raw)
	}
	if u.Scheme != "" {
		return r.url(method, raw)
	}
	r.path(method, u)
	u.RawQuery = r.pairs(u.RawQuery)
	return u.RequestURI()
}

// path redacts the path of u in place: the segments that carry a token
// (see [schemas.SecretPathParams]: the legacy
// /applications/{client_id}/tokens/{access_token} endpoints, whatever the
// method), client ids when the options say so, and token-shaped segments.
func (r *Redactor) path(method string, u *url.URL) {
	escaped := u.EscapedPath()
	if p, ok := r.legacyPath(escaped); ok {
		if plain, err := url.PathUnescape(p); err == nil {
			u.Path, u.RawPath = plain, p
		}
		return
	}
	segs := strings.Split(escaped, "/")
	names := r.paramNames(method, escaped, len(segs))
	changed := false
	for i, seg := range segs {
		plain, err := url.PathUnescape(seg)
		if err != nil {
			plain = seg
		}
		var repl string
		switch name := names[i]; {
		case IsSecretField(name):
			repl = r.value(plain)
		case isClientIDField(name):
			repl = r.clientID(plain)
		default:
			repl = r.text(plain)
		}
		if repl != plain {
			segs[i] = url.PathEscape(repl)
			changed = true
		}
	}
	if !changed {
		return
	}
	escaped = strings.Join(segs, "/")
	if p, err := url.PathUnescape(escaped); err == nil {
		u.Path, u.RawPath = p, escaped
	}
}

// paramNames returns, for each of n "/"-separated segments of path,
// "access_token" for the segments [schemas.SecretPathParams] names (by
// position, any method), "client_id" for the client id of a catalog
// operation, or "".
func (r *Redactor) paramNames(method, path string, n int) []string {
	names := make([]string, n)
	for _, i := range schemas.SecretPathParams(path) {
		if i < n {
			names[i] = "access_token"
		}
	}
	if !r.opts.PseudonymizeClientID || !schemas.IsOAuthPath(path) {
		return names
	}
	op, ok := schemas.Default().Lookup(method, path)
	if !ok {
		return names
	}
	offset := 0
	if strings.HasPrefix(path, "/api/v3/") {
		offset = 2 // "api", "v3" after the leading ""
	}
	for i, s := range strings.Split(op.Path, "/") {
		if j := i + offset; j < n && isClientIDField(strings.Trim(s, "{}")) && names[j] == "" {
			names[j] = "client_id"
		}
	}
	return names
}

// form returns a redacted copy of a recorded form (nil stays nil). A form
// parsed from the body (as the recorder and go-vcr make it) is parsed again
// from the redacted body, so it holds nothing the body does not: a JSON
// body sent as a form becomes one key holding the whole text. Any other
// form is redacted key by key and value by value, a key holding JSON text
// as a JSON body.
func (r *Redactor) form(v url.Values, body, redacted string) url.Values {
	if len(v) == 0 {
		return v // go-vcr records "form: {}" for every request without one
	}
	if parsed, _ := url.ParseQuery(body); sameValues(parsed, v) {
		out, _ := url.ParseQuery(redacted)
		return out
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		nk := r.text(k)
		jsonKey := looksLikeJSON(strings.TrimSpace(k))
		if jsonKey {
			nk = r.body(k, "application/json", false)
		}
		nv := make([]string, len(vs))
		for i, s := range vs {
			nv[i] = r.field(k, s)
			if jsonKey {
				nv[i] = r.lenient(nv[i])
			}
		}
		out[nk] = append(out[nk], nv...)
	}
	return out
}

func sameValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if av[i] != bv[i] {
				return false
			}
		}
	}
	return true
}

// field redacts the value of a named form, query or JSON field.
func (r *Redactor) field(name, v string) string {
	switch {
	case v == "":
		return v
	case IsSecretField(name):
		return r.value(v)
	case isClientIDField(name):
		return r.clientID(v)
	}
	return r.echoed(name, r.text(v))
}

// pairs redacts an application/x-www-form-urlencoded string (a query or a
// form body), keeping the order and encoding of what it does not change.
func (r *Redactor) pairs(s string) string {
	return RewritePairs(s, func(name, value string) (string, string) {
		return r.text(name), r.field(name, value)
	})
}

// RewritePairs rewrites an application/x-www-form-urlencoded string (a
// query or a form body) pair by pair: f gets each name and value,
// unescaped, and returns the new ones. What f leaves unchanged keeps its
// encoding; the order of the pairs is kept. Pairs are separated by "&", and
// also by ";" (which some servers accept and [url.ParseQuery] rejects),
// except in the value of a secret field ([IsSecretField]), which runs to
// the next "&": a secret holding a ";" is never cut in two. A pair without
// "=" has the value "" and keeps no "=" unless f gives it a value.
func RewritePairs(s string, f func(name, value string) (string, string)) string {
	if s == "" {
		return s
	}
	parts := strings.Split(s, "&")
	for i, p := range parts {
		parts[i] = rewritePart(p, f)
	}
	return strings.Join(parts, "&")
}

// rewritePart rewrites the pairs of one "&"-separated part.
func rewritePart(p string, f func(name, value string) (string, string)) string {
	var out []string
	for {
		k, v, hasValue := strings.Cut(p, "=")
		if j := strings.IndexByte(k, ';'); j >= 0 {
			// "a;b=c": a is a pair of its own.
			out = append(out, rewritePair(k[:j], "", false, f))
			p = p[j+1:]
			continue
		}
		if hasValue && !IsSecretField(unescapeQuery(k)) {
			if j := strings.IndexByte(v, ';'); j >= 0 {
				out = append(out, rewritePair(k, v[:j], true, f))
				p = v[j+1:]
				continue
			}
		}
		out = append(out, rewritePair(k, v, hasValue, f))
		return strings.Join(out, ";")
	}
}

func rewritePair(k, v string, hasValue bool, f func(name, value string) (string, string)) string {
	name, plain := unescapeQuery(k), unescapeQuery(v)
	nn, nv := f(name, plain)
	if nn != name {
		k = url.QueryEscape(nn)
	}
	if nv != plain {
		v = url.QueryEscape(nv)
		hasValue = true
	}
	if !hasValue {
		return k
	}
	return k + "=" + v
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

var formShape = regexp.MustCompile(`^[A-Za-z0-9_.\-\[\]%*]+(=[^\s&]*)?(&[A-Za-z0-9_.\-\[\]%*]+(=[^\s&]*)?)*$`)

// looksLikeForm reports whether an untyped body has the shape of a form.
func looksLikeForm(s string) bool { return strings.Contains(s, "=") && formShape.MatchString(s) }
