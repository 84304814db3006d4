package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/contentcoding"
	"github.com/oauthcompat/oauthcompat/schemas"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// DefaultMaxBody is the stored body cap when [Config.MaxBody] is zero.
const DefaultMaxBody = 10 << 20

// DefaultVersion is the version recorded when neither [Config.Version]
// nor an X-GitHub-Enterprise-Version response header names one.
const DefaultVersion = "api.github.com"

// ErrClosed is returned by [Recorder.RoundTrip] after [Recorder.Close].
var ErrClosed = errors.New("recorder is closed")

// Config configures a [Recorder] and the proxies built on it. Zero fields
// take the documented defaults.
type Config struct {
	// Upstream is the server the reverse proxy forwards to, such as
	// http://127.0.0.1:8080 or https://ghe.example.com. It is nil in
	// forward mode.
	Upstream *url.URL

	// Store receives the recorded interactions. It is required.
	Store *cassettes.Store

	// Version is the GitHub version the cassettes are filed under ("3.8",
	// "ghes-3.8", "api.github.com"). Empty means: from each response's
	// X-GitHub-Enterprise-Version header, else api.github.com.
	Version string

	// Catalog names the operation each interaction matched; nil means
	// [schemas.Default].
	Catalog *schemas.Catalog

	// Transport sends requests upstream; nil means a tuned
	// *http.Transport (keep-alives, a large idle pool per host).
	Transport http.RoundTripper

	// RecordAll records every request, not only those to the OAuth paths
	// (/applications..., /authorizations..., with or without /api/v3).
	RecordAll bool

	// MaxBody caps how many bytes of each body are stored (default 10 MiB).
	// Longer bodies still stream through whole; the stored copy is cut and
	// marked with the [cassettes.TruncatedHeader] header.
	MaxBody int64

	// Logger receives what the user must know at once: each interaction
	// not recorded (error), each upstream failure (warning, with what it
	// means), a version header contradicting Version; nil discards them.
	Logger *slog.Logger
}

// Recorder is an [http.RoundTripper] that forwards requests upstream and
// records each completed interaction into the Store. It is safe for
// concurrent use.
type Recorder struct {
	cfg     Config
	tr      http.RoundTripper
	cat     *schemas.Catalog
	version string // canonical Config.Version, or ""
	log     *slog.Logger

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
	warned   sync.Map // header version -> struct{}

	lastHeader atomic.Pointer[[2]string] // see headerVersion
	ops        sync.Map                  // opKey -> operation id; see operation
	opsCount   atomic.Int64
	hosts      sync.Map // upstream host -> the version it last reported; see versionFor

	recorded, lost atomic.Int64 // see Stats
}

// Stats counts what a [Recorder] did with the interactions it saw
// complete.
type Stats struct {
	// Recorded interactions are in the Store's journal: in the cassettes
	// once the Store is closed.
	Recorded int64
	// NotRecorded interactions were answered but could not be stored (the
	// disk is full, the directory cannot be written, the Store was closed);
	// each was logged as an error when it happened.
	NotRecorded int64
}

// Stats returns the counts so far.
func (r *Recorder) Stats() Stats {
	return Stats{Recorded: r.recorded.Load(), NotRecorded: r.lost.Load()}
}

// NewRecorder returns a Recorder for cfg. cfg.Store is required.
func NewRecorder(cfg Config) (*Recorder, error) {
	if cfg.Store == nil {
		return nil, errors.New("new recorder: no cassette store")
	}
	r := &Recorder{cfg: cfg, tr: cfg.Transport, cat: cfg.Catalog, log: cfg.Logger}
	if r.tr == nil {
		r.tr = NewTransport()
	}
	if r.cat == nil {
		r.cat = schemas.Default()
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.cfg.MaxBody <= 0 {
		r.cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Version != "" {
		v, err := r.cat.Version(cfg.Version)
		if err != nil {
			// A version the catalog does not know yet can still be
			// recorded; its operations are named from the other versions.
			r.version = schemas.Canonical(cfg.Version)
			if err := cassettes.CheckName("version", r.version); err != nil {
				return nil, fmt.Errorf("new recorder: %w", err)
			}
			r.log.Warn("recording a version the catalog does not document: cassette lint will not check its responses until its description is imported with 'oauthcompat catalog import' and passed with --catalog DIR or OAUTHCOMPAT_CATALOG=DIR (see 'oauthcompat versions')", "version", r.version)
		} else {
			r.version = v.Name
		}
	}
	return r, nil
}

// Version returns the version every interaction is filed under (the
// canonical [Config.Version]), or "" when each response's header decides.
func (r *Recorder) Version() string { return r.version }

// NewTransport returns the *http.Transport used when [Config.Transport] is
// nil: proxy settings from the environment, keep-alives and up to 256 idle
// connections per host.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// Close stops accepting round trips, waits for those in flight (their
// response bodies must be read to the end or closed), then closes the Store,
// which writes the cassettes.
func (r *Recorder) Close() error { return r.Shutdown(context.Background()) }

// Shutdown is [Recorder.Close] with a deadline: when ctx ends before the
// round trips in flight finish, the Store is closed anyway (recording what
// has completed) and ctx's error is returned with the Store's.
func (r *Recorder) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	already := r.closed
	r.closed = true
	r.mu.Unlock()
	if already {
		return nil
	}
	done := make(chan struct{})
	go func() { r.inflight.Wait(); close(done) }()
	var waitErr error
	select {
	case <-done:
	case <-ctx.Done():
		waitErr = fmt.Errorf("recorder: round trips still in flight: %w", ctx.Err())
	}
	return errors.Join(waitErr, r.cfg.Store.Close())
}

func (r *Recorder) begin() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.inflight.Add(1)
	return true
}

