package replay_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/replay"
)

// trackedBody records whether it was closed.
type trackedBody struct {
	io.Reader
	closed bool
}

func (b *trackedBody) Close() error { b.closed = true; return nil }

// recordingTransport keeps the body of the request it is sent.
type recordingTransport struct{ body string }

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	rt.body = string(b)
	return &http.Response{StatusCode: 299, Body: io.NopCloser(strings.NewReader("forwarded")), Header: http.Header{}, Request: r}, nil
}

// TestRoundTripContract checks Index.RoundTrip and Index.Lookup as an
// http.RoundTripper must behave: the caller's request is not changed (its
// Body stays the one it set) and its body is closed, on a hit, on a miss,
// and when the miss is forwarded (the forwarded copy carries the body).
func TestRoundTripContract(t *testing.T) {
	dir := sessionCassette(t)
	hit := `{"access_token":"` + tokenA + `"}`
	miss := `{"access_token":"` + tokenA + `","note":"not recorded"}`
	fwd := &recordingTransport{}
	tests := []struct {
		name       string
		body       string
		opts       replay.Options
		lookup     bool
		wantStatus int
		wantErr    error
	}{
		{"hit", hit, replay.Options{}, false, 200, nil},
		{"miss", miss, replay.Options{}, false, 501, nil},
		{"miss forwarded", miss, replay.Options{Miss: fwd}, false, 299, nil},
		{"lookup hit", hit, replay.Options{}, true, 200, nil},
		{"lookup miss", miss, replay.Options{}, true, 0, replay.ErrNoMatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := replay.Load(dir, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			body := &trackedBody{Reader: strings.NewReader(tc.body)}
			req, _ := http.NewRequest("POST", "http://replay.test/api/v3/applications/"+clientID+"/token", nil)
			req.Body, req.ContentLength = body, int64(len(tc.body))
			req.Header.Set("Authorization", basic(clientID, "realsecret"))
			req.Header.Set("Content-Type", "application/json")
			var resp *http.Response
			if tc.lookup {
				resp, err = ix.Lookup(req)
			} else {
				resp, err = ix.RoundTrip(req)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if resp != nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.wantStatus {
					t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
				}
			}
			if req.Body != io.ReadCloser(body) {
				t.Errorf("the caller's request body was replaced by %T", req.Body)
			}
			if !body.closed {
				t.Error("the caller's request body was not closed")
			}
			if tc.opts.Miss != nil && fwd.body != tc.body {
				t.Errorf("forwarded body %q, want %q", fwd.body, tc.body)
			}
		})
	}
}

// endless is a request body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestRequestBodyCapped sends a body longer than MaxRequestBody, with and
// without a Content-Length: RoundTrip fails with ErrBodyTooLarge, the
// handler answers 413, and neither reads more than the cap.
func TestRequestBodyCapped(t *testing.T) {
	ix, err := replay.Load(sessionCassette(t), replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, length := range []int64{-1, replay.MaxRequestBody + 1} {
		newReq := func() *http.Request {
			req := httptest.NewRequest("POST", "http://replay.test/api/v3/applications/"+clientID+"/token", io.LimitReader(endless{}, 1<<30))
			req.ContentLength = length
			return req
		}
		if _, err := ix.RoundTrip(newReq()); !errors.Is(err, replay.ErrBodyTooLarge) {
			t.Errorf("Content-Length %d: RoundTrip error %v, want ErrBodyTooLarge", length, err)
		}
		w := httptest.NewRecorder()
		ix.ServeHTTP(w, newReq())
		if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "larger than 10 MiB") {
			t.Errorf("Content-Length %d: handler answered %d %s, want 413", length, w.Code, w.Body)
		}
	}
}

// TestRecordedUpstreamFailureMarked replays an interaction the recorder
// stored when upstream failed (502 with the error header): the answer
// keeps the header, through the handler and the RoundTripper, so a client
// can tell it from an answer of GitHub.
func TestRecordedUpstreamFailureMarked(t *testing.T) {
	it := &cassette.Interaction{
		Request: cassette.Request{Method: "POST", URL: "https://ghes.example.com/api/v3/applications/" + clientID + "/token",
			Headers: jsonHeader(http.Header{"Authorization": {basic(clientID, secret)}}), Body: `{"access_token":"` + tokenA + `"}`},
		Response: cassette.Response{Code: 502, Status: "502 Bad Gateway", Body: `{"message":"oauthcompat: upstream https://ghes.example.com did not answer"}`,
			Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}, cassettes.ErrorHeader: {"dial tcp 10.0.0.1:443: connect: connection refused"}}},
	}
	data, err := cassettes.Marshal([]*cassette.Interaction{it})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ghes-3.8", "down.yaml"), data)
	srv, err := replay.NewServer(dir, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := call{"POST", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {basic(clientID, "realsecret")}}, `{"access_token":"` + tokenB + `"}`}
	want := answer{Status: 502, Body: it.Response.Body, Header: map[string]string{cassettes.ErrorHeader: "dial tcp 10.0.0.1:443: connect: connection refused"}}
	for name, rt := range map[string]http.RoundTripper{"handler": toServer{srv.URL()}, "RoundTripper": srv.Index} {
		got := do(t, rt, c, map[string]string{cassettes.ErrorHeader: ""})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// toServer sends requests over HTTP to the server at base.
type toServer struct{ base string }

func (s toServer) RoundTrip(r *http.Request) (*http.Response, error) {
	u, err := url.Parse(s.base + r.URL.RequestURI())
	if err != nil {
		return nil, err
	}
	out := r.Clone(r.Context())
	out.URL, out.Host = u, u.Host
	return http.DefaultTransport.RoundTrip(out)
}
