package redact

import (
	"bytes"
	"encoding/json"
	"mime"
	"regexp"
	"strings"
)

// body redacts a request or response body: JSON (a body whose first
// character, after white space and a byte-order mark, is "{" or "[" is
// JSON whatever its content type says: curl -d sends JSON as a form)
// field by field, and when it does not parse (cut at the recording cap,
// or malformed) leniently (see [Redactor.lenient]); form bodies pair by
// pair; multipart bodies part by part (see [Redactor.multipart]);
// anything else as loose text: token shapes, runs of 64 hex digits,
// secret fields written as name=value or name: value, and echoed
// credentials (see [Redactor.loose]).
func (r *Redactor) body(s, rawType string, response bool) string {
	if s == "" {
		return s
	}
	if rest, ok := strings.CutPrefix(s, bom); ok {
		return bom + r.body(rest, rawType, response)
	}
	ctype := strings.ToLower(rawType)
	trimmed := strings.TrimSpace(s)
	if looksLikeJSON(trimmed) {
		if out, ok := r.json(s); ok {
			return out
		}
		return r.lenient(s)
	}
	switch {
	case strings.Contains(ctype, "json"):
		if out, ok := r.json(s); ok {
			return out
		}
		return r.lenient(s)
	case strings.Contains(ctype, "x-www-form-urlencoded") || ctype == "" && looksLikeForm(trimmed):
		return r.pairs(s)
	case strings.HasPrefix(ctype, "multipart/"):
		if out, ok := r.multipart(s, rawType, response); ok {
			return out
		}
	}
	return r.loose(s)
}

// bom is the UTF-8 byte-order mark some editors put before JSON.
const bom = "\ufeff"

// multipart redacts a multipart body part by part, keeping its layout: a
// part named as a secret field ([IsSecretField], from its
// Content-Disposition) is pseudonymised whole, any other is redacted as a
// body of its own Content-Type, and the part headers as loose text. ok is
// false when ctype names no boundary or s holds none.
func (r *Redactor) multipart(s, ctype string, response bool) (string, bool) {
	_, params, err := mime.ParseMediaType(ctype)
	boundary := params["boundary"]
	if err != nil || boundary == "" {
		return "", false
	}
	delim := "--" + boundary
	if !strings.Contains(s, delim) {
		return "", false
	}
	chunks := strings.Split(s, delim)
	for k := 1; k < len(chunks); k++ {
		c := chunks[k]
		if strings.HasPrefix(c, "--") {
			chunks[k] = r.loose(c) // the epilogue
			continue
		}
		sep, n := "\r\n\r\n", 4
		i := strings.Index(c, sep)
		if j := strings.Index(c, "\n\n"); j >= 0 && (i < 0 || j < i) {
			i, n = j, 2
		}
		if i < 0 {
			chunks[k] = r.loose(c)
			continue
		}
		head, content := c[:i+n], c[i+n:]
		tail := ""
		if t, ok := strings.CutSuffix(content, "\r\n"); ok {
			content, tail = t, "\r\n"
		} else if t, ok := strings.CutSuffix(content, "\n"); ok {
			content, tail = t, "\n"
		}
		name, pctype := partInfo(head)
		if IsSecretField(name) {
			content = r.value(content)
		} else {
			content = r.body(content, pctype, response)
		}
		chunks[k] = r.loose(head) + content + tail
	}
	chunks[0] = r.loose(chunks[0]) // the preamble
	return strings.Join(chunks, delim), true
}

// partInfo returns the field name (from Content-Disposition) and the
// Content-Type of a multipart part's header block.
func partInfo(head string) (name, ctype string) {
	for _, line := range strings.Split(head, "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "content-disposition":
			if _, p, err := mime.ParseMediaType(strings.TrimSpace(v)); err == nil {
				name = p["name"]
			}
		case "content-type":
			ctype = strings.TrimSpace(v)
		}
	}
	return name, ctype
}

// looksLikeJSON reports whether trimmed text is meant as a JSON object or
// array.
func looksLikeJSON(trimmed string) bool {
	return trimmed != "" && (trimmed[0] == '{' || trimmed[0] == '[')
}

// jsonValue is a string or scalar value, or a member name, in a JSON
// document.
type jsonValue struct {
	start, end int    // the raw bytes s[start:end], quotes included for strings
	key        string // the name of the member holding it ("" in a top-level array)
	obj        int    // index of the object holding it, -1 if none
	str        bool
	open       bool // a string cut before its closing quote (text that is not JSON)
	secret     bool // held by a secret member, directly or through objects and arrays
	name       bool // a member name, not a value
}

