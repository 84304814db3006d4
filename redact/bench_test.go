package redact_test

import (
	"net/http"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// BenchmarkRedactInteraction redacts a recorded check-token call.
func BenchmarkRedactInteraction(b *testing.B) {
	r := redact.New(testKey, redact.Options{})
	body := `{"id":1,"url":"https://api.github.com/authorizations/1","app":{"name":"ci","url":"https://example.com","client_id":"` + clientID + `"},"token":"` + gho + `","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `","note":null,"note_url":null,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","scopes":["repo"],"fingerprint":null,"expires_at":null,"user":{"login":"octocat","id":1}}`
	b.ReportAllocs()
	for b.Loop() {
		i := &cassette.Interaction{
			Request: req("POST", "http://127.0.0.1:8080/applications/"+clientID+"/token", http.Header{
				"Authorization": {"Basic " + basic(clientID, clientSecret)}, "Content-Type": {"application/json"},
				"User-Agent": {"Go-http-client/1.1"}, "Accept-Encoding": {"gzip"}, "X-Forwarded-For": {"127.0.0.1"},
			}, `{"access_token":"`+gho+`"}`),
			Response: cassette.Response{Code: 200, Body: body, Headers: http.Header{
				"Content-Type": {"application/json; charset=utf-8"}, "Date": {"Mon, 01 Jan 2024 00:00:00 GMT"},
				"Content-Length": {"600"}, "Set-Cookie": {"_gh_sess=c2Vzc2lvbnNlY3JldA; path=/; HttpOnly"},
			}},
		}
		r.Interaction(i)
	}
}

// BenchmarkTokenFirstSeen pseudonymises a token never seen before (no
// cache): recognition (it is not a pseudonym) and derivation.
func BenchmarkTokenFirstSeen(b *testing.B) {
	r := redact.New(testKey, redact.Options{})
	tok := []byte(gho)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		tok[10], tok[11], tok[12] = "0123456789"[i%10], "0123456789"[i/10%10], "0123456789"[i/100%10]
		tok[13] = "abcdefghij"[i/1000%10]
		r.Token(string(tok))
	}
}

// BenchmarkIsPseudonym checks, without the key, a 40-hex pseudonym and a
// real 40-hex secret.
func BenchmarkIsPseudonym(b *testing.B) {
	p := redact.New(testKey, redact.Options{}).Secret(clientSecret)
	b.ReportAllocs()
	for b.Loop() {
		redact.IsPseudonym(p)
		redact.IsPseudonym(clientSecret)
	}
}
