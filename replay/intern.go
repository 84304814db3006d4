package replay

import (
	"net/http"
	"strings"
)

// interner stores each distinct string and body of the interactions
// loaded once, in memory of its own: the strings a cassette reader
// returns share the memory of the entry they were read from, which would
// otherwise stay alive as long as any of them does, and a long recording
// repeats the same paths, credentials, headers and answers many times.
// It lives while an index is built.
type interner struct {
	strs   map[string]string
	bodies map[string][]byte
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, bodies: map[string][]byte{}}
}

// str returns s in memory of its own, the same for equal strings.
func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.strs[s]; ok {
		return v
	}
	v := strings.Clone(s)
	in.strs[v] = v
	return v
}

// body returns b, the same slice for equal bodies (which are never
// written to).
func (in *interner) body(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	if v, ok := in.bodies[string(b)]; ok {
		return v
	}
	in.bodies[string(b)] = b
	return b
}

// header returns h with its names and values interned. (Its values are
// interned in place; its names, which cannot be, go into a new map.)
func (in *interner) header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		for i, v := range vs {
			vs[i] = in.str(v)
		}
		out[in.str(k)] = vs
	}
	return out
}

// entry interns what e keeps.
func (in *interner) entry(e *entry) {
	e.file, e.operation, e.method, e.url = in.str(e.file), in.str(e.operation), in.str(e.method), in.str(e.url)
	e.reqBody, e.reqType, e.statusLine, e.cut = in.str(e.reqBody), in.str(e.reqType), in.str(e.statusLine), in.str(e.cut)
	v := &e.v
	v.method, v.path, v.query, v.body, v.cred, v.inm = in.str(v.method), in.str(v.path), in.str(v.query), in.str(v.body), in.str(v.cred), in.str(v.inm)
	for i, l := range e.length {
		e.length[i] = in.str(l)
	}
	e.header = in.header(e.header)
	e.body = in.body(e.body)
	e.plain.header, e.plain.body = e.header, e.body
	for i, o := range e.origins {
		e.origins[i] = in.str(o)
	}
	for i, p := range e.pseudonyms {
		e.pseudonyms[i] = in.str(p)
	}
}