// records reports whether a request to path is recorded.
func (r *Recorder) records(path string) bool {
	return r.cfg.RecordAll || schemas.IsOAuthPath(path)
}

// RoundTrip forwards req upstream and returns the real response. When the
// path is recorded, the request body is read whole first, and the response
// body is teed into a capped buffer: the interaction is stored when the
// body reaches its end or is closed, before that Read or Close returns.
// When upstream fails, the failure is recorded as an interaction with code
// 502 and the [cassettes.ErrorHeader] header, and the error is returned.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if !r.begin() {
		closeBody(req)
		return nil, ErrClosed
	}
	if !r.records(req.URL.Path) {
		resp, err := r.tr.RoundTrip(req)
		if err != nil {
			r.inflight.Done()
			return nil, err
		}
		resp.Body = &doneBody{ReadCloser: resp.Body, done: r.inflight.Done}
		return resp, nil
	}

	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := readBody(req.Body, req.ContentLength)
		req.Body.Close()
		if err != nil {
			r.inflight.Done()
			return nil, fmt.Errorf("read request body: %w", err)
		}
		reqBody = b
		// A shallow copy: only the body changes, and RoundTrip must not
		// modify the caller's request.
		out := new(http.Request)
		*out = *req
		out.Body = io.NopCloser(bytes.NewReader(b))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		req = out
	}
	if ae, ok := contentcoding.Acceptable(req.Header.Values("Accept-Encoding")); !ok {
		// An extra guard: upstream is offered only codings the recording
		// can decode (a body in any other is stored as a placeholder).
		out := new(http.Request)
		*out = *req
		out.Header = req.Header.Clone()
		out.Header.Del("Accept-Encoding")
		if ae != "" {
			out.Header.Set("Accept-Encoding", ae)
		}
		req = out
	}
	start := time.Now()
	it := &cassette.Interaction{Request: r.request(req, reqBody)}

	resp, err := r.tr.RoundTrip(req)
	if err != nil {
		defer r.inflight.Done()
		if req.Context().Err() == nil {
			r.log.Warn("upstream failed; the client gets a 502, recorded as such",
				"method", req.Method, "path", schemas.MaskPath(req.URL.Path, "REDACTED"), "upstream", upstreamOf(req),
				"problem", Problem(err), "err", errorText(err))
			it.Response = errorResponse(req, err, time.Since(start))
			r.add(req, it, "")
		}
		return nil, &UpstreamError{Upstream: upstreamOf(req), Err: err}
	}
	tee := &teeBody{
		ctx:    req.Context(),
		rc:     resp.Body,
		length: resp.ContentLength,
		limit:  r.cfg.MaxBody + cutMargin,
		done: func(b *teeBody, complete bool) {
			defer r.inflight.Done()
			if b.cut != nil {
				r.log.Warn("upstream failed mid-body; the client got the bytes before it and an error, recorded as such",
					"method", req.Method, "path", schemas.MaskPath(req.URL.Path, "REDACTED"), "upstream", upstreamOf(req),
					"after_bytes", b.n, "problem", Problem(b.cut), "err", errorText(b.cut))
			}
			it.Response = r.response(resp, b, complete, time.Since(start))
			r.add(req, it, resp.Header.Get("X-GitHub-Enterprise-Version"))
		},
		overrun: func() {
			r.log.Warn("the response is longer than its Content-Length; the recorded body stops there",
				"method", req.Method, "path", schemas.MaskPath(req.URL.Path, "REDACTED"))
		},
	}
	if w, ok := req.Context().Value(writerKey{}).(http.ResponseWriter); ok && resp.ContentLength > 0 && !eventStream(resp.Header) {
		// httputil.ReverseProxy flushes a body of unknown length (and an
		// event stream) itself, from a goroutine of its own: flushing it
		// here too would race. A body of known length it does not flush.
		tee.w = w
	}
	if resp.ContentLength > 0 {
		// Sized once for the common small body; a claimed length is not
		// trusted with more.
		tee.buf.Grow(int(min(resp.ContentLength, r.cfg.MaxBody+cutMargin, 64<<10)))
	}
	resp.Body = tee
	return resp, nil
}

