package reference_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/reference"
)

type authz struct {
	ID             int64    `json:"id"`
	URL            string   `json:"url"`
	Token          string   `json:"token"`
	HashedToken    string   `json:"hashed_token"`
	TokenLastEight string   `json:"token_last_eight"`
	Scopes         []string `json:"scopes"`
	Note           *string  `json:"note"`
	Fingerprint    *string  `json:"fingerprint"`
	ExpiresAt      *string  `json:"expires_at"`
	CreatedAt      string   `json:"created_at"`
	App            struct {
		ClientID string `json:"client_id"`
	} `json:"app"`
	User *struct {
		Login string `json:"login"`
	} `json:"user"`
	Installation *struct {
		RepositorySelection string            `json:"repository_selection"`
		Permissions         map[string]string `json:"permissions"`
		Account             struct {
			Login string `json:"login"`
		} `json:"account"`
	} `json:"installation"`
}

func decode[T any](t *testing.T, r resp) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %d %s: %v", r.code, r.body, err)
	}
	return v
}

func want(t *testing.T, what string, r resp, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: got %d, want %d: %s", what, r.code, code, r.body)
	}
}

var tokenShape = regexp.MustCompile(`^gh[oup]_[0-9A-Za-z]{36}$`)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// check answers the status of POST /applications/{client_id}/token.
func (h *harness) check(client, secret, token string) int {
	return h.do("POST", tokenPath(client), body(token), hdr("Authorization", basic(client, secret))).code
}

func TestResetOldTokenStopsWorking(t *testing.T) {
	for _, tc := range []struct {
		name, version string
		reset         func(h *harness, tok string) resp
	}{
		{"body", "3.8", func(h *harness, tok string) resp { return h.do("PATCH", tokenPath(app1), body(tok), asApp) }},
		{"legacy", "3.2", func(h *harness, tok string) resp { return h.do("POST", legacyPath("tokens", tok), "", asApp) }},
		{"legacy-ae", "github.ae", func(h *harness, tok string) resp { return h.do("POST", legacyPath("tokens", tok), "", asApp) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, version(t, tc.version), fx)
			r := tc.reset(h, tok(0))
			want(t, "reset", r, 200)
			a := decode[authz](t, r)
			if a.Token == tok(0) || !tokenShape.MatchString(a.Token) || !strings.HasPrefix(a.Token, "gho_") {
				t.Errorf("reset token %q: want a new gho_ token", a.Token)
			}
			if a.HashedToken != sha(a.Token) || a.TokenLastEight != a.Token[len(a.Token)-8:] {
				t.Errorf("hashed_token %s, token_last_eight %s do not describe %s", a.HashedToken, a.TokenLastEight, a.Token)
			}
			if got := h.check(app1, secret1, tok(0)); got != 404 {
				t.Errorf("check old token: %d, want 404", got)
			}
			if got := h.check(app1, secret1, a.Token); got != 200 {
				t.Errorf("check new token: %d, want 200", got)
			}
			want(t, "reset old token again", tc.reset(h, tok(0)), 404)
		})
	}
}

func TestDeleteTokenThenCheck404(t *testing.T) {
	for _, tc := range []struct {
		name, version string
		del           func(h *harness) resp
	}{
		{"body", "3.8", func(h *harness) resp { return h.do("DELETE", tokenPath(app1), body(tok(0)), asApp) }},
		{"legacy", "3.3", func(h *harness) resp { return h.do("DELETE", legacyPath("tokens", tok(0)), "", asApp) }},
		{"authorizations-api", "3.8", func(h *harness) resp { return h.do("DELETE", "/authorizations/1", "", asUser) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, version(t, tc.version), fx)
			want(t, "delete", tc.del(h), 204)
			if got := h.check(app1, secret1, tok(0)); got != 404 {
				t.Errorf("check deleted token: %d, want 404", got)
			}
			if got := h.check(app1, secret1, tok(1)); got != 200 {
				t.Errorf("check another token: %d, want 200", got)
			}
		})
	}
}

