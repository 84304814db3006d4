// Package testenv is what tests across packages need to run the suite
// against the reference server: its fixtures' credentials as environment
// variables, a server whose legacy path-token endpoints are gone (so a
// run has failures), and an address where nothing listens.
package testenv

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Env is the reference server's default fixtures' credentials (the first
// app, its first user, every token of that app) as the variables a user
// sets, under each prefix given ("OAUTHCOMPAT_" for the usual names,
// "PROD_" for PROD_CLIENT_ID and so on).
func Env(prefixes ...string) map[string]string {
	f := reference.DefaultFixtures()
	var toks []string
	for _, t := range f.Tokens {
		if t.ClientID == f.Apps[0].ClientID {
			toks = append(toks, t.Value)
		}
	}
	vals := map[string]string{
		conformance.EnvClientID: f.Apps[0].ClientID, conformance.EnvClientSecret: f.Apps[0].ClientSecret,
		conformance.EnvUsername: f.Users[0].Login, conformance.EnvPassword: f.Users[0].Password,
		conformance.EnvTokens: strings.Join(toks, ","),
	}
	env := map[string]string{}
	for _, p := range prefixes {
		for k, v := range vals {
			env[p+strings.TrimPrefix(k, "OAUTHCOMPAT_")] = v
		}
	}
	return env
}

// Getenv reads m as os.Getenv reads the environment.
func Getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// LegacyRemoved is the reference server of version (with fresh default
// fixtures) whose legacy path-token endpoints answer 404 as if removed,
// so a run against a version that documents them fails.
func LegacyRemoved(tb testing.TB, version string) http.Handler {
	tb.Helper()
	v, err := schemas.Default().Version(version)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := reference.New(v, reference.DefaultFixtures())
	if err != nil {
		tb.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		segs := strings.Split(strings.Trim(schemas.StripPrefix(r.URL.Path), "/"), "/")
		if len(segs) == 4 && segs[0] == "applications" && segs[1] != "grants" && (segs[2] == "tokens" || segs[2] == "grants") {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(404)
			io.WriteString(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		srv.ServeHTTP(w, r)
	})
}

// LegacyRemovedServer serves [LegacyRemoved] on 127.0.0.1 until the test
// ends, and returns its URL. A run uses up the fixtures' tokens: start
// one per run.
func LegacyRemovedServer(tb testing.TB, version string) string {
	tb.Helper()
	ts := httptest.NewServer(LegacyRemoved(tb, version))
	tb.Cleanup(ts.Close)
	return ts.URL
}

// ClosedURL is http://127.0.0.1:PORT where nothing listens (the port was
// just bound and released).
func ClosedURL(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}