// eventStream reports whether h describes Server-Sent Events.
func eventStream(h http.Header) bool {
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "text/event-stream")
}

// writerKey is the context key under which a proxy puts the
// http.ResponseWriter a request's response goes to, so that an upstream
// failure mid-body can flush what the client was sent before the
// connection is cut.
type writerKey struct{}

// readBody reads a request body whole, in one allocation when its length
// is known (and not implausibly large).
func readBody(body io.Reader, length int64) ([]byte, error) {
	if length <= 0 || length > 1<<20 {
		return io.ReadAll(body)
	}
	b := make([]byte, length, length+1)
	if _, err := io.ReadFull(body, b); err != nil {
		return nil, err
	}
	// A body longer than it said is read whole all the same.
	var extra [1]byte
	n, err := body.Read(extra[:])
	if n == 0 && err != nil {
		if err == io.EOF {
			return b, nil
		}
		return nil, err
	}
	rest, err := io.ReadAll(body)
	return append(append(b, extra[:n]...), rest...), err
}

// add labels and stores a finished interaction. The live client already
// has its response, so a Store error is logged at once (and counted, see
// [Recorder.Stats]): the caller reports the count and fails.
func (r *Recorder) add(req *http.Request, it *cassette.Interaction, header string) {
	version := r.versionFor(req.URL.Host, header)
	op := r.operation(version, req.Method, req.URL.Path)
	if op != "" {
		it.Request.Headers.Set(cassettes.OperationHeader, op)
	}
	if err := r.cfg.Store.AddLimited(version, it, r.cfg.MaxBody); err != nil {
		r.lost.Add(1)
		// Not the path: a legacy endpoint carries the token in it.
		r.log.Error("interaction not recorded", "method", req.Method, "operation", op, "version", version,
			"status", it.Response.Code, "err", err)
		return
	}
	r.recorded.Add(1)
}

// versionFor picks the version an interaction with host is filed under:
// --version, else the response's X-GitHub-Enterprise-Version, else (an
// upstream failure has no header) the version host last reported, else
// [DefaultVersion].
func (r *Recorder) versionFor(host, header string) string {
	fromHeader := r.headerVersion(header)
	switch {
	case r.version != "":
		if fromHeader != "" && fromHeader != r.version {
			if _, seen := r.warned.LoadOrStore(fromHeader, struct{}{}); !seen {
				r.log.Warn("upstream reports another version than --version; recording under --version",
					"version", r.version, "header", header)
			}
		}
		return r.version
	case fromHeader != "":
		if last, ok := r.hosts.Load(host); !ok || last.(string) != fromHeader {
			r.hosts.Store(host, fromHeader)
		}
		return fromHeader
	}
	if last, ok := r.hosts.Load(host); ok {
		return last.(string)
	}
	return DefaultVersion
}

// headerVersion is the canonical name of an X-GitHub-Enterprise-Version
// value ("" for none), made a safe directory name: a value that is not
// one ("3.8/x") is recorded under a name without its path separators,
// and a warning says so once. A server sends the same value every time,
// so the last answer is kept.
func (r *Recorder) headerVersion(header string) string {
	if header == "" {
		return ""
	}
	if last := r.lastHeader.Load(); last != nil && last[0] == header {
		return last[1]
	}
	name := schemas.Canonical(header)
	if v, err := r.cat.Version(header); err == nil {
		name = v.Name
	}
	if safe := safeVersion(name); safe != name {
		if _, seen := r.warned.LoadOrStore("unsafe "+header, struct{}{}); !seen {
			r.log.Warn("upstream's X-GitHub-Enterprise-Version is not a version name; recording under a safe name",
				"header", header, "version", safe)
		}
		name = safe
	}
	r.lastHeader.Store(&[2]string{header, name})
	return name
}

