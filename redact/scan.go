package redact

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/internal/jsonlex"
)

// Span is a secret found in a string: s[Start:End] in the text as it is
// (percent-encoded when it was found in the decoded view, see
// [FindTokens]). Kind says what it looked like: "token" for a token shape,
// "secret" for a secret seen elsewhere in the interaction. A Span never
// holds the secret.
type Span struct {
	Start, End int
	Kind       string
}

// Finding is a secret found in a field of an interaction by [Scan] or
// [Redactor.Sweep]: the field (as [EachField] names it) and where in it.
// It never holds the secret, so it can be logged and reported.
type Finding struct {
	Field string
	Span
}

// EachField calls fn with every string of i that is written to a cassette,
// with a stable name for it: the request's method, URL, request URI, host,
// remote address, proto, transfer codings, every header and trailer name
// ("request.headers[Name]#name") and value ("request.headers[Name]"),
// every form key and value, and the body (a token shape in a name is
// masked in the field's name: "request.headers[REDACTED]#name"); the response's proto, status,
// transfer codings, headers, trailers and body. fn may change the string
// through v: a header or form map (and its value slices, which may be
// shared with other interactions) is then replaced by a changed copy,
// never modified. A field added to the cassette format is covered by
// adding it here.
func EachField(i *cassette.Interaction, fn func(field string, v *string)) {
	walk(i, func(f fieldRef, v string) string { fn(f.String(), &v); return v })
}

// fieldRef names a field of an interaction without building the name
// (most fields are visited and found clean).
type fieldRef struct {
	section string // "request.url", "response.headers"
	key     string // the header name or form key, for a map
	name    bool   // the key itself, not a value
	keyed   bool
}

func (f fieldRef) String() string {
	if !f.keyed {
		return f.section
	}
	s := f.section + "[" + fieldLabel(f.key) + "]"
	if f.name {
		s += "#name"
	}
	return s
}

// walk is EachField with field names built only when asked for; fn
// returns the string to put in place of v.
func walk(i *cassette.Interaction, fn func(f fieldRef, v string) string) {
	if i == nil {
		return
	}
	q, p := &i.Request, &i.Response
	q.Method = fn(fieldRef{section: "request.method"}, q.Method)
	q.URL = fn(fieldRef{section: "request.url"}, q.URL)
	q.RequestURI = fn(fieldRef{section: "request.request_uri"}, q.RequestURI)
	q.Host = fn(fieldRef{section: "request.host"}, q.Host)
	q.RemoteAddr = fn(fieldRef{section: "request.remote_addr"}, q.RemoteAddr)
	q.Proto = fn(fieldRef{section: "request.proto"}, q.Proto)
	q.TransferEncoding = eachString(fieldRef{section: "request.transfer_encoding"}, q.TransferEncoding, fn)
	q.Headers = eachHeader("request.headers", q.Headers, fn)
	q.Trailer = eachHeader("request.trailer", q.Trailer, fn)
	q.Form = url.Values(eachHeader("request.form", http.Header(q.Form), fn))
	q.Body = fn(fieldRef{section: "request.body"}, q.Body)
	p.Proto = fn(fieldRef{section: "response.proto"}, p.Proto)
	p.Status = fn(fieldRef{section: "response.status"}, p.Status)
	p.TransferEncoding = eachString(fieldRef{section: "response.transfer_encoding"}, p.TransferEncoding, fn)
	p.Headers = eachHeader("response.headers", p.Headers, fn)
	p.Trailer = eachHeader("response.trailer", p.Trailer, fn)
	p.Body = fn(fieldRef{section: "response.body"}, p.Body)
}

// eachString visits the strings of a list, returning it or a changed copy.
func eachString(f fieldRef, vs []string, fn func(fieldRef, string) string) []string {
	var out []string
	for k, v := range vs {
		if nv := fn(f, v); nv != v {
			if out == nil {
				out = slices.Clone(vs)
			}
			out[k] = nv
		}
	}
	if out == nil {
		return vs
	}
	return out
}

// eachHeader visits the names and values of a header (or form) map, in
// the order of the names, returning h or a changed copy.
func eachHeader(section string, h http.Header, fn func(fieldRef, string) string) http.Header {
	if len(h) == 0 {
		return h
	}
	var buf [16]string
	names := buf[:0]
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	var out http.Header
	for _, k := range names {
		vs := h[k]
		name := fn(fieldRef{section: section, key: k, name: true, keyed: true}, k)
		nvs := eachString(fieldRef{section: section, key: k, keyed: true}, vs, fn)
		if name == k && sameSlice(nvs, vs) {
			continue
		}
		if out == nil {
			out = maps.Clone(h)
		}
		delete(out, k)
		out[name] = append(out[name], nvs...)
	}
	if out == nil {
		return h
	}
	return out
}

// fieldLabel is a header name or form key as a field name shows it: a
// token shape in it is masked, as a field name is logged and reported.
func fieldLabel(k string) string {
	return ReplaceTokens(k, func(string) string { return "REDACTED" })
}

