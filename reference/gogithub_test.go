package reference_test

import (
	"context"
	"net/http"
	"testing"

	github29 "github.com/google/go-github/v29/github"
	"github.com/google/go-github/v68/github"
	"github.com/oauthcompat/oauthcompat/reference"
)

// TestGoGitHubTokenInBody: a recent go-github decodes check, reset, revoke
// and delete-grant, on GHES (/api/v3) and on api.github.com (root).
func TestGoGitHubTokenInBody(t *testing.T) {
	for _, tc := range []struct{ version, prefix string }{{"3.8", "/api/v3/"}, {"api.github.com", "/"}} {
		t.Run(tc.version, func(t *testing.T) {
			ctx := context.Background()
			srv := reference.NewTestServer(t, tc.version, reference.DefaultFixtures())
			tp := &github.BasicAuthTransport{Username: app1, Password: secret1, Transport: srv.Client().Transport}
			client, err := github.NewClient(tp.Client()).WithEnterpriseURLs(srv.URL+tc.prefix, srv.URL+tc.prefix)
			if err != nil {
				t.Fatal(err)
			}
			a, _, err := client.Authorizations.Check(ctx, app1, tok(0))
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if a.GetToken() != tok(0) || a.GetHashedToken() != sha(tok(0)) || a.GetApp().GetClientID() != app1 ||
				a.GetUser().GetLogin() != "octocat" || a.GetCreatedAt().IsZero() || len(a.Scopes) != 2 {
				t.Errorf("Check decoded %+v", a)
			}
			r, _, err := client.Authorizations.Reset(ctx, app1, tok(0))
			if err != nil {
				t.Fatalf("Reset: %v", err)
			}
			if r.GetToken() == tok(0) || r.GetID() != a.GetID() {
				t.Errorf("Reset: token %q id %d; want a new token for id %d", r.GetToken(), r.GetID(), a.GetID())
			}
			_, res, err := client.Authorizations.Check(ctx, app1, tok(0))
			if res == nil || res.StatusCode != http.StatusNotFound {
				t.Errorf("Check old token: %v %v; want 404", res, err)
			}
			if _, err := client.Authorizations.Revoke(ctx, app1, r.GetToken()); err != nil {
				t.Errorf("Revoke: %v", err)
			}
			if _, err := client.Authorizations.DeleteGrant(ctx, app1, tok(1)); err != nil {
				t.Errorf("DeleteGrant: %v", err)
			}
			_, res, err = client.Authorizations.Check(ctx, app1, tok(2))
			if res == nil || res.StatusCode != http.StatusNotFound {
				t.Errorf("Check after DeleteGrant: %v %v; want 404", res, err)
			}
			var ge *github.ErrorResponse
			if _, _, err := client.Authorizations.Check(ctx, app1, unknown); err == nil || !asErr(err, &ge) || ge.Message != "Not Found" {
				t.Errorf("Check unknown: %v; want an ErrorResponse Not Found", err)
			}
		})
	}
}

func asErr[T any](err error, target *T) bool {
	v, ok := err.(T)
	if ok {
		*target = v
	}
	return ok
}

// TestGoGitHub29AuthorizationsAPI: an old go-github, which still has the
// OAuth Authorizations API and the legacy path-token methods, against GHES
// 3.2, which documents both.
func TestGoGitHub29AuthorizationsAPI(t *testing.T) {
	ctx := context.Background()
	srv := reference.NewTestServer(t, "3.2", reference.DefaultFixtures())
	user := &github29.BasicAuthTransport{Username: "octocat", Password: "octocat-password", Transport: srv.Client().Transport}
	c, err := github29.NewEnterpriseClient(srv.URL+"/api/v3/", srv.URL+"/api/uploads/", user.Client())
	if err != nil {
		t.Fatal(err)
	}
	list, res, err := c.Authorizations.List(ctx, &github29.ListOptions{PerPage: 3})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != 3 || res.NextPage != 2 || res.LastPage != 3 {
		t.Errorf("List: %d items, next %d, last %d; want 3, 2, 3", len(list), res.NextPage, res.LastPage)
	}
	pat, _, err := c.Authorizations.Create(ctx, &github29.AuthorizationRequest{Note: github29.String("go-github"), Scopes: []github29.Scope{github29.ScopeRepo}})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if len(pat.GetToken()) != 40 || pat.GetNote() != "go-github" || pat.GetHashedToken() != sha(pat.GetToken()) {
		t.Errorf("Create decoded %+v", pat)
	}
	got, _, err := c.Authorizations.Get(ctx, pat.GetID())
	if err != nil || got.GetID() != pat.GetID() || got.GetToken() != "" {
		t.Errorf("Get: %+v, %v", got, err)
	}
	ed, _, err := c.Authorizations.Edit(ctx, pat.GetID(), &github29.AuthorizationUpdateRequest{AddScopes: []string{"gist"}})
	if err != nil || len(ed.Scopes) != 2 {
		t.Errorf("Edit: %+v, %v", ed, err)
	}
	goc, res, err := c.Authorizations.GetOrCreateForApp(ctx, app2, &github29.AuthorizationRequest{ClientSecret: github29.String(secret2), Fingerprint: github29.String("go-github")})
	if err != nil || res.StatusCode != http.StatusCreated || goc.GetApp().GetClientID() != app2 {
		t.Errorf("GetOrCreateForApp: %+v, %v, %v", goc, res, err)
	}
	if _, err := c.Authorizations.Delete(ctx, pat.GetID()); err != nil {
		t.Errorf("Delete: %v", err)
	}
	grants, _, err := c.Authorizations.ListGrants(ctx, nil)
	if err != nil || len(grants) != 2 || grants[0].GetApp().GetClientID() != app1 {
		t.Errorf("ListGrants: %+v, %v", grants, err)
	}
	g, _, err := c.Authorizations.GetGrant(ctx, grants[1].GetID())
	if err != nil || g.GetApp().GetClientID() != app2 || len(g.Scopes) != 1 {
		t.Errorf("GetGrant: %+v, %v", g, err)
	}
	if _, err := c.Authorizations.DeleteGrant(ctx, grants[1].GetID()); err != nil {
		t.Errorf("DeleteGrant: %v", err)
	}

	app := &github29.BasicAuthTransport{Username: app1, Password: secret1, Transport: srv.Client().Transport}
	ac, err := github29.NewEnterpriseClient(srv.URL+"/api/v3/", srv.URL+"/api/uploads/", app.Client())
	if err != nil {
		t.Fatal(err)
	}
	chk, _, err := ac.Authorizations.Check(ctx, app1, tok(0))
	if err != nil || chk.GetToken() != tok(0) || chk.GetUser().GetLogin() != "octocat" {
		t.Fatalf("Check: %+v, %v", chk, err)
	}
	rst, _, err := ac.Authorizations.Reset(ctx, app1, tok(0))
	if err != nil || rst.GetToken() == tok(0) {
		t.Fatalf("Reset: %+v, %v", rst, err)
	}
	if _, _, err := ac.Authorizations.Check(ctx, app1, tok(0)); err == nil {
		t.Errorf("Check after Reset: the old token still works")
	}
	if _, err := ac.Authorizations.Revoke(ctx, app1, rst.GetToken()); err != nil {
		t.Errorf("Revoke: %v", err)
	}
	if _, _, err := ac.Authorizations.Check(ctx, app1, rst.GetToken()); err == nil {
		t.Errorf("Check after Revoke: the token still works")
	}
}
