package replay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"

	"github.com/oauthcompat/oauthcompat/internal/contentcoding"
	"github.com/oauthcompat/oauthcompat/internal/secretscan"
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
	add      func(field, format string, a ...any)
	field    string           // the field being walked, as redact.EachField names it
	reported map[string]bool  // parts and fields reported on
	public   map[string]bool  // parts holding published test credentials
	seen     map[seenKey]bool // field and value pairs judged
	pre      *preparsed       // what the other checks parsed already
	path     jsonPath         // where the JSON walk is
}

// preparsed is what every check of an interaction reads: the request URL
// and the response body, parsed once.
type preparsed struct {
	url    *url.URL
	urlErr error
	body   jsonDoc
}

// jsonDoc is a text and what [parseJSON] makes of it.
type jsonDoc struct {
	src   string
	value any
	valid bool
}

// parseJSON parses s, or takes the parse of the response body when s is
// that body.
func (w *secretWalk) parse(s string) (any, bool) {
	if w.pre != nil && w.pre.body.src == s {
		return w.pre.body.value, w.pre.body.valid
	}
	return parseJSON(s)
}

// lintSecrets reports every secret left in clear, naming where it is
// (never what it is): without the key by the form of pseudonyms, with it
// by whether the key reproduces them; then every token shape the scanner
// finds in any field (see [redact.Scan]: host, status, header names...)
// that the walk did not already report; and with the key, whether
// redacting the interaction again would change anything.
func lintSecrets(it *cassette.Interaction, r *redact.Redactor, pre *preparsed, add func(field, format string, a ...any)) {
	w := walks.Get().(*secretWalk)
	defer func() {
		if len(w.reported)+len(w.public)+len(w.seen) > maxKeptWalk {
			// Clearing a map costs what it ever held: start afresh after
			// an interaction with many values.
			walks.Put(newWalk())
			return
		}
		clear(w.reported)
		clear(w.public)
		clear(w.seen)
		*w = secretWalk{reported: w.reported, public: w.public, seen: w.seen, path: w.path[:0]}
		walks.Put(w)
	}()
	w.j, w.add, w.pre = judge{r}, add, pre
	w.interaction(it)
	w.scan(it, r)
	if r != nil {
		w.fixedPoint(it, r)
	}
}

// walks keeps the walks' maps from one interaction to the next, when
// they hold no more than maxKeptWalk entries.
var walks = sync.Pool{New: func() any { return newWalk() }}

const maxKeptWalk = 256

func newWalk() *secretWalk {
	return &secretWalk{reported: map[string]bool{}, public: map[string]bool{}, seen: map[seenKey]bool{}}
}

func (w *secretWalk) check(part, what, v string) {
	if why := w.judge(part, v); why != "" {
		w.report(part, what, why)
	}
}

// judge returns why v may not stay in part of the current field, or ""
// when it may or was judged there already.
func (w *secretWalk) judge(part, v string) string {
	if reference.IsTestSecret(v) {
		w.public[part] = true
	}
	k := seenKey{w.field, v}
	if w.seen[k] {
		return ""
	}
	w.seen[k] = true
	return w.j.verdict(v)
}

// report reports what in part: why it may not stay.
func (w *secretWalk) report(part, what, why string) {
	w.reported[part] = true
	w.reported[w.field], w.reported[shownField(w.field)] = true, true
	w.add(shownField(w.field), "%s: %s %s", part, what, why)
}

// seenKey is a value judged in a field.
type seenKey struct{ field, v string }

// text checks every secret the scanner finds in s (see
// [secretscan.Find]: token shapes glued or percent-encoded, legacy path
// tokens in any spelling, credentials after a scheme word), as the
// redactor replaces each; Basic credentials by their password.
func (w *secretWalk) text(part, what, s string) {
	w.found(part, what, secretscan.Find(s))
}

// found checks the secrets secretscan.Find found in what.
func (w *secretWalk) found(part, what string, secrets []string) {
	for _, m := range secrets {
		if len(m) >= 8 {
			if _, pass, colon, ok := redact.DecodeBasic(m); ok && colon {
				w.check(part, what+" holds Basic credentials whose password", pass)
				continue
			}
		}
		w.check(part, what+" holds a token-shaped string or credential that", m)
	}
}

