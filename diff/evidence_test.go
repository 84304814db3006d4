package diff_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/diff"
)

// plainCassette writes a go-vcr cassette, unredacted as plain go-vcr
// records, of calls to the legacy path-token endpoints with tok in the
// path, answered with status.
func plainCassette(t *testing.T, dir, version, tok string, status int) {
	t.Helper()
	c := cassette.New(filepath.Join(dir, version, "traffic"))
	base := "https://ghes.example.com/api/v3/applications/Iv1.8a61f9b3a7aba766"
	for _, call := range []struct{ method, path string }{
		{"GET", "/tokens/" + tok},
		{"POST", "/tokens/" + tok},
		{"DELETE", "/grants/" + tok},
	} {
		c.AddInteraction(&cassette.Interaction{
			Request:  cassette.Request{Method: call.method, URL: base + call.path, Headers: http.Header{}},
			Response: cassette.Response{Code: status, Status: http.StatusText(status), Headers: http.Header{"Content-Type": {"application/json"}}, Body: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`},
		})
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
}

// TestEvidenceMasksPathTokens checks reports never print the token a
// legacy path carries, whatever its shape, when the recording was made by
// plain go-vcr (unredacted): the upgrade check and the recording diff show
// {access_token} instead, in every format.
func TestEvidenceMasksPathTokens(t *testing.T) {
	d := diff.New(nil)
	for _, tok := range []string{"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", "notshapedlikeatoken42"} {
		dir := t.TempDir()
		plainCassette(t, filepath.Join(dir, "before"), "ghes-3.3", tok, 200)
		plainCassette(t, filepath.Join(dir, "after"), "ghes-3.4", tok, 404)
		before, err := d.LoadRecording(filepath.Join(dir, "before"))
		if err != nil {
			t.Fatal(err)
		}
		after, err := d.LoadRecording(filepath.Join(dir, "after"))
		if err != nil {
			t.Fatal(err)
		}
		upgrade, err := d.UpgradeCheck(before, nil, version(t, "ghes-3.4"))
		if err != nil {
			t.Fatal(err)
		}
		observed, err := d.Observed(before, after)
		if err != nil {
			t.Fatal(err)
		}
		for name, rep := range map[string]*diff.Report{"upgrade-check": upgrade, "observed": observed} {
			if len(rep.Changes) == 0 {
				t.Fatalf("%s: no changes reported; the test needs evidence to check", name)
			}
			for _, f := range []string{"md", "json", "html"} {
				out := string(render(t, rep, f))
				if strings.Contains(out, tok) {
					t.Errorf("%s %s report holds the path token %q:\n%s", name, f, tok, out)
				}
				if !strings.Contains(out, "/tokens/{access_token}") {
					t.Errorf("%s %s report shows no masked example path:\n%s", name, f, out)
				}
			}
		}
	}
}