// safeVersion returns name with every character that has no place in a
// directory name (anything but letters, digits, '.', '_', '+' and '-')
// replaced by '-', without leading dots (a hidden directory would not be
// read back); "unknown" when nothing is left.
func safeVersion(name string) string {
	b := []byte(name)
	for k, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			b[k] = '-'
		}
	}
	out := strings.TrimLeft(string(b), ".")
	if out == "" || cassettes.CheckName("version", out) != nil {
		return "unknown"
	}
	return out
}

// operation names the catalog operation a request matched: the version's
// own, else any version's, else "". A client calls the same few paths over
// and over, so answers are remembered (up to opsRemembered of them).
func (r *Recorder) operation(version, method, path string) string {
	key := opKey{version, method, path}
	if op, ok := r.ops.Load(key); ok {
		return op.(string)
	}
	op := r.matchOperation(version, method, path)
	if r.opsCount.Add(1) <= opsRemembered {
		r.ops.Store(key, op)
	}
	return op
}

// opKey is what operation's answer depends on.
type opKey struct{ version, method, path string }

// opsRemembered bounds what operation remembers: paths hold ids and,
// unrecorded but for --record-all, anything.
const opsRemembered = 4096

func (r *Recorder) matchOperation(version, method, path string) string {
	if v, err := r.cat.Version(version); err == nil {
		if op, ok := v.Match(method, path); ok {
			return op.ID
		}
	}
	if op, ok := r.cat.Lookup(method, path); ok {
		return op.ID
	}
	return ""
}

// request captures the recorded side of req, as go-vcr's recorder does.
// A body in a content coding is stored decoded (see decodeBody). A body
// longer than the cap is kept with a margin: the Store redacts it whole,
// then cuts it (see [cassettes.Store.AddLimited]).
func (r *Recorder) request(req *http.Request, body []byte) cassette.Request {
	// A map of its own, for the headers the recording adds; the values
	// are req's, which no one modifies until the response body is closed
	// (the RoundTripper contract), when the interaction is stored.
	h := make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		h[k] = v
	}
	length := req.ContentLength
	keep := r.cfg.MaxBody + cutMargin
	stored, decoded, decodedCut, why := decodeBody(h, string(body), false, keep)
	switch {
	case why != "":
		h.Set(cassettes.UndecodedHeader, why)
	case decodedCut || decoded && int64(len(stored)) > r.cfg.MaxBody:
		stored = stored[:min(int64(len(stored)), keep)]
		h.Set(cassettes.TruncatedHeader, fmt.Sprintf("stored the first %d bytes of the decoded body", min(int64(len(stored)), r.cfg.MaxBody)))
	case int64(len(body)) > r.cfg.MaxBody:
		stored = stored[:min(int64(len(stored)), keep)]
		h.Set(cassettes.TruncatedHeader, fmt.Sprintf("stored %d of %d bytes", r.cfg.MaxBody, len(body)))
	}
	if decoded {
		h.Del("Content-Encoding")
		length = int64(len(stored))
		if h.Get("Content-Length") != "" {
			h.Set("Content-Length", strconv.Itoa(len(stored)))
		}
	}
	cr := cassette.Request{
		Proto:            req.Proto,
		ProtoMajor:       req.ProtoMajor,
		ProtoMinor:       req.ProtoMinor,
		ContentLength:    length,
		TransferEncoding: req.TransferEncoding,
		Trailer:          req.Trailer,
		Host:             req.Host,
		Body:             stored,
		Headers:          h,
		URL:              req.URL.String(),
		Method:           req.Method,
	}
	if cr.Proto == "" {
		cr.Proto, cr.ProtoMajor, cr.ProtoMinor = "HTTP/1.1", 1, 1
	}
	if cr.Host == "" {
		cr.Host = req.URL.Host
	}
	// A body starting with "{" or "[" is JSON whatever its Content-Type
	// says (curl -d sends JSON as a form): parsed as a form, its whole text
	// would become a key.
	trimmed := strings.TrimSpace(strings.TrimPrefix(stored, "\ufeff"))
	isJSON := len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
	if !isJSON && why == "" && strings.Contains(strings.ToLower(h.Get("Content-Type")), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(stored); err == nil {
			cr.Form = v
		}
	}
	return cr
}

