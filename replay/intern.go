package replay

import (
	"hash/maphash"
	"net/http"
	"strings"
	"sync"
)

// interner stores each distinct string and body of the interactions
// loaded once, in memory of its own: the strings a cassette reader
// returns share the memory of the entry they were read from, which would
// otherwise stay alive as long as any of them does, and a long recording
// repeats the same paths, credentials, headers and answers many times.
// It lives while an index is built, and is safe for concurrent use: its
// maps are sharded, each behind a lock.
type interner struct {
	seed   maphash.Seed
	shards [16]internShard
}

type internShard struct {
	mu     sync.Mutex
	strs   map[string]string
	bodies map[string][]byte
}

func newInterner() *interner {
	in := &interner{seed: maphash.MakeSeed()}
	for k := range in.shards {
		in.shards[k].strs, in.shards[k].bodies = map[string]string{}, map[string][]byte{}
	}
	return in
}

func (in *interner) shard(s string) *internShard {
	return &in.shards[maphash.String(in.seed, s)%uint64(len(in.shards))]
}

// str returns s in memory of its own, the same for equal strings.
func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	sh := in.shard(s)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if v, ok := sh.strs[s]; ok {
		return v
	}
	v := strings.Clone(s)
	sh.strs[v] = v
	return v
}

// body returns b, the same slice for equal bodies (which are never
// written to).
func (in *interner) body(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	sh := &in.shards[maphash.Bytes(in.seed, b)%uint64(len(in.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if v, ok := sh.bodies[string(b)]; ok {
		return v
	}
	sh.bodies[string(b)] = b
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

// entry interns what e keeps, and its answer when it is held. Its file
// and path are the file's, the same for all its entries; its URL, body
// and path share one string (see [Index.newEntry]).
func (in *interner) entry(e *entry) {
	e.operation, e.method, e.host, e.reqType = in.str(e.operation), in.str(e.method), in.str(e.host), in.str(e.reqType)
	v := &e.v
	v.method, v.query, v.body, v.cred, v.inm = in.str(v.method), in.str(v.query), in.str(v.body), in.str(v.cred), in.str(v.inm)
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