// scanJSON lists the scalar values and member names of a JSON document with
// the key and object they belong to. Values inside an array take the key
// and object of the member holding the array; values anywhere under a
// secret member ({"client_secret":{"v":"..."}}) are secret. It never fails:
// on text that is not valid JSON (cut short, malformed) it does its best,
// taking a string followed by ":" as a member name wherever it is, and a
// string cut before its closing quote as running to the end.
func scanJSON(s string) []jsonValue {
	type frame struct {
		key    string
		id     int
		secret bool // everything inside is secret
		keySec bool // IsSecretField(key)
	}
	var (
		// The root frame stands for the top level; it is never popped.
		stackBuf [8]frame
		stack    = append(stackBuf[:0], frame{id: -1})
		vals     = make([]jsonValue, 0, len(s)/12+4)
		objs     int
	)
	owner := func() (string, int, bool) {
		f := &stack[len(stack)-1]
		return f.key, f.id, f.secret || f.keySec
	}
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\r', ':', ',':
			i++
		case '{':
			_, _, secret := owner()
			stack = append(stack, frame{id: objs, secret: secret})
			objs++
			i++
		case '[':
			key, id, secret := owner()
			stack = append(stack, frame{key: key, id: id, secret: secret, keySec: stack[len(stack)-1].keySec})
			i++
		case '}', ']':
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			i++
		case '"':
			j, closed := stringEnd(s, i)
			if closed && colonAfter(s, j) {
				top := &stack[len(stack)-1]
				vals = append(vals, jsonValue{start: i, end: j, key: top.key, obj: top.id, str: true, name: true})
				top.key = unquote(s[i:j])
				top.keySec = IsSecretField(top.key)
			} else {
				key, obj, secret := owner()
				vals = append(vals, jsonValue{start: i, end: j, key: key, obj: obj, str: true, open: !closed, secret: secret})
			}
			i = j
		default:
			j := i
			for j < len(s) && !wordEnds[s[j]] {
				j++
			}
			key, obj, secret := owner()
			vals = append(vals, jsonValue{start: i, end: j, key: key, obj: obj, secret: secret})
			i = j
		}
	}
	return vals
}

// wordEnds holds the bytes that end a bare JSON word (a number, true,
// false, null, or anything else in text that is not JSON).
var wordEnds = func() (t [256]bool) {
	for _, c := range []byte(",:}]{[\" \t\n\r") {
		t[c] = true
	}
	return t
}()

