package replay_test

import (
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
)

var update = flag.Bool("update", false, "re-record testdata/ghes-3.8/example.yaml against the reference server")

// exampleKey is the redaction key the example cassette was recorded with,
// committed beside it (it protects nothing: the recording is of the
// reference server's public fixtures), so that cassette lint checks the
// cassette exactly and re-recording gives the same pseudonyms.
const exampleKey = "testdata/.redact-key"

// TestExampleCassette checks the committed example cassette is clean for
// cassette lint, with its key and without it. With -update it first
// re-records it: the requests of the Example, through the recorder, against
// the reference server of GHES 3.8 and its default fixtures.
func TestExampleCassette(t *testing.T) {
	key, err := os.ReadFile(exampleKey)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		recordExample(t, key)
	}
	for name, r := range map[string]*redact.Redactor{"with the key": redact.New(key, redact.Options{}), "without the key": nil} {
		findings, err := replay.Lint("testdata/ghes-3.8", replay.LintOptions{Redactor: r})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			if !f.Info {
				t.Errorf("lint %s: %v", name, f)
			}
		}
	}
}

// toReference sends what is addressed to ghes.example.com to the reference
// server, as if it were that host over HTTPS.
type toReference struct{ base *url.URL }

func (t toReference) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = t.base.Scheme, t.base.Host
	out.Host = r.URL.Host
	out.Header.Set("X-Forwarded-Proto", "https")
	return http.DefaultTransport.RoundTrip(out)
}

func recordExample(t *testing.T, key []byte) {
	t.Helper()
	fx := reference.DefaultFixtures()
	ts := reference.NewTestServer(t, "3.8", fx)
	base, _ := url.Parse(ts.URL)
	dir := t.TempDir()
	store, err := cassettes.OpenStore(dir, "example", redact.New(key, redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "3.8", Transport: toReference{base}})
	if err != nil {
		t.Fatal(err)
	}
	app, token := fx.Apps[0], fx.Tokens[0].Value
	for _, method := range []string{"POST", "DELETE", "POST"} {
		req, _ := http.NewRequest(method, "https://ghes.example.com/api/v3/applications/"+app.ClientID+"/token", strings.NewReader(`{"access_token":"`+token+`"}`))
		req.SetBasicAuth(app.ClientID, app.ClientSecret)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/vnd.github+json")
		resp, err := rec.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cassettes.Path(dir, "ghes-3.8", "example"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "ghes-3.8", "example.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
