package replay_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v68/github"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
)

// ghOutcome is what a go-github call gave: the status and, for a success,
// the token and app it names.
type ghOutcome struct {
	Call      string
	Status    int
	Token     string
	LastEight string
	ClientID  string
	Err       bool
}

// ghSession runs check -> reset -> check old -> revoke new -> check new
// with go-github's Authorizations service against base. tok maps the token
// the client starts with, so the replay can be compared with the recording.
func ghSession(t *testing.T, base string, rt http.RoundTripper, token string) []ghOutcome {
	t.Helper()
	app := reference.DefaultFixtures().Apps[0]
	tp := &github.BasicAuthTransport{Username: app.ClientID, Password: app.ClientSecret, Transport: rt}
	c, err := github.NewClient(tp.Client()).WithEnterpriseURLs(base, base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out []ghOutcome
	note := func(call string, a *github.Authorization, resp *github.Response, err error) {
		o := ghOutcome{Call: call, Err: err != nil}
		if resp != nil {
			o.Status = resp.StatusCode
		}
		if a != nil {
			o.Token, o.LastEight, o.ClientID = a.GetToken(), a.GetTokenLastEight(), a.GetApp().GetClientID()
		}
		out = append(out, o)
	}
	a, resp, err := c.Authorizations.Check(ctx, app.ClientID, token)
	note("check", a, resp, err)
	a, resp, err = c.Authorizations.Reset(ctx, app.ClientID, token)
	note("reset", a, resp, err)
	fresh := a.GetToken()
	a, resp, err = c.Authorizations.Check(ctx, app.ClientID, token)
	note("check old", a, resp, err)
	resp, err = c.Authorizations.Revoke(ctx, app.ClientID, fresh)
	note("revoke new", nil, resp, err)
	a, resp, err = c.Authorizations.Check(ctx, app.ClientID, fresh)
	note("check new", a, resp, err)
	return out
}

// TestGoGitHub checks that google/go-github gets from the replay server
// what it got from the reference server: with the key, the token it sent
// re-hydrated in the check answer and the tokens it did not send (the
// reset's new token) pseudonymised as recorded; without the key, every
// token pseudonymised as recorded.
func TestGoGitHub(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	red := redact.New(key, redact.Options{})
	dir := t.TempDir()
	ref := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	store, err := cassettes.OpenStore(dir, "go-github", redact.New(key, redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "ghes-3.8"})
	if err != nil {
		t.Fatal(err)
	}
	token := reference.DefaultFixtures().Tokens[0].Value
	live := ghSession(t, ref.URL+"/", rec, token)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	// What the recording should replay: the live outcomes, tokens as the
	// redactor stored them.
	for i := range live {
		if live[i].Token != "" {
			live[i].Token = red.Token(live[i].Token)
			live[i].LastEight = live[i].Token[len(live[i].Token)-8:]
		}
	}
	if diff := cmp.Diff([]string{"check", "reset", "check old", "revoke new", "check new"}, calls(live)); diff != "" {
		t.Fatalf("live session (-want +got):\n%s", diff)
	}
	withKey := append([]ghOutcome(nil), live...)
	withKey[0].Token, withKey[0].LastEight = token, token[len(token)-8:] // check: the token sent
	for _, mode := range []struct {
		name string
		r    *redact.Redactor
		want []ghOutcome
	}{{"with key", red, withKey}, {"by shape", nil, live}} {
		t.Run(mode.name, func(t *testing.T) {
			srv, err := replay.NewServer(dir, replay.Options{Redactor: mode.r, Exhausted: replay.ExhaustedError})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			got := ghSession(t, srv.URL()+"/", http.DefaultTransport, token)
			if diff := cmp.Diff(mode.want, got); diff != "" {
				t.Errorf("go-github against replay (-reference +replay):\n%s", diff)
			}
			if live[0].Status != 200 || live[2].Status != 404 || live[3].Status != 204 {
				t.Errorf("reference session statuses %+v, want check 200, check old 404, revoke 204", live)
			}
		})
	}
}

func calls(os []ghOutcome) []string {
	var s []string
	for _, o := range os {
		s = append(s, o.Call)
	}
	return s
}