func TestDeleteGrantRevokesEveryTokenOfUserForApp(t *testing.T) {
	for _, tc := range []struct {
		name, version string
		del           func(h *harness) resp
	}{
		{"body", "3.8", func(h *harness) resp { return h.do("DELETE", "/applications/"+app1+"/grant", body(tok(2)), asApp) }},
		{"legacy", "3.2", func(h *harness) resp { return h.do("DELETE", legacyPath("grants", tok(2)), "", asApp) }},
		{"grant-id", "3.8", func(h *harness) resp { return h.do("DELETE", "/applications/grants/1", "", asUser) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, version(t, tc.version), fx)
			want(t, "delete grant", tc.del(h), 204)
			for _, v := range []string{tok(0), tok(1), tok(2), tok(3), tok(4), laptop.Token} {
				if got := h.check(app1, secret1, v); got != 404 {
					t.Errorf("octocat's token ...%s of app1: %d, want 404", v[len(v)-4:], got)
				}
			}
			if got := h.check(app1, secret1, tok(5)); got != 200 {
				t.Errorf("hubot's token of app1: %d, want 200", got)
			}
			if got := h.check(app2, secret2, tok(6)); got != 200 {
				t.Errorf("octocat's token of app2: %d, want 200", got)
			}
			want(t, "grant is gone", h.do("GET", "/applications/grants/1", "", asUser), 404)
			grants := decode[[]struct{ ID int64 }](t, h.do("GET", "/applications/grants", "", asUser))
			if diff := cmp.Diff([]struct{ ID int64 }{{3}}, grants); diff != "" {
				t.Errorf("octocat's grants (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLegacyAndBodyEndpointsShareState(t *testing.T) {
	h := newHarness(t, version(t, "3.2"), fx)
	a := decode[authz](t, h.do("POST", legacyPath("tokens", tok(0)), "", asApp))
	want(t, "body check of the legacy-reset token", h.do("POST", tokenPath(app1), body(a.Token), asApp), 200)
	want(t, "legacy check of the old token", h.do("GET", legacyPath("tokens", tok(0)), "", asApp), 404)
	want(t, "body delete", h.do("DELETE", tokenPath(app1), body(a.Token), asApp), 204)
	want(t, "legacy check after body delete", h.do("GET", legacyPath("tokens", a.Token), "", asApp), 404)
}

func TestGetOrCreateAnswers201Then200(t *testing.T) {
	for _, tc := range []struct{ name, path, body string }{
		{"body fingerprint", "/authorizations/clients/" + app2, `{"client_secret":"` + secret2 + `","scopes":["repo"]}`},
		{"path fingerprint", "/authorizations/clients/" + app1 + "/desk", `{"client_secret":"` + secret1 + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, version(t, "3.8"), fx)
			if tc.name == "body fingerprint" {
				// octocat holds a token of app2 without fingerprint: revoke it first.
				want(t, "revoke", h.do("DELETE", tokenPath(app2), body(tok(6)), asApp2), 204)
			}
			first := h.do("PUT", tc.path, tc.body, asUser)
			want(t, "first", first, 201)
			a := decode[authz](t, first)
			if !tokenShape.MatchString(a.Token) || !strings.HasPrefix(a.Token, "gho_") {
				t.Errorf("first token %q: want a new gho_ token", a.Token)
			}
			if first.hdr.Get("Location") != a.URL {
				t.Errorf("Location %q, url %q", first.hdr.Get("Location"), a.URL)
			}
			second := h.do("PUT", tc.path, tc.body, asUser)
			want(t, "second", second, 200)
			b := decode[authz](t, second)
			if b.ID != a.ID || b.Token != "" || b.HashedToken != a.HashedToken {
				t.Errorf("second: id %d token %q hash %s; want id %d, token \"\", hash %s", b.ID, b.Token, b.HashedToken, a.ID, a.HashedToken)
			}
		})
	}
}

func TestUpdateScopes(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       int
		scopes     []string
	}{
		{"scopes", `{"scopes":["user","gist"]}`, 200, []string{"user", "gist"}},
		{"add_scopes", `{"add_scopes":["gist","repo"]}`, 200, []string{"repo", "gist"}},
		{"remove_scopes", `{"remove_scopes":["repo"]}`, 200, []string{}},
		{"scopes null", `{"scopes":null}`, 200, []string{}},
		{"scopes and add_scopes", `{"scopes":["a"],"add_scopes":["b"]}`, 422, []string{"repo"}},
		{"add and remove", `{"add_scopes":["a"],"remove_scopes":["b"]}`, 422, []string{"repo"}},
		{"ill-typed", `{"add_scopes":"gist"}`, 422, []string{"repo"}},
		{"malformed", `{"add_scopes":[`, 400, []string{"repo"}}, // docs/fidelity.md, "Malformed JSON"
		{"note taken", `{"note":"deploy script"}`, 200, []string{"repo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, version(t, "3.8"), fx)
			r := h.do("PATCH", "/authorizations/8", tc.body, asUser)
			want(t, "update", r, tc.code)
			got := decode[authz](t, h.do("GET", "/authorizations/8", "", asUser))
			if diff := cmp.Diff(tc.scopes, got.Scopes); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListPaginationLinks(t *testing.T) {
	h := newHarness(t, version(t, "3.8"), fx)
	base := "<http://ghe.example.com/api/v3/authorizations?page=%d&per_page=3>; rel=%q"
	link := func(parts ...any) string {
		var out []string
		for i := 0; i < len(parts); i += 2 {
			out = append(out, fmt.Sprintf(base, parts[i], parts[i+1]))
		}
		return strings.Join(out, ", ")
	}
	// octocat has authorizations 1-5, 7, 8 and 9.
	for _, tc := range []struct {
		page int
		ids  []int64
		link string
	}{
		{1, []int64{1, 2, 3}, link(2, "next", 3, "last")},
		{2, []int64{4, 5, 7}, link(1, "prev", 3, "next", 3, "last", 1, "first")},
		{3, []int64{8, 9}, link(2, "prev", 1, "first")},
		{4, []int64{}, link(3, "prev", 1, "first")},
	} {
		r := h.do("GET", fmt.Sprintf("/authorizations?per_page=3&page=%d", tc.page), "", asUser)
		want(t, "list", r, 200)
		var ids []int64
		for _, a := range decode[[]authz](t, r) {
			ids = append(ids, a.ID)
			if a.Token != "" {
				t.Errorf("list shows token of %d", a.ID)
			}
		}
		if diff := cmp.Diff(tc.ids, ids, cmpEmpty); diff != "" {
			t.Errorf("page %d ids (-want +got):\n%s", tc.page, diff)
		}
		if diff := cmp.Diff(tc.link, r.hdr.Get("Link")); diff != "" {
			t.Errorf("page %d Link (-want +got):\n%s", tc.page, diff)
		}
	}
	if r := h.do("GET", "/authorizations", "", asUser); r.hdr.Get("Link") != "" || len(decode[[]authz](t, r)) != 8 {
		t.Errorf("default page: Link %q, %d items; want no Link and 8", r.hdr.Get("Link"), len(decode[[]authz](t, r)))
	}
	grants := decode[[]struct{ ID int64 }](t, h.do("GET", "/applications/grants?client_id="+app2, "", asUser))
	if diff := cmp.Diff([]struct{ ID int64 }{{3}}, grants); diff != "" {
		t.Errorf("grants filtered by client_id (-want +got):\n%s", diff)
	}
}

var cmpEmpty = cmp.Transformer("empty", func(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
})

func TestURLPointsAtAuthorization(t *testing.T) {
	for _, tc := range []struct{ version, url string }{
		{"3.8", "http://ghe.example.com/api/v3/authorizations/1"},
		{"api.github.com", "http://ghe.example.com/authorizations/1"},
	} {
		h := newHarness(t, version(t, tc.version), fx)
		a := decode[authz](t, h.do("POST", tokenPath(app1), body(tok(0)), asApp))
		if a.URL != tc.url {
			t.Errorf("%s: url %q, want %q", tc.version, a.URL, tc.url)
		}
	}
	h := newHarness(t, version(t, "3.8"), fx)
	a := decode[authz](t, h.do("POST", tokenPath(app1), body(tok(0)), asApp))
	got := decode[authz](t, h.do("GET", strings.TrimPrefix(a.URL, "http://ghe.example.com/api/v3"), "", asUser))
	if got.ID != a.ID || got.HashedToken != a.HashedToken {
		t.Errorf("GET %s: id %d hash %s, want %d %s", a.URL, got.ID, got.HashedToken, a.ID, a.HashedToken)
	}
}

func TestCreateAuthorizationMintsTokens(t *testing.T) {
	h := newHarness(t, version(t, "3.8"), fx)
	pat := decode[authz](t, h.do("POST", "/authorizations", `{"note":"ci","scopes":["repo","repo"]}`, asUser))
	if !strings.HasPrefix(pat.Token, "ghp_") || !tokenShape.MatchString(pat.Token) {
		t.Errorf("personal token %q: want ghp_", pat.Token)
	}
	if diff := cmp.Diff([]string{"repo"}, pat.Scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
	app := decode[authz](t, h.do("POST", "/authorizations", `{"client_id":"`+app2+`","client_secret":"`+secret2+`"}`, asUser))
	if !strings.HasPrefix(app.Token, "gho_") || app.App.ClientID != app2 {
		t.Errorf("app token %q of %q: want gho_ of %s", app.Token, app.App.ClientID, app2)
	}
	if got := h.check(app2, secret2, app.Token); got != 200 {
		t.Errorf("check the created app token: %d", got)
	}
	want(t, "same note again", h.do("POST", "/authorizations", `{"note":"ci"}`, asUser), 422)
	want(t, "no note", h.do("POST", "/authorizations", `{}`, asUser), 422)
	want(t, "wrong client_secret", h.do("POST", "/authorizations", `{"client_id":"`+app2+`","client_secret":"x"}`, asUser), 422)
	got := decode[authz](t, h.do("GET", fmt.Sprintf("/authorizations/%d", pat.ID), "", asUser))
	if got.Token != "" || got.HashedToken != sha(pat.Token) {
		t.Errorf("GET shows token %q hash %s; want \"\" and %s", got.Token, got.HashedToken, sha(pat.Token))
	}
}

func TestAuthorizationsAPIDisabled(t *testing.T) {
	f := reference.DefaultFixtures()
	f.AuthorizationsAPIDisabled = true
	h := newHarness(t, version(t, "3.8"), f)
	want(t, "create", h.do("POST", "/authorizations", `{"note":"ci"}`, asUser), 410)
	want(t, "list", h.do("GET", "/authorizations", "", asUser), 200)
	want(t, "check", h.do("POST", tokenPath(app1), body(tok(0)), asApp), 200)
}

func TestScopedToken(t *testing.T) {
	h := newHarness(t, version(t, "3.12"), fx)
	r := h.do("POST", tokenPath(app1)+"/scoped", `{"access_token":"`+tok(0)+`","target_id":2,"repository_ids":[7]}`, asApp)
	want(t, "scope", r, 200)
	a := decode[authz](t, r)
	if !strings.HasPrefix(a.Token, "ghu_") || !tokenShape.MatchString(a.Token) {
		t.Errorf("scoped token %q: want ghu_", a.Token)
	}
	if a.ExpiresAt == nil || *a.ExpiresAt != reference.DefaultTime.Add(8*time.Hour).Format(time.RFC3339) {
		t.Errorf("expires_at %v: want 8 hours after creation", a.ExpiresAt)
	}
	if a.Installation == nil || a.Installation.Account.Login != "hubot" || a.Installation.RepositorySelection != "selected" ||
		a.Installation.Permissions["metadata"] != "read" {
		t.Errorf("installation %+v: want hubot, selected, default permissions", a.Installation)
	}
	if got := h.check(app1, secret1, a.Token); got != 200 {
		t.Errorf("check scoped token: %d", got)
	}
	if got := h.check(app1, secret1, tok(0)); got != 200 {
		t.Errorf("check original token: %d", got)
	}
	for name, b := range map[string]string{
		"no target":          `{"access_token":"` + tok(0) + `"}`,
		"disagreeing target": `{"access_token":"` + tok(0) + `","target":"octocat","target_id":2}`,
		"unknown target_id":  `{"access_token":"` + tok(0) + `","target_id":99}`,
		"no access_token":    `{"target":"octocat"}`,
	} {
		want(t, name, h.do("POST", tokenPath(app1)+"/scoped", b, asApp), 422)
	}
	want(t, "malformed", h.do("POST", tokenPath(app1)+"/scoped", `{"access_token":`, asApp), 400) // docs/fidelity.md, "Malformed JSON"
}

func TestDeterministicTokens(t *testing.T) {
	var got []string
	for range 2 {
		h := newHarness(t, version(t, "3.8"), fx)
		a := decode[authz](t, h.do("PATCH", tokenPath(app1), body(tok(0)), asApp))
		got = append(got, a.Token)
	}
	if got[0] != got[1] {
		t.Errorf("two servers from the same fixtures minted %s and %s", got[0], got[1])
	}
	s, err := reference.New(version(t, "3.8"), fx, reference.WithSeed(7))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{tb: t, s: s, prefix: "/api/v3"}
	if a := decode[authz](t, h.do("PATCH", tokenPath(app1), body(tok(0)), asApp)); a.Token == got[0] {
		t.Errorf("WithSeed(7) minted the default seed's token %s", a.Token)
	}
}
