package replay_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// TestMissNeverEchoesSecrets sends requests no interaction matches, with
// secrets where a reader could take them for something else, and checks
// that neither the 501 body, nor the miss log, nor Index.Misses holds one:
// with the redaction key (the request is pseudonymised) and without it
// (secrets are shaped), through RoundTrip and ServeHTTP. The cassette is a
// plain go-vcr one holding a real token in a legacy path, which the
// closest interaction must not show either.
func TestMissNeverEchoesSecrets(t *testing.T) {
	const (
		s1       = "notshapedlikeatoken42"
		s2       = "hunter2hunter2"
		recorded = "recordedlegacysecret9"
		tok      = "gho_LiveLiveLiveLiveLiveLiveLiveLiveLive"
	)
	dir := t.TempDir()
	base := "https://ghes.example.com/api/v3"
	app := http.Header{"Authorization": {basic(clientID, s2)}}
	writeCassette(t, filepath.Join(dir, "ghes-3.8", "plain.yaml"),
		rec{"POST", base + "/applications/" + clientID + "/token", jsonHeader(app.Clone()), `{"access_token":"` + tok + `"}`, 200, jsonHeader(nil), `{"id":1}`},
		rec{"GET", base + "/applications/" + clientID + "/tokens/" + recorded + "?client_secret=" + recorded, app.Clone(), "", 200, jsonHeader(nil), `{"id":1}`},
		rec{"POST", base + "/authorizations", jsonHeader(app.Clone()), `{"note":"x"}`, 201, jsonHeader(nil), `{"id":2}`},
	)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": app["Authorization"]}
	jsonH := jsonHeader(app.Clone())
	tests := []struct {
		name, method, path string
		header             http.Header
		body               string
	}{
		{"JSON sent as a form", "POST", "/api/v3/authorizations", form, `{"client_secret":"` + s1 + `","password":"` + s2 + `"}`},
		{"JSON sent as a form, with an equals sign", "POST", "/api/v3/authorizations", form, `{"client_secret":"` + s1 + `","note":"a=b"}`},
		{"malformed JSON", "POST", "/api/v3/authorizations", jsonH, `{"client_secret":"` + s1 + `","scopes":[`},
		{"malformed JSON sent as a form", "POST", "/api/v3/authorizations", form, `{"client_secret":"` + s1 + `","scopes":[`},
		{"secret nested under a secret member", "POST", "/api/v3/authorizations", jsonH, `{"client_secret":{"v":"` + s1 + `"},"otp":12345678}`},
		{"token-shaped member name", "POST", "/api/v3/authorizations", jsonH, `{"` + tok + `":1}`},
		{"form with semicolons", "POST", "/api/v3/authorizations", form, "a=1;client_secret=" + s1 + "&x;password=" + s2},
		{"query url.ParseQuery rejects", "GET", "/api/v3/applications/" + clientID + "/token?a=1;client_secret=" + s1 + "&x;access_token=" + s2, app, ""},
		{"query with a token-shaped name", "GET", "/api/v3/authorizations?" + tok + "=1", app, ""},
		{"authorization without a scheme", "GET", "/api/v3/authorizations", http.Header{"Authorization": {s1}}, ""},
		{"authorization with an unknown first word", "GET", "/api/v3/authorizations", http.Header{"Authorization": {s1 + " " + s2}}, ""},
		{"legacy path token, a method no operation has", "PUT", "/api/v3/applications/" + clientID + "/tokens/" + s1, app, ""},
		{"legacy path token, no /api/v3", "PATCH", "/applications/" + clientID + "/grants/" + s1, app, ""},
		{"token glued to a letter in a JSON value", "POST", "/api/v3/authorizations", jsonH, `{"note":"see` + tok + `"}`},
		{"token percent-encoded in a JSON URL", "POST", "/api/v3/authorizations", jsonH, `{"note_url":"https://x.test/cb%3Ftoken%3D` + tok + `"}`},
		{"token percent-encoded in a query value", "GET", "/api/v3/authorizations?next=%2Fcb%3Faccess_token%3D" + tok, app, ""},
		{"token glued in a path", "GET", "/api/v3/authorizations/x" + tok, app, ""},
		{"token glued in a header", "GET", "/api/v3/authorizations", http.Header{"Authorization": app["Authorization"], "X-Next": {"/cb?access_token%3D" + tok}}, ""},
		{"legacy path, percent-encoded letter", "GET", "/api/v3/%61pplications/" + clientID + "/tokens/" + s1, app, ""},
		{"legacy path, percent-encoded slashes", "GET", "/api/v3/applications/" + clientID + "%2Ftokens%2F" + s1, app, ""},
		{"legacy path, percent-encoded slashes, a method no operation has", "DELETE", "/applications/" + clientID + "%2Fgrants%2F" + s1, app, ""},
	}
	secrets := []string{s1, s2, tok, recorded, tok[4:]}
	for _, keyed := range []bool{true, false} {
		for _, via := range []string{"RoundTrip", "ServeHTTP"} {
			for _, tc := range tests {
				name := tc.name + "/" + via + "/without the key"
				if keyed {
					name = tc.name + "/" + via + "/with the key"
				}
				t.Run(name, func(t *testing.T) {
					var logs bytes.Buffer
					opts := replay.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
					if keyed {
						opts.Redactor = redact.New([]byte("0123456789abcdef0123456789abcdef"), redact.Options{})
					}
					ix, err := replay.Load(dir, opts)
					if err != nil {
						t.Fatal(err)
					}
					req := httptest.NewRequest(tc.method, "http://replay.test"+tc.path, strings.NewReader(tc.body))
					for k, vs := range tc.header {
						req.Header[k] = vs
					}
					var status int
					var body []byte
					if via == "RoundTrip" {
						resp, err := ix.RoundTrip(req)
						if err != nil {
							t.Fatal(err)
						}
						body, _ = io.ReadAll(resp.Body)
						resp.Body.Close()
						status = resp.StatusCode
					} else {
						w := httptest.NewRecorder()
						ix.ServeHTTP(w, req)
						status, body = w.Code, w.Body.Bytes()
					}
					if status != http.StatusNotImplemented {
						t.Fatalf("status %d, want a miss (501): %s", status, body)
					}
					misses, _ := json.Marshal(ix.Misses())
					for _, s := range secrets {
						for where, text := range map[string]string{"the 501 body": string(body), "the miss log": logs.String(), "Index.Misses": string(misses)} {
							if strings.Contains(text, s) {
								t.Errorf("%s holds the secret %q:\n%s", where, s, text)
							}
						}
					}
				})
			}
		}
	}
}

