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
