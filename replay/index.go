package replay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// MissHeader marks a response that is a replay miss, never GitHub's answer:
// "X-Oauthcompat-Replay: miss".
const MissHeader = "X-Oauthcompat-Replay"

// Index answers requests from recorded interactions. It is built once by
// [Load]; lookups are a map access whatever the number of interactions. It
// is safe for concurrent use; the position in each sequence of identical
// requests is shared by all callers.
type Index struct {
	opts    Options
	version *schemas.Version
	norm    *normalizer
	log     *slog.Logger

	groups  map[string]*group   // view.key() -> the lanes of identical requests
	routes  map[string][]*entry // "METHOD /path" -> interactions, for misses
	entries []*entry
	cache   *replyCache // the answers read from cassettes

	mu     sync.Mutex
	misses []*MissError
}

// group holds the recorded interactions of one request key, split by the
// credentials they were sent with.
type group struct {
	lanes []*lane
}

// lane is a sequence of identical requests (same key and credentials),
// answered in recorded order.
type lane struct {
	cred       string
	comparable bool
	entries    []*entry
	next       atomic.Int64
}

// entry is one recorded interaction: its request as matching and
// explaining misses need it, and where its answer is.
type entry struct {
	file      string // cassette, relative to the loaded directory
	id        int
	operation string
	method    string
	url       string
	host      string
	v         view
	reqBody   string // the recorded request body and Content-Type, for explaining misses
	reqType   string

	detailOnce sync.Once
	detail     *detail

	// The recorded answer: held from the load (a cassette read whole), or
	// read from the cassette at path on the first hit and kept while the
	// cache of answers has room (see [Index.reply]).
	path  string
	place cassettes.Place
	reply atomic.Pointer[reply]
	used  atomic.Bool // hit since the cache last looked
}

// Len returns the number of interactions loaded.
func (ix *Index) Len() int { return len(ix.entries) }

// Version returns the catalog version the cassettes were recorded for, or
// nil when neither the options nor the directory names say.
func (ix *Index) Version() *schemas.Version { return ix.version }

