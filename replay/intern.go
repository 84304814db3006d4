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

// entry interns what e keeps, and its answer when it is held.
func (in *interner) entry(e *entry) {
	e.file, e.operation, e.method, e.url, e.host = in.str(e.file), in.str(e.operation), in.str(e.method), in.str(e.url), in.str(e.host)
	e.reqBody, e.reqType, e.path = in.str(e.reqBody), in.str(e.reqType), in.str(e.path)
	v := &e.v
	v.method, v.path, v.query, v.body, v.cred, v.inm = in.str(v.method), in.str(v.path), in.str(v.query), in.str(v.body), in.str(v.cred), in.str(v.inm)
	if rp := e.reply.Load(); rp != nil {
		in.reply(rp)
	}
}

// reply interns what rp keeps.
func (in *interner) reply(rp *reply) {
	rp.statusLine, rp.cut = in.str(rp.statusLine), in.str(rp.cut)
	for i, l := range rp.length {
		rp.length[i] = in.str(l)
	}
	rp.header = in.header(rp.header)
	rp.body = in.body(rp.body)
	rp.plain.header, rp.plain.body = rp.header, rp.body
	for i, o := range rp.origins {
		rp.origins[i] = in.str(o)
	}
	for i, p := range rp.pseudonyms {
		rp.pseudonyms[i] = in.str(p)
	}
}
