package replay_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// resettingUpstream answers every request with 200, the first cut bytes
// of body (with Content-Length len(body), or chunked), and a reset.
func resettingUpstream(t *testing.T, body string, cut int, chunked bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				w := bufio.NewWriter(c)
				fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-GitHub-Enterprise-Version: 3.8.4\r\nEtag: \"abc\"\r\n")
				if chunked {
					fmt.Fprintf(w, "Transfer-Encoding: chunked\r\n\r\n")
					if cut > 0 { // a chunk of 0 bytes would end the body
						fmt.Fprintf(w, "%x\r\n%s\r\n", cut, body[:cut])
					}
				} else {
					fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body[:cut])
				}
				w.Flush()
				time.Sleep(20 * time.Millisecond)
				c.(*net.TCPConn).SetLinger(0)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// outcome is what a client saw of one response.
type outcome struct {
	Status        int
	ContentType   string
	ContentLength int64
	ETag          string
	Body          string
	Failed        bool // reading the body ended with an error
}

func get(t *testing.T, rt http.RoundTripper, base string) outcome {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/applications/"+clientID+"/token", strings.NewReader(`{"access_token":"`+tokenA+`"}`))
	req.SetBasicAuth(clientID, secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s: %v", base, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return outcome{resp.StatusCode, resp.Header.Get("Content-Type"), resp.ContentLength, resp.Header.Get("Etag"), string(b), err != nil}
}

// TestReplayReproducesUpstreamCut records an upstream that resets its
// connection mid-body, at several offsets, with and without a
// Content-Length, then replays the cassette: over HTTP and through the
// RoundTripper, the client sees what the live client saw: the same
// status and headers, the bytes received, then an error.
func TestReplayReproducesUpstreamCut(t *testing.T) {
	body := `{"id":1,"token":"` + tokenA + `","hashed_token":"` + strings.Repeat("a", 64) + `","app":{"client_id":"` + clientID + `"}}`
	for _, chunked := range []bool{false, true} {
		for _, cut := range []int{0, 1, 40, len(body) - 1} {
			t.Run(fmt.Sprintf("chunked=%v/cut=%d", chunked, cut), func(t *testing.T) {
				dir := t.TempDir()
				store, err := cassettes.OpenStore(dir, "session", redact.NewRandom())
				if err != nil {
					t.Fatal(err)
				}
				up, _ := url.Parse(resettingUpstream(t, body, cut, chunked))
				rev, err := proxy.NewReverse(proxy.Config{Upstream: up, Store: store})
				if err != nil {
					t.Fatal(err)
				}
				live := httptest.NewServer(rev)
				tr := &http.Transport{}
				defer tr.CloseIdleConnections()
				want := get(t, tr, live.URL)
				live.Close()
				if err := rev.Close(); err != nil {
					t.Fatal(err)
				}
				if !want.Failed || want.Body != body[:cut] {
					t.Fatalf("live: %+v; want the %d bytes before the reset and an error", want, cut)
				}

				srv, err := replay.NewServer(dir, replay.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Close()
				for name, got := range map[string]outcome{
					"over HTTP":       get(t, tr, srv.URL()),
					"as RoundTripper": get(t, srv.Index, "http://ghes.example.com"),
				} {
					// The token in the body is a pseudonym of the same shape.
					if got.Body != "" {
						got.Body = body[:len(got.Body)]
					}
					if got != want {
						t.Errorf("%s: replay %+v, live %+v", name, got, want)
					}
				}
			})
		}
	}
}

// TestForwardedMissCut: a miss forwarded upstream with --on-miss proxy
// whose answer the upstream cuts reaches the client cut too, not as a
// clean end.
func TestForwardedMissCut(t *testing.T) {
	body := `{"id":1,"token":"` + tokenA + `"}`
	dir := sessionCassette(t)
	store, err := cassettes.OpenStore(dir, "misses", redact.NewRandom())
	if err != nil {
		t.Fatal(err)
	}
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "ghes-3.8"})
	if err != nil {
		t.Fatal(err)
	}
	up, _ := url.Parse(resettingUpstream(t, body, 10, false))
	srv, err := replay.NewServer(dir, replay.Options{Miss: replay.Upstream(up, rec)})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", srv.URL()+"/applications/"+clientID+"/token/unrecorded", strings.NewReader(`{}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || string(b) != body[:10] {
		t.Errorf("the client read %q, %v; want the 10 bytes and an unexpected EOF", b, err)
	}
	srv.Close()
	rec.Close()
}
