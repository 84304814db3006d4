package replay_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
)

// TestMissProxy forwards a miss to the reference server through a
// proxy.Recorder: the client gets the real answer, and the interaction is
// recorded, redacted, as a new cassette that a later replay answers from.
func TestMissProxy(t *testing.T) {
	dir := sessionCassette(t)
	ref := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	red := redact.NewRandom()
	store, err := cassettes.OpenStore(dir, "misses", red)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "ghes-3.8"})
	if err != nil {
		t.Fatal(err)
	}
	up, _ := url.Parse(ref.URL)
	srv, err := replay.NewServer(dir, replay.Options{Miss: replay.Upstream(up, rec)})
	if err != nil {
		t.Fatal(err)
	}
	fx := reference.DefaultFixtures()
	app, tok := fx.Apps[0], fx.Tokens[0].Value
	check := func(base string) (int, string, string) {
		req, _ := http.NewRequest("POST", base+"/api/v3/applications/"+app.ClientID+"/token/scoped", strings.NewReader(`{"access_token":"`+tok+`","target":"octocat"}`))
		req.SetBasicAuth(app.ClientID, app.ClientSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get(replay.MissHeader), string(b)
	}
	code, miss, body := check(srv.URL())
	if code == http.StatusNotImplemented || miss != "" || !strings.Contains(body, `"id"`) && !strings.Contains(body, "message") {
		t.Fatalf("forwarded miss: %d %q %s", code, miss, body)
	}
	srv.Close()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := cassettes.Load(cassettes.Path(dir, "ghes-3.8", "misses"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 1 || strings.Contains(c.Interactions[0].Request.Body, tok) {
		t.Fatalf("recorded misses: %d interactions, request body %s", len(c.Interactions), c.Interactions[0].Request.Body)
	}

	// Replayed now, without the network, with the key it was recorded with.
	srv2, err := replay.NewServer(dir, replay.Options{Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	code2, miss2, _ := check(srv2.URL())
	if code2 != code || miss2 != "" {
		t.Errorf("replay of the recorded miss: %d %q, want %d", code2, miss2, code)
	}
}
