package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
)

// MissError explains a replay miss: the request (secrets shaped or
// pseudonymised), the closest recorded interaction and the fields that
// differ. It is the JSON body of the 501 answer to a miss, and wraps
// [ErrNoMatch]. It never holds a secret.
type MissError struct {
	Message     string       `json:"message"`
	Request     Request      `json:"request"`
	Closest     *Closest     `json:"closest,omitempty"`
	Differences []Difference `json:"differences,omitempty"`
}

// Request is the method and URL path of a missed request, without /api/v3,
// secrets replaced.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Closest names the recorded interaction most like a missed request.
type Closest struct {
	Cassette    string `json:"cassette"` // relative to the loaded directory
	Interaction int    `json:"interaction"`
	Operation   string `json:"operation,omitempty"` // catalog operation id, when recorded
	Method      string `json:"method"`
	URL         string `json:"url"`
}

// Difference is one field in which a missed request differs from the
// closest recorded one. Field is "method", "path", "query.NAME",
// "body/JSON/POINTER" (or "body" for a non-JSON body), "header.NAME" or
// "sequence"; "(absent)" stands for a missing value.
type Difference struct {
	Field    string `json:"field"`
	Recorded string `json:"recorded"`
	Got      string `json:"got"`
}

// Error returns the message.
func (m *MissError) Error() string { return m.Message }

// Unwrap returns [ErrNoMatch].
func (m *MissError) Unwrap() error { return ErrNoMatch }

const absent = "(absent)"

// detail is a view broken into fields, for explaining misses.
type detail struct {
	method, path string
	query        map[string]string
	bodyKind     byte // 0 none, 'j' JSON, 'f' form, 'r' other
	body         map[string]string
	bodyLen      int
	cred, inm    string
}

func (n *normalizer) detailOf(v *view, rawQuery string, body []byte, contentType string, recorded bool) *detail {
	d := &detail{method: v.method, path: v.path, cred: v.cred, inm: v.inm, bodyLen: len(body)}
	if rawQuery != "" {
		d.query = map[string]string{}
		q := parseQuery(rawQuery)
		n.dropIgnoredQuery(q)
		for k, vs := range q {
			d.query[n.name(k)] = n.display(k, vs)
		}
	}
	if len(v.body) > 0 {
		d.bodyKind = v.body[0]
	}
	switch d.bodyKind {
	case 'j':
		if t, ok := n.decodeJSON(body, recorded); ok {
			d.body = map[string]string{}
			flatten(t, "", d.body)
		}
	case 'f':
		d.body = map[string]string{}
		for k, vs := range n.formValues(body, recorded) {
			d.body["/"+n.name(k)] = n.display(k, vs)
		}
	}
	return d
}

// name shows a form or query parameter name, token shapes shaped when
// shaping.
func (n *normalizer) name(k string) string {
	if n.shape {
		return shapeTokens(k)
	}
	return k
}

// display shows form or query values, secrets shaped when shaping.
func (n *normalizer) display(k string, vs []string) string {
	out := make([]string, len(vs))
	for i, s := range vs {
		switch {
		case !n.shape:
			out[i] = s
		case redact.IsSecretField(k):
			out[i] = secretShape(s)
		default:
			out[i] = shapeTokens(s)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// flatten maps each leaf of a JSON value to its JSON pointer.
func flatten(t any, ptr string, out map[string]string) {
	switch x := t.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[ptr] = "{}"
		}
		for k, v := range x {
			flatten(v, ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), out)
		}
	case []any:
		if len(x) == 0 {
			out[ptr] = "[]"
		}
		for i, v := range x {
			flatten(v, ptr+"/"+strconv.Itoa(i), out)
		}
	default:
		var b strings.Builder
		writeCanonical(&b, t)
		out[ptr] = b.String()
	}
}