func (w *secretWalk) interaction(it *cassette.Interaction) {
	w.headers("request", "request.headers", it.Request.Headers)
	w.headers("request trailer", "request.trailer", it.Request.Trailer)
	w.field = "request.url"
	w.url(it.Request.URL)
	for _, k := range sortedKeys(it.Request.Form) {
		w.field = "request.form[" + k + "]"
		for _, v := range it.Request.Form[k] {
			w.value("request form", k, v)
		}
	}
	w.field = "request.body"
	w.body("request body", it.Request.Body, it.Request.Headers)
	w.headers("response", "response.headers", it.Response.Headers)
	w.headers("response trailer", "response.trailer", it.Response.Trailer)
	w.field = "response.body"
	w.body("response body", it.Response.Body, it.Response.Headers)
}

// scan reports the token shapes [redact.Scan] finds in any field the walk
// did not report on: what the walk does not know about (a status text, a
// header name, the host) is covered as the recorder's last sweep covers
// it.
func (w *secretWalk) scan(it *cassette.Interaction, r *redact.Redactor) {
	known := func(s string) bool {
		return reference.IsTestSecret(s) || redact.IsPseudonym(s) && !redact.HasValidChecksum(s)
	}
	if r != nil {
		known = func(s string) bool { return reference.IsTestSecret(s) || r.Known(s) }
	}
	for _, f := range redact.Scan(it, nil, known) {
		// EachField names a field as shownField does.
		if w.reported[f.Field] || w.reported[shownField(f.Field)] {
			continue
		}
		w.reported[f.Field] = true
		w.add(shownField(f.Field), "%s holds a token shape at byte %d that is not a pseudonym", shownField(f.Field), f.Start)
	}
}

// shownField is a field name as a finding shows it: a header or form name
// that is itself a secret by its shape.
func shownField(field string) string {
	a, z := strings.IndexByte(field, '['), strings.LastIndexByte(field, ']')
	if a < 0 || z < a {
		return field
	}
	return field[:a+1] + shapeName(field[a+1:z]) + field[z:]
}

