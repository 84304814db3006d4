package replay

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// reply is a recorded answer, ready to be written, and what adapting it
// to a request needs (see [Index.answer]).
type reply struct {
	status     int
	statusLine string
	header     http.Header // cleaned: no hop-by-hop, no Content-Length
	length     []string    // Content-Length of body; with cut, as recorded (nil: none)
	body       []byte
	cut        string // the recorded upstream failure mid-body (cassettes.CutHeader), or ""

	plain       answer                 // as recorded
	origins     []string               // recorded origins the answer mentions
	pseudonyms  []string               // pseudonyms of the key in the answer
	lastRewrite atomic.Pointer[answer] // plain with the origins rewritten, for the last origin
	lastHydrate atomic.Pointer[hydrated]

	size int64 // roughly what it holds, for the cache
}

// newReply makes the reply of e's recorded response.
func (ix *Index) newReply(e *entry, resp *cassette.Response) *reply {
	rp := &reply{status: resp.Code, statusLine: resp.Status, body: []byte(resp.Body)}
	if rp.statusLine == "" {
		rp.statusLine = strconv.Itoa(rp.status) + " " + http.StatusText(rp.status)
	}
	rp.header = replayHeader(resp.Headers, rp.body)
	rp.length = []string{strconv.Itoa(len(rp.body))}
	if rp.cut = cassettes.Header(resp.Headers, cassettes.CutHeader); rp.cut != "" {
		// The length the upstream announced, more than it sent.
		rp.length = nil
		if n, err := strconv.Atoi(cassettes.Header(resp.Headers, "Content-Length")); err == nil && n > len(rp.body) {
			rp.length = []string{strconv.Itoa(n)}
		}
	}
	ix.prepareAnswer(rp, recordedOrigins(e.url, e.host))
	rp.size = 512 + 2*int64(len(rp.body)) // with a rewritten copy
	for k, vs := range rp.header {
		rp.size += int64(len(k))
		for _, v := range vs {
			rp.size += int64(len(v))
		}
	}
	return rp
}

// reply returns e's recorded answer: held, or read from its cassette
// (and kept while the cache has room). It fails when the cassette no
// longer holds it.
func (ix *Index) reply(e *entry) (*reply, error) {
	if rp := e.reply.Load(); rp != nil {
		if !e.used.Load() {
			e.used.Store(true)
		}
		return rp, nil
	}
	in, err := cassettes.ReadPlace(e.path, e.place)
	if err != nil {
		return nil, fmt.Errorf("replay: read the answer of interaction %d of %s: %w", e.id, e.file, err)
	}
	rp := ix.newReply(e, &in.Response)
	if !e.reply.CompareAndSwap(nil, rp) {
		// Read at the same time by another request.
		if held := e.reply.Load(); held != nil {
			return held, nil
		}
		return rp, nil
	}
	ix.cache.add(e, rp.size)
	return rp, nil
}

// replyCacheBytes bounds the answers an Index keeps once read from
// cassettes, roughly, in bytes.
var replyCacheBytes int64 = 64 << 20

// replyCache holds the answers read from cassettes within a budget of
// bytes; past it, the least recently hit go (the clock algorithm: an
// answer hit since the hand last passed is spared once).
type replyCache struct {
	mu    sync.Mutex
	held  []*entry
	hand  int
	bytes int64
	max   int64
}

func newReplyCache(max int64) *replyCache { return &replyCache{max: max} }

// add keeps the answer e was just given (of size bytes), and drops others
// while the cache is over its budget.
func (c *replyCache) add(e *entry, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = append(c.held, e)
	c.bytes += size
	for c.bytes > c.max && len(c.held) > 1 {
		if c.hand >= len(c.held) {
			c.hand = 0
		}
		v := c.held[c.hand]
		if v == e || v.used.Swap(false) {
			c.hand++
			continue
		}
		if rp := v.reply.Swap(nil); rp != nil {
			c.bytes -= rp.size
		}
		last := len(c.held) - 1
		c.held[c.hand], c.held[last] = c.held[last], nil
		c.held = c.held[:last]
	}
}