// differences lists how got differs from rec, sorted by field.
func differences(rec, got *detail) []Difference {
	var ds []Difference
	add := func(field, r, g string) {
		if r != g {
			if r == "" {
				r = absent
			}
			if g == "" {
				g = absent
			}
			ds = append(ds, Difference{Field: field, Recorded: r, Got: g})
		}
	}
	add("method", rec.method, got.method)
	add("path", rec.path, got.path)
	for _, k := range union(rec.query, got.query) {
		add("query."+k, rec.query[k], got.query[k])
	}
	switch {
	case rec.bodyKind != got.bodyKind || rec.body == nil || got.body == nil:
		if rec.bodyKind != got.bodyKind || rec.bodyLen != got.bodyLen {
			add("body", bodySummary(rec), bodySummary(got))
		}
	default:
		for _, k := range union(rec.body, got.body) {
			add("body"+k, rec.body[k], got.body[k])
		}
	}
	add("header.Authorization", credAuth(rec.cred), credAuth(got.cred))
	add("header.X-GitHub-OTP", credOTP(rec.cred), credOTP(got.cred))
	add("header.If-None-Match", rec.inm, got.inm)
	return ds
}

func credAuth(c string) string { return strings.TrimSuffix(c, " +otp") }

func credOTP(c string) string {
	if strings.HasSuffix(c, " +otp") {
		return "<secret>"
	}
	return ""
}

func bodySummary(d *detail) string {
	switch d.bodyKind {
	case 0:
		return ""
	case 'j':
		return fmt.Sprintf("JSON, %d bytes", d.bodyLen)
	case 'f':
		return fmt.Sprintf("form, %d bytes", d.bodyLen)
	}
	return fmt.Sprintf("%d bytes", d.bodyLen)
}

func union(a, b map[string]string) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// detailOf returns the recorded request of e broken into fields.
func (ix *Index) detailOf(e *entry) *detail {
	e.detailOnce.Do(func() {
		u, err := url.Parse(e.url)
		raw := ""
		if err == nil {
			raw = u.RawQuery
		}
		e.detail = ix.norm.detailOf(&e.v, raw, []byte(e.reqBody), e.reqType, true)
	})
	return e.detail
}

// explain builds the miss for a request no interaction matches.
func (ix *Index) explain(v *view, r *http.Request, body []byte) *MissError {
	got := ix.norm.detailOf(v, ix.queryOf(r), ix.bodyOf(r, body), cassettes.Header(r.Header, "Content-Type"), false)
	m := &MissError{Request: Request{Method: v.method, Path: v.path}}
	best, ds := ix.closest(v, got)
	if best == nil {
		m.Message = fmt.Sprintf("replay miss: no recorded interaction matches %s %s, and none is loaded", v.method, v.path)
		return ix.record(m)
	}
	m.Closest = ix.closestOf(best)
	m.Differences = ds
	fields := make([]string, len(ds))
	for i, d := range ds {
		fields[i] = d.Field
	}
	m.Message = fmt.Sprintf("replay miss: no recorded interaction matches %s %s; the closest, interaction %d of %s, differs in %s",
		v.method, v.path, best.id, best.file, strings.Join(fields, ", "))
	if len(ds) == 0 {
		// Same fields, different credentials lane: say which.
		m.Message = fmt.Sprintf("replay miss: no recorded interaction matches %s %s; interaction %d of %s was recorded with other credentials",
			v.method, v.path, best.id, best.file)
	}
	return ix.record(m)
}

// queryOf and bodyOf return what detail compares: the pseudonymised request
// when there is a redactor, the live one (shaped later) otherwise.
func (ix *Index) queryOf(r *http.Request) string {
	if ix.opts.Redactor == nil {
		return r.URL.RawQuery
	}
	cr := cassetteRequest(r, nil)
	ix.opts.Redactor.Request(cr)
	if u, err := url.Parse(cr.URL); err == nil {
		return u.RawQuery
	}
	return ""
}

func (ix *Index) bodyOf(r *http.Request, body []byte) []byte {
	if ix.opts.Redactor == nil {
		return body
	}
	cr := cassetteRequest(r, body)
	ix.opts.Redactor.Request(cr)
	return []byte(cr.Body)
}