func build(files []cassetteFile, v *schemas.Version, opts Options) (*Index, error) {
	norm, err := newNormalizer(opts.Redactor == nil, opts.Match)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	ix := &Index{
		opts:    opts,
		version: v,
		norm:    norm,
		log:     opts.Logger,
		groups:  map[string]*group{},
		routes:  map[string][]*entry{},
		cache:   newReplyCache(replyCacheBytes),
	}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	in := newInterner()
	for _, f := range files {
		// Requests are read and indexed (each entry made on the
		// goroutines reading the file, indexed in order); answers stay
		// in the file until they are asked for.
		err := cassettes.Skim(f.path, func(sk *cassettes.Sketch) keyed {
			e := ix.newEntry(f.name, sk)
			in.entry(e)
			return keyed{e, e.v.key(), e.v.route()}
		}, func(k keyed) error {
			ix.add(k)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// keyed is an entry and its keys in the index.
type keyed struct {
	e          *entry
	key, route string
}

// add indexes an entry, after those recorded before it.
func (ix *Index) add(k keyed) {
	ix.entries = append(ix.entries, k.e)
	g := ix.groups[k.key]
	if g == nil {
		g = &group{}
		ix.groups[k.key] = g
	}
	g.add(k.e)
	ix.routes[k.route] = append(ix.routes[k.route], k.e)
}

func (g *group) add(e *entry) {
	for _, l := range g.lanes {
		if l.cred == e.v.cred {
			l.entries = append(l.entries, e)
			return
		}
	}
	g.lanes = append(g.lanes, &lane{cred: e.v.cred, comparable: authComparable(e.v.cred), entries: []*entry{e}})
}

// newEntry makes the entry of an interaction of the cassette file (named
// as in misses). It runs on the goroutines reading the cassette.
func (ix *Index) newEntry(file string, sk *cassettes.Sketch) *entry {
	req := sk.Request
	req.Headers = keptHeaders(req.Headers)
	if ix.opts.Redactor != nil {
		// Pseudonyms are fixed points, so this changes nothing in a
		// cassette oauthcompat recorded with the same key, and makes a
		// cassette recorded unredacted by another tool comparable. Only
		// what the entry keeps is redacted (see keptHeaders): the other
		// headers are neither compared nor kept.
		req.Headers = paddedAuth(req.Headers)
		ix.opts.Redactor.Request(&req)
	}
	// The URL and body in one string of their own: the view's path is
	// part of it, and nothing else of the request stays.
	kept := req.URL + req.Body
	e := &entry{
		file:      file,
		id:        sk.ID,
		operation: req.Headers.Get(cassettes.OperationHeader),
		method:    req.Method,
		url:       kept[:len(req.URL)],
		host:      req.Host,
		reqBody:   kept[len(req.URL):],
		reqType:   req.Headers.Get("Content-Type"),
		path:      sk.File,
		place:     sk.Place,
	}
	e.v = ix.norm.request(req.Method, e.url, nil, req.Headers, []byte(req.Body), true)
	if sk.Response != nil {
		e.reply.Store(ix.newReply(e, sk.Response))
	}
	return e
}

// keptHeaders drops from h, a recorded request's headers of the entry's
// own, those an entry neither compares nor keeps, and returns it with the
// others under their canonical names (another tool may have written
// "authorization"). A view compares Authorization, X-GitHub-OTP and
// If-None-Match (see [normalizer.cred]; [Match.UncomparedHeaders] says the
// same), reads the body by its Content-Type, and the entry keeps the
// operation.
func keptHeaders(h http.Header) http.Header {
	for k, vs := range h {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		switch {
		case !keptHeader[ck]:
			delete(h, k)
		case ck != k:
			delete(h, k)
			h[ck] = append(h[ck], vs...)
		}
	}
	return h
}

var keptHeader = map[string]bool{"Authorization": true, "X-Github-Otp": true, "If-None-Match": true, "Content-Type": true, cassettes.OperationHeader: true}

// canonicalHeaders returns h with canonical names: h itself when they
// are, as in a request a server read, else a copy (a client may set
// h["authorization"] itself).
func canonicalHeaders(h http.Header) http.Header {
	for k := range h {
		if textproto.CanonicalMIMEHeaderKey(k) != k {
			out := make(http.Header, len(h))
			for k, vs := range h {
				ck := textproto.CanonicalMIMEHeaderKey(k)
				out[ck] = append(out[ck], vs...)
			}
			return out
		}
	}
	return h
}

// hopByHop are the headers that describe one connection, not the answer.
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Content-Length": true,
}

// replayHeader returns the recorded headers to send: canonical names, no
// hop-by-hop headers, no stale Content-Length (it is recomputed), and no
// Content-Encoding for a body that was stored decoded.
func replayHeader(h http.Header, body []byte) http.Header {
	out := make(http.Header, len(h))
	drop := map[string]bool{}
	for _, c := range h.Values("Connection") {
		for _, f := range strings.Split(c, ",") {
			drop[textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(f))] = true
		}
	}
	for k, vs := range h {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if hopByHop[ck] || drop[ck] {
			continue
		}
		if ck == "Content-Encoding" && !encoded(vs, body) {
			continue
		}
		out[ck] = append(out[ck], vs...)
	}
	return out
}

// encoded reports whether body really is in the recorded Content-Encoding.
func encoded(enc []string, body []byte) bool {
	for _, e := range enc {
		switch strings.ToLower(strings.TrimSpace(e)) {
		case "gzip", "x-gzip":
			return bytes.HasPrefix(body, []byte{0x1f, 0x8b})
		case "", "identity":
		default:
			return true // deflate, br: cannot tell cheaply; trust the recording
		}
	}
	return false
}

// match finds the recorded answer to a request. It returns nil and the
// explanation on a miss. body is the whole request body. With a redactor,
// red is the request pseudonymised as at record time (for re-hydrating
// the answer).
func (ix *Index) match(r *http.Request, body []byte) (e *entry, red *cassette.Request, miss *MissError) {
	v, red := ix.incoming(r, body)
	e, miss = ix.matchView(&v, r, body)
	return e, red, miss
}

// matchView finds the recorded answer to the request whose view is v.
func (ix *Index) matchView(v *view, r *http.Request, body []byte) (*entry, *MissError) {
	g := ix.groups[v.key()]
	if g == nil && v.inm != "" {
		// A conditional request nobody recorded: the unconditional answer
		// is what a server whose ETag changed would give.
		inm := v.inm
		v.inm = ""
		g = ix.groups[v.key()]
		v.inm = inm
	}
	if g == nil {
		return nil, ix.explain(v, r, body)
	}
	l := g.lane(v.cred)
	if l == nil {
		return nil, ix.explain(v, r, body)
	}
	last := int64(len(l.entries))
	if ix.opts.Exhausted == ExhaustedRepeatLast && l.next.Load() >= last {
		// Used up: no need to count (and contend on) the position.
		return l.entries[last-1], nil
	}
	n := l.next.Add(1) - 1
	if n >= last {
		if ix.opts.Exhausted == ExhaustedError {
			return nil, ix.exhausted(v, l, n)
		}
		n = int64(len(l.entries)) - 1
	}
	return l.entries[n], nil
}

// lane selects the sequence for the credentials sent: the one recorded
// with the same credentials, or the only one when the recording kept no
// comparable credentials (another tool's placeholder, or none).
func (g *group) lane(cred string) *lane {
	for _, l := range g.lanes {
		if l.cred == cred {
			return l
		}
	}
	if len(g.lanes) == 1 && !g.lanes[0].comparable {
		return g.lanes[0]
	}
	return nil
}

// incoming builds the view of a live request, pseudonymised as at record
// time when there is a redactor, and returns the pseudonymised request.
func (ix *Index) incoming(r *http.Request, body []byte) (view, *cassette.Request) {
	if ix.opts.Redactor == nil {
		return ix.norm.request(r.Method, "", r.URL, canonicalHeaders(r.Header), body, false), nil
	}
	cr := cassetteRequest(r, body)
	cr.Headers = canonicalHeaders(cr.Headers)
	cr.Headers = paddedAuth(cr.Headers)
	ix.opts.Redactor.Request(cr)
	return ix.norm.request(cr.Method, cr.URL, nil, cr.Headers, []byte(cr.Body), false), cr
}

// cassetteRequest converts a live request the way the recorder stores it.
func cassetteRequest(r *http.Request, body []byte) *cassette.Request {
	return &cassette.Request{
		Method:  r.Method,
		URL:     r.URL.String(),
		Headers: r.Header.Clone(),
		Body:    string(body),
		Host:    r.Host,
	}
}

// MaxRequestBody is the longest request body a replay reads, 10 MiB. A
// longer one is refused: [Index.ServeHTTP] answers 413, [Index.RoundTrip]
// and [Index.Lookup] return an error wrapping [ErrBodyTooLarge].
const MaxRequestBody = 10 << 20

// ErrBodyTooLarge is returned for a request body longer than
// [MaxRequestBody].
var ErrBodyTooLarge = errors.New("request body larger than 10 MiB")

// readBody reads the whole request body, at most [MaxRequestBody] bytes,
// and closes it.
func readBody(body io.ReadCloser, length int64) ([]byte, error) {
	if body == nil || body == http.NoBody {
		return nil, nil
	}
	defer body.Close()
	if length > MaxRequestBody {
		return nil, fmt.Errorf("%w (Content-Length %d)", ErrBodyTooLarge, length)
	}
	limited := io.LimitReader(body, MaxRequestBody+1)
	var b []byte
	var err error
	if length > 0 {
		b = make([]byte, length)
		var n int
		n, err = io.ReadFull(limited, b)
		b = b[:n]
		if err == nil {
			// More than announced: read the rest too.
			var rest []byte
			rest, err = io.ReadAll(limited)
			b = append(b, rest...)
		}
	} else {
		b, err = io.ReadAll(limited)
	}
	if err != nil {
		return nil, err
	}
	if len(b) > MaxRequestBody {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}

// withBody returns a copy of r carrying body, for sending on: r and its
// body are left as they are.
func withBody(r *http.Request, body []byte) *http.Request {
	out := r.Clone(r.Context())
	out.ContentLength = int64(len(body))
	if body == nil {
		out.Body, out.GetBody = http.NoBody, nil
		if r.Body == nil {
			out.Body = nil
		}
		return out
	}
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return out
}