// response captures the recorded side of resp from the teed body. The
// headers are resp's own map unless the stored body needs them changed
// (then a changed copy): nothing modifies a recorded map afterwards, as
// the redactor copies what it changes.
func (r *Recorder) response(resp *http.Response, b *teeBody, complete bool, d time.Duration) cassette.Response {
	h := resp.Header
	if h == nil {
		h = http.Header{}
	}
	if b.cut != nil {
		return r.cutResponse(resp, b, d)
	}
	body, decoded, cut, why := decodeBody(h, b.buf.String(), b.truncated, r.cfg.MaxBody+cutMargin)
	cl := resp.ContentLength
	stored := min(int64(len(body)), r.cfg.MaxBody) // what the Store keeps
	var note string
	switch {
	case why != "":
		cl = int64(len(body))
	case cut || decoded && int64(len(body)) > r.cfg.MaxBody:
		note = fmt.Sprintf("stored the first %d bytes of the decoded body", stored)
		cl = stored
	case b.truncated || int64(len(body)) > r.cfg.MaxBody:
		total := "more than " + fmt.Sprint(b.n)
		if complete {
			total = fmt.Sprint(b.n)
		}
		note = fmt.Sprintf("stored %d of %s bytes", stored, total)
		cl = stored
	case !complete:
		note = fmt.Sprintf("stored %d bytes: the client closed the body before its end", len(body))
		cl = int64(len(body))
	case decoded && cl >= 0:
		cl = int64(len(body))
	}
	fixCL := h.Get("Content-Length") != "" || decoded && cl >= 0
	if fixCL && cl >= 0 && h.Get("Content-Length") == strconv.FormatInt(cl, 10) {
		fixCL = false // already right
	}
	if decoded || note != "" || fixCL {
		h = h.Clone()
		if decoded {
			h.Del("Content-Encoding")
		}
		if why != "" {
			h.Set(cassettes.UndecodedHeader, why)
		}
		if note != "" {
			h.Set(cassettes.TruncatedHeader, note)
		}
		if fixCL {
			if cl >= 0 {
				h.Set("Content-Length", strconv.FormatInt(cl, 10))
			} else {
				h.Del("Content-Length")
			}
		}
	}
	return recorded(resp, h, body, cl, d)
}

// recorded is the recorded side of resp with the headers, body and length
// to store.
func recorded(resp *http.Response, h http.Header, body string, length int64, d time.Duration) cassette.Response {
	return cassette.Response{
		Proto:            resp.Proto,
		ProtoMajor:       resp.ProtoMajor,
		ProtoMinor:       resp.ProtoMinor,
		TransferEncoding: resp.TransferEncoding,
		Trailer:          resp.Trailer,
		ContentLength:    length,
		Uncompressed:     resp.Uncompressed,
		Body:             body,
		Headers:          h,
		Status:           resp.Status,
		Code:             resp.StatusCode,
		Duration:         d,
	}
}

// cutResponse is the recorded response of a body the upstream cut short:
// status and headers as received (Content-Length included), the bytes
// received as they came, and the [cassettes.CutHeader]; a replay sends
// them as the client got them. A body in a content coding is the
// exception: it is stored decoded as far as it goes (or as a placeholder,
// see decodeBody), without its Content-Encoding, as it could not be
// redacted otherwise.
func (r *Recorder) cutResponse(resp *http.Response, b *teeBody, d time.Duration) cassette.Response {
	h := resp.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(cassettes.CutHeader, fmt.Sprintf("upstream failed after %d bytes of the body: %s", b.n, errorText(b.cut)))
	body, decoded, _, why := decodeBody(h, b.buf.String(), true, r.cfg.MaxBody+cutMargin)
	if decoded {
		h.Del("Content-Encoding")
	}
	if why != "" {
		h.Set(cassettes.UndecodedHeader, why)
	}
	if b.truncated || int64(len(body)) > r.cfg.MaxBody {
		h.Set(cassettes.TruncatedHeader, fmt.Sprintf("stored %d of the %d bytes received", min(int64(len(body)), r.cfg.MaxBody), b.n))
	}
	return recorded(resp, h, body, resp.ContentLength, d)
}

// errorResponse is the recorded response of a round trip upstream failed.
func errorResponse(req *http.Request, err error, d time.Duration) cassette.Response {
	body := ErrorBody(upstreamOf(req), err)
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	h.Set(cassettes.ErrorHeader, errorText(err))
	return cassette.Response{
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		ContentLength: int64(len(body)),
		Body:          string(body),
		Headers:       h,
		Status:        "502 Bad Gateway",
		Code:          http.StatusBadGateway,
		Duration:      d,
	}
}

// upstreamOf names the server a request went to: scheme://host.
func upstreamOf(req *http.Request) string {
	return (&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host}).String()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
