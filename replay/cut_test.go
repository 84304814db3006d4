package replay_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/resetting"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

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
				up, _ := url.Parse(resetting.Upstream(t, body, cut, chunked))
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
	up, _ := url.Parse(resetting.Upstream(t, body, 10, false))
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
