package reference_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/reference/triggers"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// The default fixtures, by name.
var (
	fx       = reference.DefaultFixtures()
	app1     = fx.Apps[0].ClientID
	secret1  = fx.Apps[0].ClientSecret
	app2     = fx.Apps[1].ClientID
	secret2  = fx.Apps[1].ClientSecret
	tok      = func(i int) string { return fx.Tokens[i].Value } // 0-4 octocat/app1, 5 hubot/app1, 6 octocat/app2
	patToken = fx.Authorizations[0].Token                       // authorization 8, octocat, no app
	laptop   = fx.Authorizations[1]                             // authorization 9, octocat/app1, fingerprint laptop-2024
	unknown  = "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"       // well-formed, never issued

	asApp     = hdr("Authorization", basic(app1, secret1))
	asApp2    = hdr("Authorization", basic(app2, secret2))
	asBadApp  = hdr("Authorization", basic(app1, "not-the-secret"))
	asUser    = hdr("Authorization", basic("octocat", "octocat-password"))
	asHubot   = hdr("Authorization", basic("hubot", "hubot-password"))
	asBadUser = hdr("Authorization", basic("octocat", "wrong-password"))
	asMona    = hdr("Authorization", basic("mona", "mona-password")) // two-factor authentication
	asToken   = hdr("Authorization", "token "+fx.Tokens[0].Value)
	asBearer  = hdr("Authorization", "Bearer "+fx.Tokens[0].Value)
	noAuth    = http.Header{}
)

func basic(u, p string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// with returns h plus more headers.
func with(h http.Header, kv ...string) http.Header {
	out := h.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func tokenPath(client string) string { return "/applications/" + client + "/token" }
func legacyPath(kind, t string) string {
	return "/applications/" + app1 + "/" + kind + "/" + t
}
func body(t string) string { return `{"access_token":"` + t + `"}` }

type resp struct {
	code int
	hdr  http.Header
	body []byte
}

// harness drives one server in memory; GHES versions get the /api/v3
// prefix, the others the root, as their clients use them.
type harness struct {
	tb     testing.TB
	v      *schemas.Version
	s      *reference.Server
	prefix string
}

func newHarness(tb testing.TB, v *schemas.Version, f reference.Fixtures) *harness {
	tb.Helper()
	s, err := reference.New(v, f)
	if err != nil {
		tb.Fatal(err)
	}
	return &harness{tb: tb, v: v, s: s, prefix: prefixOf(v)}
}

// prefixOf is the path prefix v's clients use: /api/v3 on GHES.
func prefixOf(v *schemas.Version) string {
	if v.Kind() == schemas.KindGHES {
		return "/api/v3"
	}
	return ""
}

// Do implements [triggers.Doer].
func (h *harness) Do(method, path, body string, header http.Header) triggers.Response {
	r := h.do(method, path, body, header)
	return triggers.Response{Status: r.code, Header: r.hdr, Body: r.body}
}

func version(tb testing.TB, name string) *schemas.Version {
	tb.Helper()
	v, err := schemas.Default().Version(name)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func (h *harness) do(method, path, reqBody string, header http.Header) resp {
	var rb io.Reader
	if reqBody != "" {
		rb = strings.NewReader(reqBody)
	}
	req := httptest.NewRequest(method, "http://ghe.example.com"+h.prefix+path, rb)
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	h.s.ServeHTTP(rec, req)
	return resp{rec.Code, rec.Result().Header, rec.Body.Bytes()}
}

// etagOf GETs path as header and returns its ETag.
func (h *harness) etagOf(path string, header http.Header) string {
	r := h.do("GET", path, "", header)
	if r.code != 200 || r.hdr.Get("ETag") == "" {
		h.tb.Fatalf("GET %s: %d, ETag %q", path, r.code, r.hdr.Get("ETag"))
	}
	return r.hdr.Get("ETag")
}
