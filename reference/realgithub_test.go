package reference_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
)

// shimHarness is a harness whose requests go through reference.RealGitHub
// over a real loopback server.
type shimHarness struct {
	*harness
	url string
}

func newShim(t *testing.T, name string) *shimHarness {
	t.Helper()
	h := newHarness(t, version(t, name), fx)
	ts := httptest.NewServer(reference.RealGitHub(h.s))
	t.Cleanup(ts.Close)
	return &shimHarness{h, ts.URL + h.prefix}
}

func (s *shimHarness) do(t *testing.T, method, path, body string, header http.Header) resp {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, b}
}

// TestRealGitHubShim: the shim answers as docs/fidelity.md says real GitHub
// does, where the reference server is free to choose: conditionals on
// unsafe methods are ignored ("304 on conditional POST, PUT, PATCH and
// DELETE"), no 422 carries "errors" ("422 bodies"), the legacy endpoints
// answer 404 without credentials ("No credentials on the legacy app
// endpoints"), check, reset and get-or-create keep their ETag ("Reset
// token"), and every answer has GitHub's header set ("Headers per
// product").
func TestRealGitHubShim(t *testing.T) {
	type check func(t *testing.T, s *shimHarness, r resp)
	status := func(want int) check {
		return func(t *testing.T, _ *shimHarness, r resp) {
			t.Helper()
			if r.code != want {
				t.Errorf("status %d %s, want %d", r.code, r.body, want)
			}
		}
	}
	noErrors := func(t *testing.T, _ *shimHarness, r resp) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &m); err != nil || m["message"] == nil {
			t.Errorf("body %s: want a JSON object with a message", r.body)
		}
		if _, ok := m["errors"]; ok {
			t.Errorf("body %s has errors", r.body)
		}
	}
	etag := func(t *testing.T, _ *shimHarness, r resp) {
		if r.hdr.Get("ETag") == "" {
			t.Errorf("no ETag")
		}
	}
	gone := func(path string) check {
		return func(t *testing.T, s *shimHarness, _ resp) {
			if r := s.do(t, "GET", path, "", asUser); r.code != 404 {
				t.Errorf("GET %s after the conditional DELETE: %d, want 404 (deleted)", path, r.code)
			}
		}
	}
	anyTag := func(h http.Header) http.Header { return with(h, "If-None-Match", "*", "If-Match", `"nothing"`) }
	for _, tc := range []struct {
		name, version, method, path, body string
		header                            http.Header
		checks                            []check
	}{
		{"conditional create", "3.8", "POST", "/authorizations", `{"note":"conditional"}`, anyTag(asUser), []check{status(201)}},
		{"conditional get-or-create", "3.8", "PUT", "/authorizations/clients/" + app1 + "/" + laptop.Fingerprint, `{"client_secret":"` + secret1 + `"}`, anyTag(asUser), []check{status(200), etag}},
		{"conditional delete", "3.8", "DELETE", "/authorizations/8", "", anyTag(asUser), []check{status(204), gone("/authorizations/8")}},
		{"conditional delete grant", "3.8", "DELETE", "/applications/grants/1", "", anyTag(asUser), []check{status(204), gone("/applications/grants/1")}},
		{"conditional reset", "3.8", "PATCH", tokenPath(app1), body(tok(1)), anyTag(asApp), []check{status(200), etag}},
		{"schema 422", "3.8", "POST", tokenPath(app1), `{}`, asApp, []check{status(422), noErrors}},
		{"semantic 422", "3.8", "POST", "/authorizations", `{"note":"deploy script"}`, asUser, []check{status(422), noErrors}},
		{"check keeps its ETag", "api.github.com", "POST", tokenPath(app1), body(tok(0)), asApp, []check{status(200), etag}},
		{"legacy check without credentials", "2.19", "GET", legacyPath("tokens", tok(0)), "", noAuth, []check{status(404)}},
		{"legacy reset without credentials", "3.2", "POST", legacyPath("tokens", tok(0)), "", noAuth, []check{status(404)}},
		{"legacy revoke without credentials", "2.19", "DELETE", legacyPath("tokens", tok(0)), "", noAuth, []check{status(404)}},
		{"legacy reset keeps its ETag", "2.19", "POST", legacyPath("tokens", tok(1)), "", asApp, []check{status(200), etag}},
		{"legacy check with a wrong secret", "2.19", "GET", legacyPath("tokens", tok(0)), "", asBadApp, []check{status(401)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newShim(t, tc.version)
			r := s.do(t, tc.method, tc.path, tc.body, tc.header)
			for _, c := range tc.checks {
				c(t, s, r)
			}
			for k, want := range map[string]string{
				"Server":                 "GitHub.com",
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "deny",
				"Cache-Control":          "",
				"Vary":                   "",
				"X-GitHub-Request-Id":    "",
			} {
				if got := r.hdr.Get(k); got == "" || (want != "" && got != want) {
					t.Errorf("%s %q, want %q", k, got, want)
				}
			}
			if r.code != 204 && !strings.HasPrefix(r.hdr.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", r.hdr.Get("Content-Type"))
			}
		})
	}
}