// sameSlice reports whether a and b are the same slice (not only equal).
func sameSlice(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// FindTokens returns every token shape in s: GitHub's prefixed tokens
// (gho_, ghu_, ghp_, ghs_, ghr_ and at least 16 letters or digits;
// github_pat_ and at least 22 letters, digits or "_") wherever they start,
// glued to a letter or a digit or not, and runs of exactly 40 lowercase
// hex digits (the tokens and client secrets of older servers) between
// characters that are no lowercase hex digits. It looks in s as it is and
// in its percent-decoded views (once and twice decoded: "%3Dgho_...",
// "%2567ho_..."); a token found in a decoded view is reported by the span
// of the raw text it was decoded from. Spans are in order and do not
// overlap. It costs little on strings that cannot hold a token.
func FindTokens(s string) []Span {
	spans := rawTokens(s, nil, nil, nil)
	view, starts, ends := s, []int(nil), []int(nil)
	for range 2 {
		if strings.IndexByte(view, '%') < 0 {
			break
		}
		view, starts, ends = percentView(view, starts, ends)
		spans = rawTokens(view, starts, ends, spans)
	}
	return mergeSpans(spans)
}

// rawTokens appends to spans the token shapes of s. starts and ends map
// each byte of s to the span of the raw text it was decoded from (nil: s
// is the raw text).
func rawTokens(s string, starts, ends []int, spans []Span) []Span {
	if !mayHoldToken(s) {
		return spans
	}
	at := func(a, z int) Span {
		if starts == nil {
			return Span{a, z, "token"}
		}
		return Span{starts[a], ends[z-1], "token"}
	}
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '_')
		if j < 0 {
			break
		}
		i += j
		start, minBody, pat := -1, 0, false
		switch {
		case i >= 3 && s[i-3] == 'g' && s[i-2] == 'h' && strings.IndexByte("pousr", s[i-1]) >= 0:
			start, minBody = i-3, 16
		case i >= 10 && s[i-10:i] == "github_pat":
			start, minBody, pat = i-10, 22, true
		}
		end := i + 1
		if start >= 0 {
			for end < len(s) && (alnum.set[s[end]] || pat && s[end] == '_') {
				end++
			}
			if end-i-1 >= minBody {
				spans = append(spans, at(start, end))
				i = end
				continue
			}
		}
		i++
	}
	if hexRun40(s) {
		for i := 0; i < len(s); {
			if !lowerHex[s[i]] {
				i++
				continue
			}
			j := i
			for j < len(s) && lowerHex[s[j]] {
				j++
			}
			if j-i == 40 {
				spans = append(spans, at(i, j))
			}
			i = j
		}
	}
	return spans
}

