package replay_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// TestReplayTruncatedBody: a body stored cut short because it passed the
// recording cap or its client stopped reading (X-Oauthcompat-Truncated,
// not an upstream failure) replays as a whole response of the bytes
// stored: the recorded status, a Content-Length of the stored length, the
// marker header, and no cut connection, over HTTP and through the
// RoundTripper. (A cut, X-Oauthcompat-Cut, replays as a failure: see
// TestReplayReproducesUpstreamCut.)
func TestReplayTruncatedBody(t *testing.T) {
	url := "https://ghes.example.com/api/v3/applications/" + clientID + "/token"
	stored := `{"id":1,"note":"a note the recording cap cut in the mid`
	h := jsonHeader(nil)
	h.Set("Content-Length", "4096")
	h.Set(cassettes.TruncatedHeader, "stored "+strconv.Itoa(len(stored))+" of 4096 bytes")
	dir := writeRedacted(t, interaction("POST", url, jsonHeader(http.Header{"Authorization": {basic(clientID, realSecret)}}), `{"access_token":"`+realToken+`"}`, 200, h, stored))
	srv, err := replay.NewServer(dir, replay.Options{Redactor: redact.New(crossKey, redact.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for name, rt := range map[string]http.RoundTripper{"http": http.DefaultTransport, "roundtripper": srv.Index} {
		base := srv.URL()
		if name == "roundtripper" {
			base = "https://ghes.example.com"
		}
		req, _ := http.NewRequest("POST", base+"/api/v3/applications/"+clientID+"/token", strings.NewReader(`{"access_token":"`+realToken+`"}`))
		req.SetBasicAuth(clientID, realSecret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || string(b) != stored || resp.ContentLength != int64(len(stored)) || resp.Header.Get(cassettes.TruncatedHeader) == "" {
			t.Errorf("%s: %d, %q (Content-Length %d), marker %q, err %v; want 200 and the %d bytes stored, whole, with the marker",
				name, resp.StatusCode, b, resp.ContentLength, resp.Header.Get(cassettes.TruncatedHeader), err, len(stored))
		}
	}
}
