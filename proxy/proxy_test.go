package proxy_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

const (
	clientID     = "Iv1.8a61f9b3a7aba766"
	clientSecret = "1f8e2b6c4d9a0e7f3b5c8d1a2e4f6b9c0d3e5f7a"
	realToken    = "gho_16C7e42F292c6912E7710c838347Ae178B4a"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// checkBody is what GitHub answers to POST /applications/{client_id}/token.
func checkBody(token string) string {
	return fmt.Sprintf(`{"id":1,"url":"https://api.github.com/authorizations/1","app":{"name":"ci","url":"https://example.com","client_id":%q},"token":%q,"hashed_token":%q,"token_last_eight":%q,"note":null,"note_url":null,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","scopes":["repo"],"fingerprint":null,"expires_at":null,"user":{"login":"octocat","id":1}}`,
		clientID, token, sha(token), token[len(token)-8:])
}

// upstream is a small GitHub-like server.
func upstream(t testing.TB, enterprise string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /applications/{client_id}/token", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			AccessToken string `json:"access_token"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		if enterprise != "" {
			w.Header().Set("X-GitHub-Enterprise-Version", enterprise)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Set-Cookie", "_gh_sess=c2Vzc2lvbnNlY3JldA; path=/; HttpOnly")
		if in.AccessToken == "" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"message":"Validation Failed"}`)
			return
		}
		io.WriteString(w, checkBody(in.AccessToken))
	})
	mux.HandleFunc("GET /applications/encoded/{encoding}", func(w http.ResponseWriter, r *http.Request) {
		b := encode(t, r.PathValue("encoding"), checkBody(realToken))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", strings.TrimSuffix(r.PathValue("encoding"), "-raw"))
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		w.Write(b)
	})
	mux.HandleFunc("GET /applications/big/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		w.Header().Set("Content-Length", fmt.Sprint(n))
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
		for n > 0 {
			k := min(n, len(chunk))
			w.Write(chunk[:k])
			n -= k
		}
	})
	mux.HandleFunc("GET /applications/stream/chunks", func(w http.ResponseWriter, r *http.Request) {
		for i := range 3 {
			fmt.Fprintf(w, "chunk %d\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(150 * time.Millisecond)
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.RequestURI())
	})
	return mux
}

// rig is a recording reverse proxy in front of an upstream.
type rig struct {
	t     *testing.T
	dir   string
	proxy *httptest.Server
	rev   *proxy.Reverse
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newRig(t *testing.T, up string, cfg proxy.Config) *rig {
	t.Helper()
	dir := t.TempDir()
	store, err := cassettes.OpenStore(dir, "session", redact.New(testKey, redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(up)
	cfg.Upstream, cfg.Store = u, store
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	rev, err := proxy.NewReverse(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rev)
	t.Cleanup(srv.Close)
	return &rig{t: t, dir: dir, proxy: srv, rev: rev, logs: logs}
}

// stop closes the recorder and loads what it wrote.
func (r *rig) stop() []*cassette.Interaction {
	r.t.Helper()
	if err := r.rev.Close(); err != nil {
		r.t.Fatal(err)
	}
	cs, err := cassettes.LoadDir(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []*cassette.Interaction
	for _, c := range cs {
		out = append(out, c.Interactions...)
	}
	return out
}

func (r *rig) files() []string {
	paths, err := cassettes.Files(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	return paths
}

func checkToken(t *testing.T, base, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/applications/"+clientID+"/token", strings.NewReader(`{"access_token":"`+token+`"}`))
	req.SetBasicAuth(clientID, clientSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestReverseRecordsRedacted: the client gets the real response, the
// cassette only pseudonyms, filed under the version the server reports,
// labelled with the operation.
func TestReverseRecordsRedacted(t *testing.T) {
	up := httptest.NewServer(upstream(t, "3.8.12"))
	defer up.Close()
	r := newRig(t, up.URL, proxy.Config{})
	resp, body := checkToken(t, r.proxy.URL, realToken)
	if diff := cmp.Diff(checkBody(realToken), body); diff != "" {
		t.Errorf("live body (-want +got):\n%s", diff)
	}
	if got := resp.Header.Get("Set-Cookie"); !strings.Contains(got, "c2Vzc2lvbnNlY3JldA") {
		t.Errorf("live Set-Cookie = %q, want the real one", got)
	}
	its := r.stop()
	if diff := cmp.Diff([]string{cassettes.Path(r.dir, "ghes-3.8", "session")}, r.files()); diff != "" {
		t.Errorf("cassettes (-want +got):\n%s", diff)
	}
	if len(its) != 1 {
		t.Fatalf("%d interactions, want 1", len(its))
	}
	it := its[0]
	data, _ := cassettes.Marshal(its)
	for _, secret := range []string{realToken, clientSecret, sha(realToken), "c2Vzc2lvbnNlY3JldA"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("secret %q reached the cassette", secret)
		}
	}
	if got := it.Request.Headers.Get(cassettes.OperationHeader); got != "apps/check-token" {
		t.Errorf("operation = %q, want apps/check-token", got)
	}
	p := redact.New(testKey, redact.Options{}).Token(realToken)
	if diff := cmp.Diff(checkBody(p), it.Response.Body); diff != "" {
		t.Errorf("stored body (-want +got):\n%s", diff)
	}
	if it.Request.Body != `{"access_token":"`+p+`"}` {
		t.Errorf("stored request body = %q", it.Request.Body)
	}
	if it.Response.Code != 200 || it.Request.Method != "POST" || !strings.HasPrefix(it.Request.URL, up.URL+"/applications/") {
		t.Errorf("stored %s %s -> %d", it.Request.Method, it.Request.URL, it.Response.Code)
	}
}

func TestVersionChoice(t *testing.T) {
	tests := []struct {
		name, header, flag, want string
		warn                     bool
	}{
		{"default", "", "", "api.github.com", false},
		{"from header", "3.9.3", "", "ghes-3.9", false},
		{"from flag", "", "3.8", "ghes-3.8", false},
		{"flag agrees", "3.8.1", "ghes-3.8", "ghes-3.8", false},
		{"flag contradicted", "3.10.0", "3.8", "ghes-3.8", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := httptest.NewServer(upstream(t, tc.header))
			defer up.Close()
			r := newRig(t, up.URL, proxy.Config{Version: tc.flag})
			checkToken(t, r.proxy.URL, realToken)
			r.stop()
			if diff := cmp.Diff([]string{cassettes.Path(r.dir, tc.want, "session")}, r.files()); diff != "" {
				t.Errorf("cassettes (-want +got):\n%s", diff)
			}
			if got := strings.Contains(r.logs.String(), "level=WARN"); got != tc.warn {
				t.Errorf("warned = %v, want %v; log:\n%s", got, tc.warn, r.logs.String())
			}
		})
	}
}

func TestOnlyOAuthPathsRecorded(t *testing.T) {
	up := httptest.NewServer(upstream(t, ""))
	defer up.Close()
	for _, all := range []bool{false, true} {
		r := newRig(t, up.URL, proxy.Config{RecordAll: all})
		for _, p := range []string{"/user", "/api/v3/applications/x/grant", "/authorizations"} {
			resp, err := http.Get(r.proxy.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "GET "+p {
				t.Errorf("%s: live body %q", p, b)
			}
		}
		var got []string
		for _, it := range r.stop() {
			u, _ := url.Parse(it.Request.URL)
			got = append(got, u.Path)
		}
		want := []string{"/api/v3/applications/x/grant", "/authorizations"}
		if all {
			want = append([]string{"/user"}, want...)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("RecordAll=%v recorded (-want +got):\n%s", all, diff)
		}
	}
}

// encode compresses body as encoding names it: gzip, deflate (zlib-wrapped,
// as HTTP means it) or deflate-raw (bare DEFLATE, as some servers send).
func encode(t testing.TB, encoding, body string) []byte {
	var b bytes.Buffer
	var w io.WriteCloser
	switch encoding {
	case "gzip":
		w = gzip.NewWriter(&b)
	case "deflate":
		w = zlib.NewWriter(&b)
	case "deflate-raw":
		w, _ = flate.NewWriter(&b, flate.DefaultCompression)
	default:
		t.Errorf("unknown encoding %q", encoding)
		return nil
	}
	io.WriteString(w, body)
	w.Close()
	return b.Bytes()
}

// TestCompressedStoredDecoded: the client gets the compressed bytes, the
// cassette the decoded body with Content-Encoding removed and lengths
// fixed, for gzip and both forms of deflate.
func TestCompressedStoredDecoded(t *testing.T) {
	for _, encoding := range []string{"gzip", "deflate", "deflate-raw"} {
		t.Run(encoding, func(t *testing.T) { testCompressedStoredDecoded(t, encoding) })
	}
}

func testCompressedStoredDecoded(t *testing.T, encoding string) {
	up := httptest.NewServer(upstream(t, ""))
	defer up.Close()
	r := newRig(t, up.URL, proxy.Config{})
	req, _ := http.NewRequest("GET", r.proxy.URL+"/applications/encoded/"+encoding, nil)
	req.Header.Set("Accept-Encoding", "gzip") // so the client transport does not decode
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := strings.TrimSuffix(encoding, "-raw"); resp.Header.Get("Content-Encoding") != want || resp.ContentLength != int64(len(raw)) {
		t.Errorf("live: Content-Encoding %q, ContentLength %d for %d bytes", resp.Header.Get("Content-Encoding"), resp.ContentLength, len(raw))
	}
	if !bytes.Equal(raw, encode(t, encoding, checkBody(realToken))) {
		t.Errorf("live body is not the %s bytes the server sent", encoding)
	}
	it := r.stop()[0]
	p := redact.New(testKey, redact.Options{}).Token(realToken)
	if diff := cmp.Diff(checkBody(p), it.Response.Body); diff != "" {
		t.Errorf("stored body (-want +got):\n%s", diff)
	}
	if it.Response.Headers.Get("Content-Encoding") != "" {
		t.Errorf("stored Content-Encoding %q, want none", it.Response.Headers.Get("Content-Encoding"))
	}
	if n := fmt.Sprint(len(it.Response.Body)); it.Response.Headers.Get("Content-Length") != n || it.Response.ContentLength != int64(len(it.Response.Body)) {
		t.Errorf("stored lengths: header %q, content_length %d, body %s", it.Response.Headers.Get("Content-Length"), it.Response.ContentLength, n)
	}
}

// TestBigBodyStoredTruncated: the client gets every byte with its
// Content-Length; the cassette keeps the cap with a marker.
func TestBigBodyStoredTruncated(t *testing.T) {
	up := httptest.NewServer(upstream(t, ""))
	defer up.Close()
	const size, limit = 3 << 20, 1 << 20
	r := newRig(t, up.URL, proxy.Config{MaxBody: limit})
	resp, err := http.Get(fmt.Sprintf("%s/applications/big/%d", r.proxy.URL, size))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != size || resp.ContentLength != size {
		t.Errorf("live: %d bytes, Content-Length %d; want %d", n, resp.ContentLength, size)
	}
	it := r.stop()[0]
	if len(it.Response.Body) != limit {
		t.Errorf("stored %d bytes, want %d", len(it.Response.Body), limit)
	}
	if got, want := it.Response.Headers.Get(cassettes.TruncatedHeader), fmt.Sprintf("stored %d of %d bytes", limit, size); got != want {
		t.Errorf("marker %q, want %q", got, want)
	}
}

// TestStreamingSurvives: chunks sent 150 ms apart arrive apart.
func TestStreamingSurvives(t *testing.T) {
	up := httptest.NewServer(upstream(t, ""))
	defer up.Close()
	r := newRig(t, up.URL, proxy.Config{})
	resp, err := http.Get(r.proxy.URL + "/applications/stream/chunks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 64)
	var at []time.Time
	var got string
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			at = append(at, time.Now())
			got += string(buf[:n])
		}
		if err != nil {
			break
		}
	}
	if got != "chunk 0\nchunk 1\nchunk 2\n" {
		t.Fatalf("body %q", got)
	}
	if len(at) < 3 || at[len(at)-1].Sub(at[0]) < 250*time.Millisecond {
		t.Errorf("chunks arrived together (%d reads over %v): the proxy buffers", len(at), at[len(at)-1].Sub(at[0]))
	}
	if its := r.stop(); len(its) != 1 || its[0].Response.Body != got {
		t.Errorf("stored %+v", its)
	}
}

// TestUpstreamDown: a 502 with a JSON body naming upstream and error, and
// the failure recorded.
func TestUpstreamDown(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	r := newRig(t, dead, proxy.Config{})
	resp, body := checkToken(t, r.proxy.URL, realToken)
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
	var got struct{ Message, Upstream, Error string }
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("502 body is not JSON: %q", body)
	}
	if got.Upstream != dead || got.Error == "" || got.Message == "" {
		t.Errorf("502 body %+v, want upstream %s and an error", got, dead)
	}
	its := r.stop()
	if len(its) != 1 {
		t.Fatalf("%d interactions, want the error recorded", len(its))
	}
	if its[0].Response.Code != 502 || its[0].Response.Headers.Get(cassettes.ErrorHeader) == "" {
		t.Errorf("recorded %d, %s=%q", its[0].Response.Code, cassettes.ErrorHeader, its[0].Response.Headers.Get(cassettes.ErrorHeader))
	}
	if strings.Contains(its[0].Request.Body, realToken) {
		t.Error("token in the recorded error interaction")
	}
}

// TestConcurrentClients: 64 clients through one proxy; every interaction
// recorded exactly once and whole.
func TestConcurrentClients(t *testing.T) {
	up := httptest.NewServer(upstream(t, "3.8.0"))
	defer up.Close()
	r := newRig(t, up.URL, proxy.Config{})
	const clients, each = 64, 5
	red := redact.New(testKey, redact.Options{})
	want := map[string]bool{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for c := range clients {
		for k := range each {
			tok := fmt.Sprintf("gho_%036d", c*each+k)
			want[red.Token(tok)] = true
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				tok := fmt.Sprintf("gho_%036d", c*each+k)
				resp, body := checkToken(t, r.proxy.URL, tok)
				if resp.StatusCode != 200 || body != checkBody(tok) {
					mu.Lock()
					t.Errorf("client %d: %d %q", c, resp.StatusCode, body)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	its := r.stop()
	got := map[string]int{}
	for _, it := range its {
		var b struct{ Token string }
		if err := json.Unmarshal([]byte(it.Response.Body), &b); err != nil {
			t.Fatalf("stored body is cut or mixed: %q", it.Response.Body)
		}
		if it.Request.Body != `{"access_token":"`+b.Token+`"}` {
			t.Errorf("request and response interleaved: %q vs token %q", it.Request.Body, b.Token)
		}
		got[b.Token]++
	}
	if len(its) != clients*each || len(got) != len(want) {
		t.Errorf("%d interactions, %d distinct; want %d", len(its), len(got), clients*each)
	}
	for tok, n := range got {
		if n != 1 || !want[tok] {
			t.Errorf("token %s recorded %d times (expected: %v)", tok, n, want[tok])
		}
	}
}

// TestCloseWaitsForInFlight: Close returns only after a slow response is
// recorded.
func TestCloseWaitsForInFlight(t *testing.T) {
	up := httptest.NewServer(upstream(t, ""))
	defer up.Close()
	r := newRig(t, up.URL, proxy.Config{})
	resp, err := http.Get(r.proxy.URL + "/applications/stream/chunks")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []*cassette.Interaction)
	go func() { done <- r.stop() }()
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	select {
	case its := <-done:
		if len(its) != 1 {
			t.Errorf("%d interactions after Close, want the in-flight one", len(its))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, err := r.rev.RoundTrip(httptest.NewRequest("GET", up.URL+"/applications", nil)); err == nil {
		t.Error("RoundTrip after Close succeeded")
	}
}

// TestRecorderAsTransport: the conformance suite's way, an http.Client
// whose transport is the Recorder.
func TestRecorderAsTransport(t *testing.T) {
	up := httptest.NewServer(upstream(t, ""))
	defer up.Close()
	dir := t.TempDir()
	store, _ := cassettes.OpenStore(dir, "conform", redact.NewRandom())
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "3.2"})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: rec}
	resp, err := client.Post(up.URL+"/applications/"+clientID+"/token", "application/json", strings.NewReader(`{"access_token":"`+realToken+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), realToken) {
		t.Errorf("client did not get the real token: %s", b)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := cassettes.Load(cassettes.Path(dir, "ghes-3.2", "conform"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 1 || strings.Contains(c.Interactions[0].Response.Body, realToken) {
		t.Errorf("cassette: %+v", c.Interactions)
	}
}

// TestGzipBombStoredCapped: a small gzip body that expands far past the
// cap is stored cut at the cap with the marker, never decoded whole.
func TestGzipBombStoredCapped(t *testing.T) {
	const expanded, limit = 64 << 20, 1 << 20
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(bytes.Repeat([]byte{'a'}, expanded))
	zw.Close()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		w.Write(zipped.Bytes())
	}))
	defer up.Close()
	r := newRig(t, up.URL, proxy.Config{MaxBody: limit})
	req, _ := http.NewRequest("GET", r.proxy.URL+"/authorizations", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != int64(zipped.Len()) {
		t.Errorf("live: %d bytes, want the %d gzip bytes", n, zipped.Len())
	}
	it := r.stop()[0]
	if len(it.Response.Body) != limit {
		t.Errorf("stored %d bytes, want the cap %d", len(it.Response.Body), limit)
	}
	if !strings.Contains(it.Response.Headers.Get(cassettes.TruncatedHeader), "decoded") {
		t.Errorf("no truncation marker: %v", it.Response.Headers)
	}
}

// stallingBody returns its bytes, then blocks until released: a server
// that has sent its whole Content-Length but not yet let the reader see an
// end.
type stallingBody struct {
	r       io.Reader
	release chan struct{}
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if n, _ := b.r.Read(p); n > 0 {
		return n, nil
	}
	<-b.release
	return 0, io.EOF
}

func (b *stallingBody) Close() error { return nil }

type stallingTransport struct{ body *stallingBody }

func (s stallingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body := checkBody(realToken)
	s.body.r = strings.NewReader(body)
	return &http.Response{
		Status: "200 OK", StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {fmt.Sprint(len(body))}},
		ContentLength: int64(len(body)), Body: s.body, Request: req,
	}, nil
}

