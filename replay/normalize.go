package replay

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// view is a request reduced to what matching compares. With shaping on,
// secrets are replaced by their shape; otherwise they are compared as they
// are (pseudonyms on both sides).
type view struct {
	method string
	path   string // without /api/v3
	query  string // canonical: keys and values sorted
	body   string // "", "j:" canonical JSON, "f:" canonical form, "r:" raw bytes
	cred   string // Authorization (shaped or pseudonymous) and OTP presence
	inm    string // If-None-Match
}

// key is the index key of v: everything but the credentials, which select a
// lane within the key.
func (v *view) key() string {
	return v.method + "\x00" + v.path + "\x00" + v.query + "\x00" + v.body + "\x00" + v.inm
}

// route groups the interactions a miss is compared with first.
func (v *view) route() string { return v.method + " " + v.path }

// normalizer turns recorded and incoming requests into views.
type normalizer struct {
	shape bool

	// What [Match] relaxes.
	ignoreAuth, ignoreOTP, ignoreINM bool
	ignoreQuery                      map[string]bool
	fields                           []fieldRule

	auths [64]atomic.Pointer[[2]string]   // Authorization values and their canonical forms
	urls  [1024]atomic.Pointer[[3]string] // URLs and the path and query of their views
}

func newNormalizer(shape bool, m Match) (*normalizer, error) {
	n := &normalizer{shape: shape}
	if err := n.compileMatch(m); err != nil {
		return nil, err
	}
	return n, nil
}

// request builds the view of a request given its parts. header may be nil.
// recorded says whether it is a recorded request (field patterns replace
// its values) or a live one (only values that match).
func (n *normalizer) request(method, rawURL string, u *url.URL, header http.Header, body []byte, recorded bool) view {
	v := view{method: strings.ToUpper(method)}
	if u == nil {
		v.path, v.query = n.urlParts(rawURL)
	} else {
		v.path, v.query = n.path(u.Path), n.query(u.RawQuery)
	}
	v.body = n.body(body, header.Get("Content-Type"), recorded)
	v.cred = n.cred(header)
	if !n.ignoreINM {
		v.inm = header.Get("If-None-Match")
	}
	return v
}

// urlParts returns the path and query of a view of rawURL. A recording
// repeats the same URLs: the last ones are remembered.
func (n *normalizer) urlParts(rawURL string) (path, query string) {
	slot := &n.urls[maphash.String(authSeed, rawURL)%uint64(len(n.urls))]
	if m := slot.Load(); m != nil && m[0] == rawURL {
		return m[1], m[2]
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		u = &url.URL{Path: rawURL}
	}
	path, query = n.path(u.Path), n.query(u.RawQuery)
	slot.Store(&[3]string{rawURL, path, query})
	return path, query
}

// path is p without /api/v3, and when shaping with the secret segments
// (see [schemas.SecretPathParams]: the legacy endpoints' tokens, whatever
// the method) and token-shaped strings replaced by their shapes.
func (n *normalizer) path(p string) string {
	p = schemas.StripPrefix(p)
	if !n.shape {
		return p
	}
	return shapePath(p)
}

// shapePath replaces the secret segments and token-shaped strings of a
// path by their shapes.
func shapePath(p string) string {
	if secret := schemas.SecretPathParams(p); secret != nil {
		segs := strings.Split(p, "/")
		for _, i := range secret {
			segs[i] = secretShape(segs[i])
		}
		p = strings.Join(segs, "/")
	}
	return shapeTokens(p)
}

func (n *normalizer) query(raw string) string {
	if raw == "" {
		return ""
	}
	q := parseQuery(raw)
	n.dropIgnoredQuery(q)
	return n.values(q)
}

// parseQuery parses a query or form body as [url.ParseQuery] does, and
// when that fails (a ";" in it) pair by pair as the redactor reads it (see
// [redact.RewritePairs]), so a secret value is still known by its name.
func parseQuery(raw string) url.Values {
	q, err := url.ParseQuery(raw)
	if err == nil {
		return q
	}
	q = url.Values{}
	redact.RewritePairs(raw, func(name, value string) (string, string) {
		q[name] = append(q[name], value)
		return name, value
	})
	return q
}

// values encodes form or query values canonically, secrets shaped.
func (n *normalizer) values(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := q[k]
		if n.shape {
			secret := redact.IsSecretField(k)
			k = shapeTokens(k)
			vs = append([]string(nil), vs...)
			for i, s := range vs {
				if secret {
					vs[i] = secretShape(s)
				} else {
					vs[i] = shapeTokens(s)
				}
			}
		}
		sort.Strings(vs)
		for _, s := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(s))
		}
	}
	return b.String()
}

func (n *normalizer) body(body []byte, contentType string, recorded bool) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	if body[0] == '{' && n.fields == nil {
		if c, ok := n.flatJSON(body); ok {
			return c
		}
	}
	if body[0] == '{' || body[0] == '[' {
		if t, ok := n.decodeJSON(body, recorded); ok {
			var b strings.Builder
			b.Grow(len(body) + 2)
			b.WriteString("j:")
			writeCanonical(&b, t)
			return b.String()
		}
		// JSON that does not parse is never a form, whatever the
		// Content-Type says: as a form its text would be a key.
	} else if isForm(contentType) {
		return "f:" + n.values(n.formValues(body, recorded))
	}
	if n.shape {
		return "r:" + shapeTokens(string(body))
	}
	return "r:" + string(body)
}

