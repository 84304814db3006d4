package reference_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/reference"
)

func TestHeaders(t *testing.T) {
	for _, tc := range []struct{ version, enterprise string }{
		{"3.8", "3.8.0"}, {"ghes-2.18", "2.18.0"}, {"api.github.com", ""}, {"github.ae", "GitHub AE"}, // docs/fidelity.md, "Headers per product"
	} {
		t.Run(tc.version, func(t *testing.T) {
			h := newHarness(t, version(t, tc.version), fx)
			post := h.do("POST", tokenPath(app1), body(tok(0)), asApp)
			miss := h.do("GET", "/nothing/here", "", nil)
			for _, r := range []resp{post, miss} {
				got := map[string]string{
					"Content-Type":                r.hdr.Get("Content-Type"),
					"X-GitHub-Media-Type":         r.hdr.Get("X-GitHub-Media-Type"),
					"X-GitHub-Enterprise-Version": r.hdr.Get("X-GitHub-Enterprise-Version"),
				}
				wantH := map[string]string{
					"Content-Type":                "application/json; charset=utf-8",
					"X-GitHub-Media-Type":         "github.v3; format=json",
					"X-GitHub-Enterprise-Version": tc.enterprise,
				}
				if diff := cmp.Diff(wantH, got); diff != "" {
					t.Errorf("%d headers (-want +got):\n%s", r.code, diff)
				}
			}
			if a, b := post.hdr.Get("X-GitHub-Request-Id"), miss.hdr.Get("X-GitHub-Request-Id"); a == "" || a == b || strings.Count(a, ":") != 4 {
				t.Errorf("request ids %q and %q: want distinct XXXX:XXXX:XXXXXX:XXXXXX:XXXXXXXX", a, b)
			}
			if post.code == 200 && !strings.HasPrefix(post.hdr.Get("ETag"), `W/"`) { // docs/fidelity.md, "Reset token"
				t.Errorf("POST check carries ETag %q, want a weak ETag as GitHub sends", post.hdr.Get("ETag"))
			}
		})
	}
	h := newHarness(t, version(t, "3.8"), fx)
	r := h.do("GET", "/authorizations/8", "", asUser)
	if !strings.HasPrefix(r.hdr.Get("ETag"), `W/"`) {
		t.Errorf("GET ETag %q: want a weak ETag", r.hdr.Get("ETag"))
	}
	head := h.do("HEAD", "/authorizations/8", "", asUser)
	if head.code != 200 || len(head.body) != 0 || head.hdr.Get("ETag") != r.hdr.Get("ETag") {
		t.Errorf("HEAD: %d, %d bytes, ETag %q; want 200, no body, GET's ETag", head.code, len(head.body), head.hdr.Get("ETag"))
	}
	del := h.do("DELETE", "/authorizations/8", "", asUser)
	if del.code != 204 || len(del.body) != 0 || del.hdr.Get("Content-Type") != "" {
		t.Errorf("DELETE: %d, %q, Content-Type %q; want 204 without a body", del.code, del.body, del.hdr.Get("Content-Type"))
	}
}

func TestServedUnderPrefixAndRoot(t *testing.T) {
	for _, v := range []string{"3.8", "api.github.com"} {
		for _, prefix := range []string{"", "/api/v3"} {
			h := newHarness(t, version(t, v), fx)
			h.prefix = prefix
			if r := h.do("POST", tokenPath(app1), body(tok(0)), asApp); r.code != 200 {
				t.Errorf("%s %q: %d %s", v, prefix, r.code, r.body)
			}
		}
	}
}

func TestUndocumentedOperationsAnswer404(t *testing.T) {
	for _, tc := range []struct{ version, method, path string }{
		{"github.ae", "POST", tokenPath(app1) + "/scoped"},
		{"github.ae", "GET", legacyPath("tokens", tok(0))},
		{"api.github.com", "GET", "/authorizations"},
		{"ghec", "GET", "/applications/grants"},
		{"3.4", "GET", legacyPath("tokens", tok(0))},
		{"2.19", "POST", tokenPath(app1)},
		{"3.8", "GET", tokenPath(app1)},
		{"3.8", "GET", "/"},
		{"3.8", "GET", "/user"},
		{"3.8", "POST", "/applications//token"},
		{"3.8", "GET", "/applications/a/b/c/d/e/f/g/h/i/j"},
	} {
		h := newHarness(t, version(t, tc.version), fx)
		r := h.do(tc.method, tc.path, body(tok(0)), asApp)
		var e struct {
			Message          string `json:"message"`
			DocumentationURL string `json:"documentation_url"`
		}
		if err := json.Unmarshal(r.body, &e); r.code != 404 || err != nil || e.Message != "Not Found" || e.DocumentationURL == "" {
			t.Errorf("%s %s %s: %d %s; want 404 Not Found with documentation_url", tc.version, tc.method, tc.path, r.code, r.body)
		}
	}
}

