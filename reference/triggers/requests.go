package triggers

import (
	"encoding/base64"
	"net/http"

	"github.com/oauthcompat/oauthcompat/reference"
)

// The default fixtures, by name, and the credentials the triggers send.
var (
	fx      = reference.DefaultFixtures()
	app1    = fx.Apps[0].ClientID
	secret1 = fx.Apps[0].ClientSecret
	app2    = fx.Apps[1].ClientID
	secret2 = fx.Apps[1].ClientSecret
	tok     = func(i int) string { return fx.Tokens[i].Value } // 0-4 octocat/app1, 5 hubot/app1, 6 octocat/app2
	laptop  = fx.Authorizations[1]                             // authorization 9, octocat/app1, fingerprint laptop-2024
	unknown = reference.UnknownToken                           // well-formed, never issued

	asApp     = hdr("Authorization", basic(app1, secret1))
	asApp2    = hdr("Authorization", basic(app2, secret2))
	asBadApp  = hdr("Authorization", basic(app1, reference.WrongClientSecret))
	asUser    = hdr("Authorization", basic("octocat", "octocat-password"))
	asHubot   = hdr("Authorization", basic("hubot", "hubot-password"))
	asBadUser = hdr("Authorization", basic("octocat", reference.WrongPassword))
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