// percentView decodes the %XX escapes of s. starts and ends map each byte
// of s to the raw text (nil: s is the raw text); the returned maps do the
// same for the decoded view.
func percentView(s string, starts, ends []int) (string, []int, []int) {
	var b strings.Builder
	b.Grow(len(s))
	ns, ne := make([]int, 0, len(s)), make([]int, 0, len(s))
	raw := func(i int) (int, int) {
		if starts == nil {
			return i, i + 1
		}
		return starts[i], ends[i]
	}
	for i := 0; i < len(s); {
		if s[i] == '%' && i+2 < len(s) && jsonlex.IsHex(s[i+1]) && jsonlex.IsHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			a, _ := raw(i)
			_, z := raw(i + 2)
			ns, ne = append(ns, a), append(ne, z)
			i += 3
			continue
		}
		b.WriteByte(s[i])
		a, z := raw(i)
		ns, ne = append(ns, a), append(ne, z)
		i++
	}
	return b.String(), ns, ne
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// mergeSpans sorts spans and merges those that overlap.
func mergeSpans(spans []Span) []Span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].Start < spans[b].Start })
	out := spans[:1]
	for _, sp := range spans[1:] {
		last := &out[len(out)-1]
		if sp.Start < last.End {
			last.End = max(last.End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// minExact is the length under which a secret seen elsewhere is not
// looked for: a shorter one would match by chance.
const minExact = 6

// findSecrets returns where the secrets of exact occur in s: as they are,
// percent-encoded (query or path) or JSON-escaped. A secret shorter than
// 16 characters counts only where it is not glued to a letter or digit.
func findSecrets(s string, exact []secretForm) []Span {
	var spans []Span
	for _, sec := range exact {
		if len(sec.forms[len(sec.forms)-1]) > len(s) && len(sec.forms[0]) > len(s) {
			continue
		}
		for _, form := range sec.forms {
			for i := 0; ; {
				j := strings.Index(s[i:], form)
				if j < 0 {
					break
				}
				a, z := i+j, i+j+len(form)
				if len(sec.forms[0]) >= 16 || boundaryBefore(s, a) && (z == len(s) || !alnum.set[s[z]]) {
					spans = append(spans, Span{a, z, "secret"})
				}
				i = a + 1
			}
		}
	}
	return spans
}

// boundaryBefore reports whether s[a] starts a word: at the start, after
// a character that is no letter or digit, or after a %XX escape ("%3D").
func boundaryBefore(s string, a int) bool {
	return a == 0 || !alnum.set[s[a-1]] || a >= 3 && s[a-3] == '%' && jsonlex.IsHex(s[a-2]) && jsonlex.IsHex(s[a-1])
}

// secretForm is a secret and the spellings it is looked for in: as it
// is, query-escaped, path-escaped, JSON-escaped (the secret first).
type secretForm struct{ forms []string }

// secretForms returns the spellings of the secrets long enough to be
// looked for. A client sends the same credentials with every request, so
// the spellings are remembered (see spellings).
func secretForms(exact []string) []secretForm {
	if len(exact) == 0 {
		return nil
	}
	out := make([]secretForm, 0, len(exact))
	for _, sec := range exact {
		if len(sec) >= minExact {
			out = append(out, secretForm{spellings.get(sec)})
		}
	}
	return out
}

// spellings remembers the spellings of recent secrets; it forgets
// everything when it grows too big.
var spellings formsMemo

type formsMemo struct {
	mu sync.Mutex
	m  map[string][]string
}

func (m *formsMemo) get(sec string) []string {
	m.mu.Lock()
	forms, ok := m.m[sec]
	m.mu.Unlock()
	if ok {
		return forms
	}
	forms = []string{sec}
	if !unreserved.holds(sec) {
		for _, f := range []string{url.QueryEscape(sec), url.PathEscape(sec), strings.Trim(quote(sec), `"`)} {
			if !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	m.mu.Lock()
	if len(m.m) >= memoSize || m.m == nil {
		m.m = make(map[string][]string)
	}
	m.m[sec] = forms
	m.mu.Unlock()
	return forms
}

// Scan reports, without changing i, every token shape ([FindTokens]) and
// every secret of exact found in any field of i ([EachField]). A token
// shape is not reported when known says it is no secret (pass
// [IsPseudonym] without the key, or a Redactor's [Redactor.Known] with it,
// or nil to report every one), nor when it lies inside a longer run of
// pseudonym characters that known accepts. It is what 'cassette lint'
// checks, with or without the key.
func Scan(i *cassette.Interaction, exact []string, known func(string) bool) []Finding {
	var out []Finding
	forms := secretForms(exact)
	walk(i, func(f fieldRef, v string) string {
		for _, sp := range scanString(v, forms, known) {
			out = append(out, Finding{f.String(), sp})
		}
		return v
	})
	return out
}

// scanString returns the spans of s holding a secret (see [Scan]).
func scanString(s string, exact []secretForm, known func(string) bool) []Span {
	var spans []Span
	for _, sp := range FindTokens(s) {
		if known != nil && isKnown(s, sp, known) {
			continue
		}
		spans = append(spans, sp)
	}
	if len(exact) > 0 {
		spans = append(spans, findSecrets(s, exact)...)
	}
	return mergeSpans(spans)
}

// isKnown reports whether the token shape at sp is no secret: known
// accepts it, or the run of pseudonym characters around it (a pseudonym
// drawn from a wide alphabet may hold a token shape).
func isKnown(s string, sp Span, known func(string) bool) bool {
	tok := s[sp.Start:sp.End]
	if known(tok) {
		return true
	}
	if strings.IndexByte(tok, '%') >= 0 {
		if d, err := url.PathUnescape(tok); err == nil && known(d) {
			return true
		}
		return false
	}
	a, z := sp.Start, sp.End
	for a > 0 && printable.set[s[a-1]] {
		a--
	}
	for z < len(s) && printable.set[s[z]] {
		z++
	}
	return (a != sp.Start || z != sp.End) && known(s[a:z])
}

// Known reports whether s is a pseudonym of this Redactor's key: what
// redaction leaves as it is.
func (r *Redactor) Known(s string) bool { return s != "" && r.d.token(s) == s }

// Sweep is the last line of defence before an interaction is written: it
// looks in every field of i ([EachField]: status, header names, URL and
// every body included) for token shapes ([FindTokens]) that are not
// pseudonyms of this key and for the secrets of exact (as returned by
// [Redactor.Redact], in their percent-encoded and JSON-escaped spellings
// too), replaces each in place by its pseudonym, and returns what it
// found. Findings name the field, never the secret. On an interaction
// [Redactor.Interaction] redacted it usually finds nothing.
func (r *Redactor) Sweep(i *cassette.Interaction, exact []string) []Finding {
	var out []Finding
	forms := secretForms(exact)
	walk(i, func(f fieldRef, s string) string {
		spans := scanString(s, forms, r.Known)
		for _, sp := range spans {
			out = append(out, Finding{f.String(), sp})
		}
		return replaceSpans(s, spans, r.tokenValue)
	})
	return out
}