func TestBasicAuthScheme(t *testing.T) {
	h := newHarness(t, version(t, "3.8"), fx)
	enc := strings.TrimPrefix(basic(app1, secret1), "Basic ")
	for _, tc := range []struct {
		header string
		code   int
	}{
		{"Basic " + enc, 200},
		{"basic " + enc, 200},
		{"BASIC " + enc, 200},
		{"Basic !!notbase64", 401},
		{"Basic " + strings.TrimPrefix(basic(app1, secret1+"x"), "Basic "), 401},
		{"Basic " + strings.TrimPrefix(basic("no-app", secret1), "Basic "), 401},
		{"token " + tok(0), 403},
		{"Bearer " + tok(0), 403},
	} {
		if r := h.do("POST", tokenPath(app1), body(tok(0)), hdr("Authorization", tc.header)); r.code != tc.code {
			t.Errorf("Authorization %.20q: %d, want %d", tc.header, r.code, tc.code)
		}
	}
}

func TestHugeBody413(t *testing.T) {
	srv := reference.NewTestServer(t, "3.8", reference.DefaultFixtures())
	huge := `{"access_token":"` + strings.Repeat("a", 2<<20) + `"}`
	for _, chunked := range []bool{false, true} {
		var rd io.Reader = strings.NewReader(huge)
		if chunked {
			rd = io.MultiReader(rd) // hides the length: sent chunked
		}
		req, err := http.NewRequest("POST", srv.URL+"/api/v3"+tokenPath(app1), rd)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(app1, secret1)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte(`"message"`)) {
			t.Errorf("chunked=%v: %d %s; want 413 with a message", chunked, res.StatusCode, b)
		}
	}
}

// TestBadInputGetsGitHubErrors: malformed JSON and JSON that is not an
// object get GitHub's 400 (docs/fidelity.md, "Malformed JSON"); anything
// else the check endpoint cannot use is a documented 422 or 404.
func TestBadInputGetsGitHubErrors(t *testing.T) {
	h := newHarness(t, version(t, "3.8"), fx)
	for _, tc := range []struct {
		body string
		code int
		msg  string
	}{
		{`{`, 400, "Problems parsing JSON"},
		{`nul`, 400, "Problems parsing JSON"},
		{"\x00\xff", 400, "Problems parsing JSON"},
		{`"x"`, 400, "Body should be a JSON object"},
		{`[]`, 400, "Body should be a JSON object"},
		{`{"access_token":["a"]}`, 422, ""},
		{`{"access_token":"` + "\xff" + `"}`, 404, ""},
	} {
		r := h.do("POST", tokenPath(app1), tc.body, asApp)
		var e struct {
			Message          string `json:"message"`
			DocumentationURL string `json:"documentation_url"`
		}
		if err := json.Unmarshal(r.body, &e); r.code != tc.code || err != nil || e.DocumentationURL == "" || (tc.msg != "" && e.Message != tc.msg) {
			t.Errorf("body %q: %d %s; want %d %q", tc.body, r.code, r.body, tc.code, tc.msg)
		}
		if tc.code != 400 {
			if err := h.v.Validate("apps/check-token", r.code, r.body); err != nil {
				t.Errorf("body %q: %v", tc.body, err)
			}
		}
	}
}

var httpMethod = regexp.MustCompile(`^[A-Za-z]{1,10}$`)

// FuzzServeHTTP holds that no request crashes the server and every answer
// is JSON (or empty).
func FuzzServeHTTP(f *testing.F) {
	f.Add("POST", "/applications/"+app1+"/token", body(tok(0)), true)
	f.Add("PATCH", "/authorizations/8", `{"scopes":null,"add_scopes":[1]}`, false)
	f.Add("PUT", "/authorizations/clients/"+app1+"/x", `{"client_secret":{}}`, false)
	f.Add("POST", "/applications/"+app1+"/token/scoped", `{"access_token":"`+tok(0)+`","target":"octocat","permissions":{"x":"read"}}`, true)
	f.Add("GET", "/authorizations?per_page=-1&page=99999999999999999999", "", false)
	f.Add("POST", "/authorizations", `{"note":"\u0000","note_url":"::"}`, false)
	v := version(f, "3.8")
	f.Fuzz(func(t *testing.T, method, path, b string, app bool) {
		if _, err := url.ParseRequestURI(path); err != nil || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") ||
			!httpMethod.MatchString(method) {
			t.Skip()
		}
		h := newHarness(t, v, fx)
		auth := asUser
		if app {
			auth = asApp
		}
		r := h.do(method, path, b, auth)
		if len(r.body) > 0 && !json.Valid(r.body) {
			t.Errorf("%s %s: %d body is not JSON: %s", method, path, r.code, r.body)
		}
	})
}