// TestRecordedByTheLastByte holds that with a known length the interaction
// is recorded before the client has the last byte of its response, not
// when the body reports its end later.
func TestRecordedByTheLastByte(t *testing.T) {
	dir := t.TempDir()
	store, err := cassettes.OpenStore(dir, "session", redact.NewRandom())
	if err != nil {
		t.Fatal(err)
	}
	body := &stallingBody{release: make(chan struct{})}
	defer close(body.release)
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "3.8", Transport: stallingTransport{body}})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "http://ghe.example.com/applications/"+clientID+"/token", strings.NewReader(`{"access_token":"`+realToken+`"}`))
	resp, err := rec.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, got); err != nil {
		t.Fatal(err)
	}
	// The body has not reported its end, yet nothing is in flight: the
	// interaction is stored and Close does not wait.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rec.Shutdown(ctx); err != nil {
		t.Fatalf("the interaction was still in flight after its last byte: %v", err)
	}
	c, err := cassettes.Load(cassettes.Path(dir, "ghes-3.8", "session"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 1 || c.Interactions[0].Response.ContentLength != int64(len(got)) {
		t.Errorf("cassette holds %d interactions, want the one answered", len(c.Interactions))
	}
}

// misstatedTransport answers with a body whose declared length is wrong,
// as only a hand-made RoundTripper can.
type misstatedTransport struct {
	body     string
	declared int64
}

func (m misstatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		Status: "200 OK", StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: m.declared,
		Body: io.NopCloser(iotest.OneByteReader(strings.NewReader(m.body))), Request: req,
	}, nil
}

