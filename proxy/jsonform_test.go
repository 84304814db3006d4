package proxy_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
)

// TestJSONSentAsFormRecordedRedacted records what curl -d '{...}' sends:
// JSON with Content-Type application/x-www-form-urlencoded. The body is
// redacted as JSON, and no form is parsed from it (its whole text would be
// a key); a real form still gets its parsed form, redacted.
func TestJSONSentAsFormRecordedRedacted(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"Bad credentials"}`)
	}))
	defer up.Close()
	const secret = "correct-horse-battery-staple"
	tests := []struct {
		name     string
		body     string
		wantForm bool
	}{
		{"json", `{"client_id":"` + clientID + `","client_secret":"` + secret + `","note":"a=b"}`, false},
		{"json array", ` [{"password":"` + secret + `"}]`, false},
		{"form", "client_id=" + clientID + "&client_secret=" + secret, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, up.URL, proxy.Config{})
			req, _ := http.NewRequest("POST", r.proxy.URL+"/authorizations", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			its := r.stop()
			if len(its) != 1 {
				t.Fatalf("%d interactions, want 1", len(its))
			}
			data, _ := cassettes.Marshal(its)
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("the client secret reached the cassette:\n%s", data)
			}
			if got := len(its[0].Request.Form) > 0; got != tc.wantForm {
				t.Errorf("form recorded = %v, want %v: %v", got, tc.wantForm, its[0].Request.Form)
			}
		})
	}
}