// closest picks the recorded interaction most like the request: among
// those with the same method and path if any, else among the routes
// nearest by method and path; then the one with the fewest differing
// fields, the earliest recorded on a tie.
func (ix *Index) closest(v *view, got *detail) (*entry, []Difference) {
	cands := ix.routes[v.route()]
	if len(cands) == 0 {
		bestScore := -1
		for _, es := range ix.routes {
			s := routeDistance(es[0], v)
			if bestScore < 0 || s < bestScore || s == bestScore && es[0].before(cands[0]) {
				bestScore, cands = s, es
			}
		}
	}
	var best *entry
	var bestDiff []Difference
	for _, e := range cands {
		ds := differences(ix.detailOf(e), got)
		if best == nil || len(ds) < len(bestDiff) {
			best, bestDiff = e, ds
		}
	}
	return best, bestDiff
}

func (e *entry) before(f *entry) bool {
	if e.file != f.file {
		return e.file < f.file
	}
	return e.id < f.id
}

// routeDistance scores how far a recorded route is from the request's: a
// differing method counts 4, each differing path segment 1.
func routeDistance(e *entry, v *view) int {
	d := 0
	if e.v.method != v.method {
		d += 4
	}
	a := strings.Split(strings.Trim(e.v.path, "/"), "/")
	b := strings.Split(strings.Trim(v.path, "/"), "/")
	for i := 0; i < max(len(a), len(b)); i++ {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			d++
		}
	}
	return d
}

// closestOf names e. Without a redactor the recorded URL is shown with its
// secrets shaped: a cassette recorded by another tool may hold them.
func (ix *Index) closestOf(e *entry) *Closest {
	c := &Closest{Cassette: e.file, Interaction: e.id, Operation: e.operation, Method: e.method, URL: e.url}
	if ix.norm.shape {
		c.URL = shapeURL(e.url)
	}
	return c
}

// shapeURL shows a recorded URL with user info dropped, secret path
// segments, secret query values and token-shaped strings shaped.
func shapeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	var b strings.Builder
	if u.Host != "" {
		b.WriteString(u.Scheme + "://" + shapeTokens(u.Host))
	}
	b.WriteString(shapePath(u.EscapedPath()))
	if u.RawQuery != "" {
		b.WriteByte('?')
		var pairs []string
		redact.RewritePairs(u.RawQuery, func(name, value string) (string, string) {
			shown := shapeTokens(value)
			if redact.IsSecretField(name) {
				shown = secretShape(value)
			}
			pairs = append(pairs, shapeTokens(name)+"="+shown)
			return name, value
		})
		b.WriteString(strings.Join(pairs, "&"))
	}
	return b.String()
}

// exhausted builds the miss for the call after a sequence was used up.
func (ix *Index) exhausted(v *view, l *lane, n int64) *MissError {
	last := l.entries[len(l.entries)-1]
	m := &MissError{
		Request: Request{Method: v.method, Path: v.path},
		Closest: ix.closestOf(last),
		Differences: []Difference{{
			Field:    "sequence",
			Recorded: fmt.Sprintf("%d identical requests", len(l.entries)),
			Got:      fmt.Sprintf("request %d", n+1),
		}},
	}
	m.Message = fmt.Sprintf("replay miss: the %d recorded answers to %s %s have all been given (exhausted sequence; the last is interaction %d of %s)",
		len(l.entries), v.method, v.path, last.id, last.file)
	return ix.record(m)
}

// record keeps a miss for [Index.Misses], its secrets masked: every miss
// passes here before it is answered or logged.
func (ix *Index) record(m *MissError) *MissError {
	m.mask(maskerOf(ix.opts.Redactor))
	ix.mu.Lock()
	if len(ix.misses) == maxMisses {
		copy(ix.misses, ix.misses[1:])
		ix.misses = ix.misses[:maxMisses-1]
	}
	ix.misses = append(ix.misses, m)
	ix.mu.Unlock()
	return m
}

// maxMisses bounds the misses an Index remembers.
const maxMisses = 1000

// Misses returns the misses so far (the last 1,000), oldest first: a test
// can assert there were none.
func (ix *Index) Misses() []*MissError {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return append([]*MissError(nil), ix.misses...)
}

// missBody is the JSON of a miss answer.
func missBody(m *MissError) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return []byte(`{"message":"replay miss"}`)
	}
	return b.Bytes()
}
