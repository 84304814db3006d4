package conformance

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oauthcompat/oauthcompat/schemas"
)

func TestCutKeepsRunes(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exact", 5, "exact"},
		{"abcdef", 3, "abc…"},
		{"ééé", 3, "é…"}, // byte 3 is inside the second é
		{"ééé", 4, "éé…"},
		{"日本語", 4, "日…"},
		{"日本語", 2, "…"},
	}
	for _, tc := range tests {
		if got := cut(tc.in, tc.n); got != tc.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	s := "a€b😀cé" + strings.Repeat("ü", 10)
	for n := 0; n <= len(s); n++ {
		if got := cut(s, n); !utf8.ValidString(got) {
			t.Errorf("cut(%q, %d) = %q: not valid UTF-8", s, n, got)
		}
	}
}

func TestResolvedPathRefusesEmptyParameters(t *testing.T) {
	tests := []struct {
		name string
		r    *request
		want string // "" means no error
		path string
	}{
		{"filled", newRequest("GET", "/applications/{client_id}/tokens/{access_token}").param("client_id", "Iv1.a b").param("access_token", "t/1"), "", "/applications/Iv1.a%20b/tokens/t%2F1"},
		{"empty client id", newRequest("POST", "/applications/{client_id}/token/scoped").param("client_id", ""), "{client_id} is empty (set " + EnvClientID + ")", ""},
		{"missing parameter", newRequest("GET", "/applications/grants/{grant_id}"), "{grant_id} is empty", ""},
	}
	for _, tc := range tests {
		got, err := tc.r.resolvedPath()
		switch {
		case tc.want == "" && (err != nil || got != tc.path):
			t.Errorf("%s: resolvedPath() = %q, %v; want %q", tc.name, got, err, tc.path)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: resolvedPath() error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestEmptyPathParameterIsNotExercised checks that a case whose request
// has an empty path parameter sends nothing and is not exercised, with the
// reason.
func TestEmptyPathParameterIsNotExercised(t *testing.T) {
	v, err := schemas.Default().Version("ghes-3.8")
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		sent++
		return nil, context.Canceled
	})}
	base, _ := url.Parse("http://127.0.0.1:1")
	s := &suite{v: v, ctx: context.Background(), client: client, base: base, mask: newMasker(), users: map[string]string{}}
	s.pool = newPool(s)
	sc := &scenario{key: keyScope, status: 401, name: "no credentials", op: s.op(keyScope), run: func(c *caseRun) {
		c.subject(c.req(keyScope).withJSON(map[string]any{}))
	}}
	got := s.runCase(sc)
	if sent != 0 || s.fatal != nil {
		t.Errorf("sent %d requests (fatal: %v), want none", sent, s.fatal)
	}
	if got.Result != NotExercised || !strings.Contains(got.Reason, "{client_id} is empty") {
		t.Errorf("result %s (%s), want not exercised because {client_id} is empty", got.Result, got.Reason)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestMaskLegacyPathInText(t *testing.T) {
	m := newMasker()
	got := m.text(`read the answer to GET /api/v3/applications/Iv1.x/tokens/not-a-token-shape?x=1: unexpected EOF; "/applications/a/grants/zzz"`)
	want := `read the answer to GET /api/v3/applications/Iv1.x/tokens/***?x=1: unexpected EOF; "/applications/a/grants/***"`
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := m.text("/applications/grants/12"); got != "/applications/grants/12" {
		t.Errorf("grant id masked: %q", got)
	}
}

func TestWithoutUserinfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://u:p@127.0.0.1:8080/api/v3", "http://***@127.0.0.1:8080/api/v3"},
		{"http://u:p@[::1", "http://***@[::1"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://h/", "http://h/"},
		{"not a url", "not a url"},
	}
	for _, tc := range tests {
		if got := withoutUserinfo(tc.in); got != tc.want {
			t.Errorf("withoutUserinfo(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