// FuzzMissNoSecret sends a request no interaction matches with a random
// secret planted in its path, query, body or headers, in one of the
// spellings that hide it from a scan for words (glued to text,
// percent-encoded, a legacy path spelled another way), and checks that
// neither the 501 body nor the miss log holds it, with the key and
// without it.
func FuzzMissNoSecret(f *testing.F) {
	f.Add("16C7e42F292c6912E7710c838347Ae178B4a", "x", uint8(0), uint8(0), false)
	f.Add("Opaque0paque", "%3D", uint8(1), uint8(1), true)
	f.Add("s3cr3t", "/", uint8(2), uint8(2), false)
	f.Add("aaaa", "", uint8(3), uint8(3), true)
	dir := f.TempDir()
	base := "https://ghes.example.com/api/v3"
	app := http.Header{"Authorization": {basic(clientID, "hunter2hunter2")}}
	writeCassette(f, filepath.Join(dir, "ghes-3.8", "plain.yaml"),
		rec{"POST", base + "/applications/" + clientID + "/token", jsonHeader(app.Clone()), `{"access_token":"x"}`, 200, jsonHeader(nil), `{"id":1}`},
		rec{"POST", base + "/authorizations", jsonHeader(app.Clone()), `{"note":"x"}`, 201, jsonHeader(nil), `{"id":2}`},
	)
	key := []byte("0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, raw, glue string, form, where uint8, keyed bool) {
		var b strings.Builder
		for _, c := range raw {
			if c < 128 && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				b.WriteRune(c)
			}
		}
		tail := (b.String() + "Q7w9E2r4T6y8U0i1O3p5A7s9D2f4G6h8J0k2")[:36]
		tok := []string{"gho_", "ghu_", "ghp_", "ghs_", "ghr_"}[int(form)%5] + tail
		glue = url.PathEscape(glue)
		var planted string
		switch form % 3 {
		case 0:
			planted = glue + tok
		case 1:
			planted = "cb%3Ftoken%3D" + tok
		case 2:
			planted = "gho%5F" + tail
		}
		path, body, h := "/api/v3/authorizations", `{"note":"x"}`, jsonHeader(app.Clone())
		switch where % 4 {
		case 0:
			path += "/" + planted
		case 1:
			path += "?next=" + planted
		case 2:
			body = `{"note_url":"https://x.test/` + planted + `"}`
		case 3:
			path = "/api/v3/%61pplications/" + clientID + "%2Ftokens%2F" + planted
		}
		var logs bytes.Buffer
		opts := replay.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		if keyed {
			opts.Redactor = redact.New(key, redact.Options{})
		}
		ix, err := replay.Load(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "http://replay.test"+path, strings.NewReader(body))
		req.Header = h
		w := httptest.NewRecorder()
		ix.ServeHTTP(w, req)
		if w.Code != http.StatusNotImplemented {
			return // a request that matched holds nothing to leak
		}
		for where, text := range map[string]string{"the 501 body": w.Body.String(), "the miss log": logs.String()} {
			if strings.Contains(text, tail) {
				t.Fatalf("%s holds the secret planted as %q:\n%s", where, planted, text)
			}
		}
	})
}