// shapeName is a header or form name as [redact.EachField] names it in a
// field: its token shapes masked.
func shapeName(k string) string {
	return redact.ReplaceTokens(k, func(string) string { return "REDACTED" })
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (w *secretWalk) headers(side, field string, h http.Header) {
	var buf [16]string
	names := buf[:0]
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		n := headerNamesOf(side, field, k)
		part := n.part
		w.field = n.nameField
		w.text(part, "the name", k)
		w.field = n.valueField
		for _, v := range h[k] {
			switch n.canonical {
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

// headerNames are the names a header's checks use, made once per side
// and header name: the part, the fields of its name and of its values,
// and its canonical name.
type headerNames struct{ part, nameField, valueField, canonical string }

type headerKey struct{ side, field, name string }

// headerNameCache holds the names of the headers seen, up to
// maxHeaderNames (a recording has few header names; one with many more
// is checked without the cache).
var headerNameCache sync.Map // headerKey → *headerNames

var headerNameCount atomic.Int64

const maxHeaderNames = 4096

func headerNamesOf(side, field, k string) *headerNames {
	key := headerKey{side, field, k}
	if n, ok := headerNameCache.Load(key); ok {
		return n.(*headerNames)
	}
	n := &headerNames{
		part:       side + " header " + shapeName(k),
		nameField:  field + "[" + k + "]#name",
		valueField: field + "[" + k + "]",
		canonical:  http.CanonicalHeaderKey(k),
	}
	if headerNameCount.Load() < maxHeaderNames {
		if _, loaded := headerNameCache.LoadOrStore(key, n); !loaded {
			headerNameCount.Add(1)
		}
	}
	return n
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
	var u *url.URL
	var err error
	if w.pre != nil {
		u, err = w.pre.url, w.pre.urlErr
	} else {
		u, err = url.Parse(raw)
	}
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
	// The whole URL, decoded as a server would: a legacy path spelled
	// /%61pplications/... or .../1%2Ftokens%2F... holds a token too.
	w.text(part, "the path", u.EscapedPath())
}

// value checks the value of a named form, query or JSON field.
func (w *secretWalk) value(part, name, v string) {
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
	if codings := contentcoding.Codings(h); len(codings) > 0 {
		plain, err := contentcoding.Decode(codings, []byte(body), maxDecoded, false)
		if err != nil {
			// What cannot be read cannot be told clean.
			w.reported[part], w.reported[w.field] = true, true
			w.add(shownField(w.field), "%s: is stored %s-encoded and does not decode (%v): whatever it holds was not checked; re-record through the recorder, which stores bodies decoded", part, strings.Join(codings, ", "), err)
			return
		}
		body = string(plain)
	}
	body = strings.TrimPrefix(body, "\ufeff") // a byte-order mark (curl -d @file.json)
	ctype := strings.ToLower(h.Get("Content-Type"))
	trimmed := strings.TrimSpace(body)
	isJSON := trimmed != "" && (trimmed[0] == '{' || trimmed[0] == '[')
	if mt, params, err := mime.ParseMediaType(ctype); err == nil && strings.HasPrefix(mt, "multipart/") && params["boundary"] != "" && !isJSON {
		if w.multipart(part, body, params["boundary"]) {
			return
		}
	}
	var doc any
	valid := false
	if isJSON || strings.Contains(ctype, "json") || ctype == "" {
		doc, valid = w.parse(trimmed)
	}
	switch {
	case valid:
		w.path = w.path[:0]
		w.json(part, doc, "")
		return
	case isJSON:
		// JSON that does not parse (cut at the recording cap): the
		// redactor redacts it leniently, and so is it checked.
		w.lenient(part, body)
	case strings.Contains(ctype, "x-www-form-urlencoded") || ctype == "" && strings.Contains(trimmed, "=") && !strings.ContainsAny(trimmed, " \t\r\n"):
		w.pairs(part, "the field ", trimmed)
		w.text(part, "the body", body)
		return
	default:
		// Any other text (text/plain "client_secret=…&password=…", HTML,
		// an error page): secret fields written name=value or name: value.
		w.lenient(part, body)
	}
	w.text(part, "the body", body)
}

// secretPair finds "name=value", "name: value" and "name":"value" in text.
var secretPair = regexp.MustCompile(`([A-Za-z][A-Za-z0-9_-]*)["']?[ \t]*[=:][ \t]*["']?([^&\s"',;}]+)`)

// lenient checks the values of secret fields written as name=value or
// name: value anywhere in a text body.
func (w *secretWalk) lenient(part, body string) {
	for _, m := range secretPair.FindAllStringSubmatch(body, -1) {
		if redact.IsSecretField(m[1]) {
			v := m[2]
			if plain, err := url.QueryUnescape(v); err == nil {
				v = plain
			}
			w.check(part, "the field "+strings.ToLower(m[1]), v)
		}
	}
}

// multipart checks each part of a multipart body: a part named as a secret
// field is judged whole, any other as text or as a body of its own type.
// It reports false when the body does not parse as multipart.
func (w *secretWalk) multipart(part, body, boundary string) bool {
	r := multipart.NewReader(strings.NewReader(body), boundary)
	any := false
	for {
		p, err := r.NextPart()
		if err != nil {
			return any
		}
		b, err := io.ReadAll(io.LimitReader(p, 1<<24))
		if err != nil {
			return any
		}
		any = true
		name := p.FormName()
		what := part + " part " + shapeName(name)
		w.text(what, "the name", name)
		if redact.IsSecretField(name) {
			w.check(what, "the field "+strings.ToLower(name), strings.TrimSpace(string(b)))
			continue
		}
		w.body(what, string(b), http.Header(p.Header))
	}
}

// json checks a decoded JSON value held by the member key (values in an
// array take the key of the member holding the array, as the redactor
// does). Objects keep every member in order, duplicates too: a duplicate
// key may hide a secret from a decoder that keeps only one. The JSON
// pointer of a value is only spelled out for a finding.
func (w *secretWalk) json(part string, t any, key string) {
	switch x := t.(type) {
	case object:
		tok := objectToken(x)
		for _, m := range x {
			w.path = append(w.path, pathSeg{key: m.Key})
			if found := secretscan.Find(m.Key); len(found) > 0 {
				w.found(part, "the member name at "+w.path.String(), found)
			}
			if s, ok := m.Value.(string); ok && (m.Key == "hashed_token" || m.Key == "token_last_eight") {
				w.derived(part, m.Key, s, tok)
			} else {
				w.json(part, m.Value, m.Key)
			}
			w.path = w.path[:len(w.path)-1]
		}
	case []any:
		for i, v := range x {
			w.path = append(w.path, pathSeg{index: i, isIndex: true})
			w.json(part, v, key)
			w.path = w.path[:len(w.path)-1]
		}
	case string:
		if redact.IsSecretField(key) && x != "" {
			if why := w.judge(part, x); why != "" {
				w.report(part, w.path.String(), why)
			}
		} else if found := secretscan.Find(x); len(found) > 0 {
			w.found(part, w.path.String(), found)
		}
	case json.Number:
		if redact.IsSecretField(key) {
			if why := w.judge(part, x.String()); why != "" {
				w.report(part, w.path.String(), why)
			}
		}
	}
}

// jsonPath is a position in a JSON value, spelled as a JSON pointer by
// String.
type jsonPath []pathSeg

type pathSeg struct {
	key     string
	index   int
	isIndex bool
}

// String is the JSON pointer of p ("" for the whole value), a
// token-shaped member name hidden.
func (p jsonPath) String() string { return p.spell(pointerSegment) }

// plain is p with its member names as they are, "/" between them.
func (p jsonPath) plain() string { return p.spell(func(k string) string { return k }) }

func (p jsonPath) spell(name func(string) string) string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('/')
		if s.isIndex {
			b.WriteString(strconv.Itoa(s.index))
		} else {
			b.WriteString(name(s.key))
		}
	}
	return b.String()
}

// object is a JSON object with its members in order, duplicates kept.
type object = schemas.Object

// objectToken is the object's token: its last non-empty "token" string member.
func objectToken(o object) string {
	tok := ""
	for _, m := range o {
		if s, ok := m.Value.(string); ok && m.Key == "token" && s != "" {
			tok = s
		}
	}
	return tok
}

// derived checks hashed_token and token_last_eight. Next to a token they
// are derived from it (lintHashes checks they agree); the hash of a real
// token is reported here. Without a token (GitHub blanks it after
// creation) they are pseudonyms of their own.
func (w *secretWalk) derived(part, key, v, tok string) {
	if v == "" {
		return
	}
	if tok == "" {
		if why := w.judge(part, v); why != "" {
			w.report(part, w.path.String()+" (the token not shown)", why)
		}
		return
	}
	obj := func() string { return w.path[:len(w.path)-1].String() }
	if key == "token_last_eight" && !strings.HasSuffix(tok, v) {
		// Beside a token it is the token's end; anything else is the end
		// of another token, kept when the token was replaced.
		if why := w.judge(part, v); why != "" {
			w.report(part, w.path.String()+" (not the end of "+obj()+"/token)", why)
		}
	}
	if key == "hashed_token" && redact.HasValidChecksum(tok) && !reference.IsTestSecret(tok) {
		sum := sha256.Sum256([]byte(tok))
		if strings.EqualFold(hex.EncodeToString(sum[:]), v) {
			w.reported[part], w.reported[w.field] = true, true
			w.add(shownField(w.field), "%s: %s is the SHA-256 of %s/token, a GitHub token with a valid checksum: the hash of a real token", part, w.path.String(), obj())
		}
	}
}

// pointerEscaper escapes "~" and "/" in a JSON pointer segment.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointerSegment escapes a JSON member name for a pointer, and hides it
// when it is token-shaped (a finding never holds a secret).
func pointerSegment(k string) string {
	if redact.TokenPattern.MatchString(k) {
		return "<token-shaped name>"
	}
	return pointerEscaper.Replace(k)
}

// fixedPoint reports, with the key, every part of the interaction that
// redacting again would change and that the walk did not already explain:
// the exact test, for whatever the walk does not know about.
func (w *secretWalk) fixedPoint(it *cassette.Interaction, r *redact.Redactor) {
	// The Redactor replaces a header or form map it changes, never
	// modifies it (TestFixedPointLeavesTheInteraction), so copies of the
	// structs are enough to compare.
	req := it.Request
	r.Request(&req)
	resp := it.Response
	r.Response(&resp)
	report := func(part, field string, changed bool) {
		// Redacting again changes a published test credential, which may
		// stay in clear.
		if changed && !w.reported[part] && !w.reported[field] && !w.public[part] {
			w.reported[part] = true
			w.add(field, "%s holds a secret that is not a pseudonym of this key", part)
		}
	}
	for _, side := range []struct {
		name, field string
		old, new    http.Header
	}{
		{"request", "request.headers", it.Request.Headers, req.Headers}, {"request trailer", "request.trailer", it.Request.Trailer, req.Trailer},
		{"response", "response.headers", it.Response.Headers, resp.Headers}, {"response trailer", "response.trailer", it.Response.Trailer, resp.Trailer},
	} {
		for _, k := range changedHeaders(side.old, side.new) {
			report(side.name+" header "+shapeName(k), shownField(side.field+"["+k+"]"), true)
		}
	}
	report("request URL", "request.url", req.URL != it.Request.URL)
	report("request form", "request.form", !sameValues(req.Form, it.Request.Form))
	report("request body", "request.body", req.Body != it.Request.Body)
	report("response body", "response.body", resp.Body != it.Response.Body)
}

func changedHeaders(a, b http.Header) []string {
	var out []string
	for k, vs := range a {
		if !slices.Equal(vs, b[k]) && strings.Join(vs, "\x00") != strings.Join(b[k], "\x00") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
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

// maxDecoded bounds what a stored body decodes to: a body that decodes to
// more is reported, not read whole.
const maxDecoded = 64 << 20

// storedBody is a stored body as its reader sees it: decoded when it still
// carries a Content-Encoding (a cassette not written by the recorder); as
// it is when it does not decode (the secret check reports that).
func storedBody(h http.Header, body string) string {
	if codings := contentcoding.Codings(h); len(codings) > 0 {
		if plain, err := contentcoding.Decode(codings, []byte(body), maxDecoded, false); err == nil {
			return string(plain)
		}
	}
	return body
}

// locateFindings sets the line of each finding of the cassette at path:
// its field's line when it names one, else its interaction's. The file is
// read again, whole, only when a finding names a field (a secret left in
// clear, which should be rare): a clean cassette of any size costs
// nothing more, and a cassette larger than maxLocate is not read again
// (its findings keep the interaction's index and field, without a line),
// so that lint's memory stays bounded.
// maxLocate is the largest cassette whose findings get line numbers: a
// YAML node tree takes several times the file's size.
const maxLocate = 16 << 20

func locateFindings(path string, fs []Finding) {
	named := false
	for _, f := range fs {
		named = named || f.Field != ""
	}
	if st, err := os.Stat(path); !named || err != nil || st.Size() > maxLocate {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return
	}
	items := yamlValue(root.Content[0], "interactions")
	if items == nil || items.Kind != yaml.SequenceNode {
		return
	}
	for k := range fs {
		f := &fs[k]
		if f.Interaction < 0 || f.Interaction >= len(items.Content) || f.Line > 0 {
			continue
		}
		it := items.Content[f.Interaction]
		f.Line = it.Line
		if n := fieldNode(it, f.Field); n != nil {
			f.Line = n.Line
		}
	}
}

// fieldNode finds the node of a field named as [redact.EachField] names
// it ("request.headers[Name]", "request.headers[Name]#name",
// "response.body") in an interaction's node: the key of a header or form
// name, the first value of a header or form value, else the key of the
// field.
func fieldNode(it *yaml.Node, field string) *yaml.Node {
	side, rest, ok := strings.Cut(field, ".")
	if !ok {
		return nil
	}
	m := yamlValue(it, side)
	if m == nil {
		return nil
	}
	name, sub, hasSub := strings.Cut(rest, "[")
	if !hasSub {
		return yamlKey(m, name)
	}
	sub, suffix, _ := strings.Cut(sub, "]")
	h := yamlValue(m, name)
	if h == nil || h.Kind != yaml.MappingNode {
		return yamlKey(m, name)
	}
	key := yamlKey(h, sub)
	if key == nil || suffix == "#name" {
		if key == nil {
			return yamlKey(m, name)
		}
		return key
	}
	if v := yamlValue(h, sub); v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 0 {
		return v.Content[0]
	}
	return key
}

// yamlKey and yamlValue find the key of a mapping, or its value, as it is
// or as a finding shows it (a secret name by its shape).
func yamlKey(m *yaml.Node, key string) *yaml.Node { return yamlAt(m, key, 0) }

func yamlValue(m *yaml.Node, key string) *yaml.Node { return yamlAt(m, key, 1) }

func yamlAt(m *yaml.Node, key string, at int) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for _, shaped := range []bool{false, true} {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i].Value
			if shaped {
				k = shapeName(k)
			}
			if k == key {
				return m.Content[i+at]
			}
		}
	}
	return nil
}