// TestMisstatedLength: a declared length of 0 (the zero value of a
// hand-made response) records the whole body; a short one records the
// body up to it, and says so in the log; the client gets every byte.
func TestMisstatedLength(t *testing.T) {
	body := checkBody(realToken)
	for _, tc := range []struct {
		declared int64
		stored   int
		warned   bool
	}{
		{0, len(body), false},
		{-1, len(body), false},
		{int64(len(body)), len(body), false},
		{10, 10, true},
	} {
		dir := t.TempDir()
		store, _ := cassettes.OpenStore(dir, "session", redact.NewRandom())
		logs := &syncBuffer{}
		rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "3.8", Transport: misstatedTransport{body, tc.declared},
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := rec.RoundTrip(httptest.NewRequest("GET", "http://ghe.example.com/applications/"+clientID+"/token", nil))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
		c, err := cassettes.Load(cassettes.Path(dir, "ghes-3.8", "session"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(body) || len(c.Interactions) != 1 || len(c.Interactions[0].Response.Body) != tc.stored {
			t.Errorf("declared %d: client got %d bytes, cassette %d interactions storing %d bytes; want %d, 1, %d",
				tc.declared, len(got), len(c.Interactions), len(c.Interactions[0].Response.Body), len(body), tc.stored)
		}
		if warned := strings.Contains(logs.String(), "longer than its Content-Length"); warned != tc.warned {
			t.Errorf("declared %d: warned %v, want %v; log:\n%s", tc.declared, warned, tc.warned, logs)
		}
	}
}

// TestCloseDuringRead closes a response body while another goroutine
// reads it (as a client abandoning a slow response does): the race
// detector holds the recorder to it.
func TestCloseDuringRead(t *testing.T) {
	store, _ := cassettes.OpenStore(t.TempDir(), "session", redact.NewRandom())
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "3.8", Transport: misstatedTransport{checkBody(realToken), -1}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rec.RoundTrip(httptest.NewRequest("GET", "http://ghe.example.com/applications/"+clientID+"/token", nil))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(io.Discard, resp.Body)
	}()
	resp.Body.Close()
	<-done
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestUnknownVersionSaysHowToAddIt: recording a version the catalog does
// not know goes on, and the warning says how to make lint check it.
func TestUnknownVersionSaysHowToAddIt(t *testing.T) {
	store, err := cassettes.OpenStore(t.TempDir(), "session", redact.NewRandom())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs strings.Builder
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "ghes-9.99", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	if rec.Version() != "ghes-9.99" {
		t.Errorf("Version() = %q, want ghes-9.99", rec.Version())
	}
	for _, want := range []string{"oauthcompat catalog import", "--catalog DIR", "OAUTHCOMPAT_CATALOG", "oauthcompat versions"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the warning does not mention %s: %s", want, logs.String())
		}
	}
}