// flatJSON canonicalises the common request body, a flat object of plain
// strings ({"access_token":"..."}), without a JSON decoder; it reports false
// for anything else, which takes the general path. The result is the one
// writeCanonical gives.
func (n *normalizer) flatJSON(body []byte) (string, bool) {
	type kv struct{ k, v string }
	var pairs [8]kv
	kvs := pairs[:0]
	i := 1
	ws := func() {
		for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
			i++
		}
	}
	str := func() (string, bool) {
		if i >= len(body) || body[i] != '"' {
			return "", false
		}
		j := i + 1
		for j < len(body) && body[j] != '"' {
			// Text strconv.Quote leaves as it is.
			if c := body[j]; c == '\\' || c < 0x20 || c >= 0x7f {
				return "", false
			}
			j++
		}
		if j >= len(body) {
			return "", false
		}
		v := body[i+1 : j]
		i = j + 1
		return string(v), true
	}
	ws()
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			ws()
			k, ok := str()
			if !ok {
				return "", false
			}
			ws()
			if i >= len(body) || body[i] != ':' {
				return "", false
			}
			i++
			ws()
			v, ok := str()
			if !ok {
				return "", false
			}
			for _, p := range kvs {
				if p.k == k {
					return "", false // duplicate keys: json.Unmarshal keeps the last
				}
			}
			if n.shape {
				if redact.IsSecretField(k) {
					v = secretShape(v)
				} else {
					v = shapeTokens(v)
				}
			}
			kvs = append(kvs, kv{k, v})
			ws()
			if i < len(body) && body[i] == ',' {
				i++
				continue
			}
			if i < len(body) && body[i] == '}' {
				i++
				break
			}
			return "", false
		}
	}
	ws()
	if i != len(body) {
		return "", false
	}
	// Insertion sort: a request body has few members.
	for a := 1; a < len(kvs); a++ {
		for b := a; b > 0 && kvs[b].k < kvs[b-1].k; b-- {
			kvs[b], kvs[b-1] = kvs[b-1], kvs[b]
		}
	}
	// Keys and values are text strconv.Quote leaves as it is (shapes
	// too), so quoting is putting quotes around them.
	size := 4
	for _, p := range kvs {
		size += len(p.k) + len(p.v) + 6
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString("j:{")
	for x, p := range kvs {
		if x > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(p.k)
		b.WriteString(`":"`)
		b.WriteString(p.v)
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), true
}

func isForm(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// formValues parses a form body and applies the field rules.
func (n *normalizer) formValues(body []byte, recorded bool) url.Values {
	q := parseQuery(string(body))
	if n.fields != nil {
		n.applyFormFields(q, recorded)
	}
	return q
}

// decodeJSON decodes body and, when shaping, replaces secrets by shapes;
// then it applies the field rules.
func (n *normalizer) decodeJSON(body []byte, recorded bool) (any, bool) {
	// json.Unmarshal is cheaper than a Decoder on the request path; numbers
	// become float64, exact for the integers GitHub's ids are.
	var t any
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, false
	}
	if n.shape {
		t = shapeJSON(t, false)
	}
	if n.fields != nil {
		t = n.applyFields(t, recorded)
	}
	return t, true
}

// shapeJSON replaces secrets by shapes: every value under a secret member,
// at any depth ({"client_secret":{"v":"..."}}), numbers too, and
// token-shaped strings and member names anywhere.
func shapeJSON(t any, secret bool) any {
	switch x := t.(type) {
	case map[string]any:
		var renamed []string
		for k, v := range x {
			x[k] = shapeJSON(v, secret || redact.IsSecretField(k))
			if shapeTokens(k) != k {
				renamed = append(renamed, k)
			}
		}
		for _, k := range renamed {
			x[shapeTokens(k)] = x[k]
			delete(x, k)
		}
	case []any:
		for i, v := range x {
			x[i] = shapeJSON(v, secret)
		}
	case string:
		if secret {
			return secretShape(x)
		}
		return shapeTokens(x)
	case float64, bool:
		if secret {
			return "<secret>"
		}
	}
	return t
}

// writeCanonical writes t as JSON with sorted keys and normalised numbers.
func writeCanonical(b *strings.Builder, t any) {
	switch x := t.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			writeCanonical(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, v := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, v)
		}
		b.WriteByte(']')
	case string:
		b.WriteString(strconv.Quote(x))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case nil:
		b.WriteString("null")
	}
}

// auth is the canonical form of an Authorization value, shaped when
// shaping. A recording repeats the same few values: the last ones are
// remembered.
func (n *normalizer) auth(v string) string {
	if v == "" {
		return ""
	}
	slot := &n.auths[maphash.String(authSeed, v)%uint64(len(n.auths))]
	if m := slot.Load(); m != nil && m[0] == v {
		return m[1]
	}
	a := canonicalAuth(v)
	if n.shape {
		a = authShape(v)
	}
	slot.Store(&[2]string{v, a})
	return a
}

// authSeed seeds the hash of the normalizers' memory of Authorization
// values and URLs.
var authSeed = maphash.MakeSeed()

// cred is the credential lane: the Authorization value in canonical form
// (see [canonicalAuth]; shaped when shaping) and whether an OTP was sent
// (its value changes every 30 s, so only its presence counts).
func (n *normalizer) cred(h http.Header) string {
	var a string
	if !n.ignoreAuth {
		a = n.auth(h.Get("Authorization"))
	}
	if !n.ignoreOTP && h.Get("X-Github-Otp") != "" {
		a += " +otp"
	}
	return a
}
