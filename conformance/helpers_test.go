package conformance_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// testKey is a fixed redaction key, so test recordings are reproducible.
var testKey = []byte("oauthcompat-conformance-test-key")

// fixtureCreds are the credentials of the reference server's first app
// and first user, with every token of that app.
//
// The user is the fixtures' user with two-factor authentication (mona in
// the default fixtures), so the two-factor cases run too, lockout included
// (docs/fidelity.md, "Two-factor authentication").
func fixtureCreds(f reference.Fixtures) conformance.Credentials {
	u := f.Users[0]
	for _, x := range f.Users {
		if x.OTP != "" {
			u = x
			break
		}
	}
	c := conformance.Credentials{ClientID: f.Apps[0].ClientID, ClientSecret: f.Apps[0].ClientSecret, Username: u.Login, Password: u.Password,
		OTP: u.OTP, AllowLockout: u.OTP != ""}
	for _, t := range f.Tokens {
		if t.ClientID == c.ClientID {
			c.Tokens = append(c.Tokens, t.Value)
		}
	}
	return c
}

func version(tb testing.TB, name string) *schemas.Version {
	tb.Helper()
	v, err := schemas.Default().Version(name)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// runLive runs the suite against base.
func runLive(tb testing.TB, v *schemas.Version, base string, client *http.Client, creds conformance.Credentials) *conformance.Report {
	tb.Helper()
	rep, err := conformance.Run(context.Background(), conformance.Config{Version: v, BaseURL: base, Client: client, Credentials: creds, Nonce: "t1"})
	if err != nil {
		tb.Fatalf("%s: run: %v", v.Name, err)
	}
	return rep
}

// record runs the suite against base through the recorder into dir and
// returns the report; the cassette is dir/<version>/conform.yaml.
func record(tb testing.TB, v *schemas.Version, base, dir string, creds conformance.Credentials) *conformance.Report {
	tb.Helper()
	store, err := cassettes.OpenStore(dir, "conform", redact.New(testKey, redact.Options{}))
	if err != nil {
		tb.Fatal(err)
	}
	u, _ := url.Parse(base)
	rec, err := proxy.NewRecorder(proxy.Config{Upstream: u, Store: store, Version: v.Name})
	if err != nil {
		tb.Fatal(err)
	}
	rep := runLive(tb, v, base, &http.Client{Transport: rec}, creds)
	if err := rec.Close(); err != nil {
		tb.Fatal(err)
	}
	return rep
}

// replayRun runs the suite against the cassette recorded by record.
func replayRun(tb testing.TB, v *schemas.Version, base, dir string, creds conformance.Credentials) *conformance.Report {
	tb.Helper()
	red := redact.New(testKey, redact.Options{})
	ix, err := replay.Load(filepath.Join(dir, v.Name, "conform.yaml"), replay.Options{Version: v.Name, Redactor: red, Exhausted: replay.ExhaustedError})
	if err != nil {
		tb.Fatal(err)
	}
	rep, err := conformance.Run(context.Background(), conformance.Config{
		Version: v, BaseURL: base, Client: &http.Client{Transport: ix}, Credentials: creds, Nonce: "t1", Mode: "replay",
		SameToken: func(a, b string) bool { return red.Token(a) == red.Token(b) },
	})
	if err != nil {
		tb.Fatalf("%s: replay: %v", v.Name, err)
	}
	return rep
}
