package replay_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/internal/contentcoding"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// TestCodedRequestBodies: a recording stores request bodies decoded (see
// proxy's decodeBody), so a client that sends its body in a content coding
// is matched on the decoded body, in every coding the recorder decodes,
// over RoundTrip and over HTTP; a coded body of another request misses,
// and one that does not decode is matched as it was sent.
func TestCodedRequestBodies(t *testing.T) {
	url := "https://ghes.example.com/api/v3/applications/" + clientID + "/token"
	body := `{"access_token":"` + realToken + `"}`
	auth := http.Header{"Authorization": {basic(clientID, realSecret)}}
	dir := writeRedacted(t, interaction("POST", url, jsonHeader(auth.Clone()), body, 200, jsonHeader(nil), `{"ok":true}`))
	ix, err := replay.Load(dir, replay.Options{Redactor: redact.New(crossKey, redact.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ix)
	defer srv.Close()
	encode := func(codings []string, s string) string {
		t.Helper()
		b, err := contentcoding.Encode(codings, []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	other := `{"access_token":"gho_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII"}`
	for _, tc := range []struct {
		name, coding, body string
		want               int
	}{
		{"gzip", "gzip", encode([]string{"gzip"}, body), 200},
		{"x-gzip", "x-gzip", encode([]string{"gzip"}, body), 200},
		{"deflate", "deflate", encode([]string{"deflate"}, body), 200},
		{"br", "br", encode([]string{"br"}, body), 200},
		{"zstd", "zstd", encode([]string{"zstd"}, body), 200},
		{"stacked", "gzip, br", encode([]string{"gzip", "br"}, body), 200},
		{"identity", "identity", body, 200},
		{"another request", "gzip", encode([]string{"gzip"}, other), 501},
		{"does not decode", "gzip", "\x1f\x8bnot gzip", 501}, // matched as sent
	} {
		h := auth.Clone()
		h.Set("Content-Encoding", tc.coding)
		t.Run(tc.name+"/RoundTrip", func(t *testing.T) {
			if got := do(t, ix, call{"POST", "/api/v3/applications/" + clientID + "/token", h, tc.body}, nil, realSecret, realToken); got.Status != tc.want {
				t.Errorf("status %d, want %d", got.Status, tc.want)
			}
		})
		t.Run(tc.name+"/HTTP", func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/api/v3/applications/"+clientID+"/token", strings.NewReader(tc.body))
			req.Header = h.Clone()
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("status %d, want %d", res.StatusCode, tc.want)
			}
		})
	}
}