// stringEnd returns the end of the JSON string starting at s[i] (past its
// closing quote), or len(s) and false when it is cut before its closing
// quote.
func stringEnd(s string, i int) (int, bool) {
	j := i + 1
	for j < len(s) && s[j] != '"' {
		if s[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(s) {
		return len(s), false
	}
	return j + 1, true
}

// colonAfter reports whether the next character after s[j:] that is not
// white space is ":".
func colonAfter(s string, j int) bool {
	for ; j < len(s); j++ {
		switch s[j] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// span is a replacement of s[start:end].
type span struct {
	start, end int
	repl       string
}

// json redacts a JSON document, keeping its layout and key order: only the
// values it replaces change. ok is false when s is not valid JSON.
func (r *Redactor) json(s string) (string, bool) {
	vals, ok := scanValid(s, r.opts.PseudonymizeClientID)
	if !ok {
		return "", false
	}
	return applySpans(s, r.jsonSpans(s, vals, false)), true
}

// applySpans returns s with its spans (in order, not overlapping)
// replaced.
func applySpans(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	var out strings.Builder
	out.Grow(len(s))
	last := 0
	for _, sp := range spans {
		out.WriteString(s[last:sp.start])
		out.WriteString(sp.repl)
		last = sp.end
	}
	out.WriteString(s[last:])
	return out.String()
}

// lenient redacts text meant as JSON that does not parse: a body cut at
// the recording cap, or malformed. The values scanJSON finds are redacted as
// in valid JSON (an unterminated string at the end too); the text between
// them as loose text (token shapes, runs of exactly 64 hex digits); and last
// secret fields written as name:value or name=value anywhere (quotes
// confused by the malformation can hide a value from the scan).
func (r *Redactor) lenient(s string) string {
	spans := r.jsonSpans(s, scanJSON(s), true)
	var out strings.Builder
	out.Grow(len(s))
	last := 0
	for _, sp := range spans {
		out.WriteString(r.hex64(r.text(s[last:sp.start])))
		out.WriteString(sp.repl)
		last = sp.end
	}
	out.WriteString(r.hex64(r.text(s[last:])))
	return r.credentials(r.assignments(out.String()))
}

// jsonSpans returns the replacements of the values (and token-shaped member
// names) of s, in order. In lenient mode a string value that is not secret
// is redacted as loose text, and every string value, member name and secret
// value gets a span, changed or not: the text between spans, which lenient
// redacts as text, holds no value redacted already.
func (r *Redactor) jsonSpans(s string, vals []jsonValue, lenient bool) []span {
	// The token of each object, for its hashed_token and token_last_eight.
	type derived struct {
		obj           int
		hashed, last8 string
	}
	var objs []derived // usually none or one: a linear search is fastest
	find := func(obj int) *derived {
		for k := len(objs) - 1; k >= 0; k-- {
			if objs[k].obj == obj {
				return &objs[k]
			}
		}
		return nil
	}
	for _, v := range vals {
		if v.str && !v.open && !v.name && v.obj >= 0 && v.key == "token" {
			if t := unquote(s[v.start:v.end]); t != "" {
				h, l := r.derivedFields(r.value(t))
				if d := find(v.obj); d != nil {
					d.hashed, d.last8 = h, l // the last token of an object wins
				} else {
					objs = append(objs, derived{v.obj, h, l})
				}
			}
		}
	}
	var spans []span // most bodies, already redacted, need none
	for _, v := range vals {
		raw := s[v.start:v.end]
		repl := raw
		switch {
		case v.name:
			old := unquote(raw)
			nv := r.text(old)
			if nv != old {
				repl = quote(nv)
			}
		case !v.str:
			// A number under a secret member (an OTP), or in text that is
			// not JSON any bare word there.
			switch {
			case !v.secret || raw == "true" || raw == "false" || raw == "null":
			case lenient:
				repl = r.secret(raw)
			default:
				repl = r.secretNumber(raw)
			}
		case v.open:
			// Cut before its closing quote: its escapes may be cut too, so
			// the raw text is what is redacted.
			old := raw[1:]
			var nv string
			switch {
			case old == "":
			case v.secret || v.key == "hashed_token" || v.key == "token_last_eight":
				nv = r.value(old)
			default:
				nv = r.loose(old)
			}
			if nv != old {
				repl = `"` + nv
			}
		default:
			old := unquote(raw)
			d := find(v.obj)
			var nv string
			switch {
			case old == "":
				nv = old
			case v.secret:
				nv = r.value(old)
			// An object without its token (GitHub blanks it after
			// creation) keeps pseudonyms of its own hash and last eight,
			// fixed points like any other.
			case v.key == "hashed_token":
				if d != nil {
					nv = d.hashed
				} else {
					nv = r.secret(old)
				}
			case v.key == "token_last_eight":
				if d != nil {
					nv = d.last8
				} else {
					nv = r.secret(old)
				}
			case lenient && !isClientIDField(v.key):
				nv = r.loose(old)
			default:
				nv = r.field(v.key, old)
			}
			if nv != old {
				repl = quote(nv)
			}
		}
		if repl == raw && (!lenient || !v.str && !v.secret) {
			continue
		}
		spans = append(spans, span{v.start, v.end, repl})
	}
	return spans
}

// secretNumber is the pseudonym of a JSON number under a secret member: a
// number of as many digits when the number is all digits and its
// pseudonym is a JSON number too (no leading zero), else the pseudonym as
// a string, so the document stays JSON and a number such as -12 or 1.5e3
// is not kept. Both are fixed points of redaction.
func (r *Redactor) secretNumber(raw string) string {
	p := r.secret(raw)
	if digits.holds(raw) && (len(p) == 1 || p[0] != '0') {
		return p
	}
	return quote(p)
}

// secretAssignment finds a secret field written as name:value or
// name=value in text that is not JSON nor a form: the name (optionally
// quoted), then a quoted value up to its closing quote (or the end: a
// backslash escapes the next character, as in a JSON string), or a bare
// value up to a quote, separator or white space.
var secretAssignment = regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9_])"?(?:client_secret|password|access_token|refresh_token|token|otp)"?\s*[:=]\s*(?:"((?:\\.|[^"\\])+)|([^"&,;\s{}\[\]]+))`)

// loose redacts text that no structure was found in: token shapes, runs of
// exactly 64 hex digits and secret assignments (see secretAssignment).
func (r *Redactor) loose(s string) string {
	return r.credentials(r.assignments(r.hex64(r.text(s))))
}

// assignments pseudonymises the values of the secret assignments in s (see
// secretAssignment). A pseudonym holds none of the characters that end a
// value, so a value already redacted is found whole and kept.
func (r *Redactor) assignments(s string) string {
	if !strings.ContainsAny(s, ":=") {
		return s
	}
	idx := secretAssignment.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, m := range idx {
		a, z := m[2], m[3] // the quoted value, or else the bare one
		if a < 0 {
			a, z = m[4], m[5]
		}
		b.WriteString(s[last:a])
		b.WriteString(r.value(s[a:z]))
		last = z
	}
	b.WriteString(s[last:])
	return b.String()
}

// hex64 replaces every run of exactly 64 hex digits (lower or upper case),
// the shape of a SHA-256 such as hashed_token, by its pseudonym.
func (r *Redactor) hex64(s string) string {
	if len(s) < 64 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if run := s[i:j]; len(run) == 64 && (hexLower.holds(run) || hexUpper.holds(run)) {
			if last == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:i])
			b.WriteString(r.secret(run))
			last = j
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func unquote(raw string) string {
	if len(raw) >= 2 && raw[0] == '"' && strings.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1]
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return raw
	}
	return s
}

func quote(s string) string {
	if plainJSONString(s) {
		return `"` + s + `"`
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// plainJSONString reports whether quote writes s as it is between quotes:
// printable ASCII without a quote or backslash (with HTML escaping off,
// encoding/json escapes nothing else in ASCII).
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
