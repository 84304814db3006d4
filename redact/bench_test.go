package redact_test

import (
	"net/http"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// checkTokenCall is a recorded check-token call, before redaction.
func checkTokenCall() *cassette.Interaction {
	body := `{"id":1,"url":"https://api.github.com/authorizations/1","app":{"name":"ci","url":"https://example.com","client_id":"` + clientID + `"},"token":"` + gho + `","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `","note":null,"note_url":null,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","scopes":["repo"],"fingerprint":null,"expires_at":null,"user":{"login":"octocat","id":1}}`
	return &cassette.Interaction{
		Request: req("POST", "http://127.0.0.1:8080/applications/"+clientID+"/token", http.Header{
			"Authorization": {"Basic " + basic(clientID, clientSecret)}, "Content-Type": {"application/json"},
			"User-Agent": {"Go-http-client/1.1"}, "Accept-Encoding": {"gzip"}, "X-Forwarded-For": {"127.0.0.1"},
		}, `{"access_token":"`+gho+`"}`),
		Response: cassette.Response{Code: 200, Status: "200 OK", Body: body, Headers: http.Header{
			"Content-Type": {"application/json; charset=utf-8"}, "Date": {"Mon, 01 Jan 2024 00:00:00 GMT"},
			"Content-Length": {"600"}, "Set-Cookie": {"_gh_sess=c2Vzc2lvbnNlY3JldA; path=/; HttpOnly"},
		}},
	}
}

// BenchmarkRedactInteraction redacts a recorded check-token call.
func BenchmarkRedactInteraction(b *testing.B) {
	r := redact.New(testKey, redact.Options{})
	b.ReportAllocs()
	for b.Loop() {
		r.Interaction(checkTokenCall())
	}
}

// BenchmarkSweep is the cost the final sweep adds to each recorded
// interaction: a redacted check-token call swept for token shapes and the
// secrets its redaction replaced (it finds none).
func BenchmarkSweep(b *testing.B) {
	r := redact.New(testKey, redact.Options{})
	i := checkTokenCall()
	secrets := r.Redact(i)
	b.ReportAllocs()
	for b.Loop() {
		if found := r.Sweep(i, secrets); len(found) != 0 {
			b.Fatalf("found %v in a redacted interaction", found)
		}
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

// BenchmarkRedactCheckToken redacts a check-token call as GHES 3.8 answers
// it (a 1.5 KB body) with the headers a client and the server send.
func BenchmarkRedactCheckToken(b *testing.B) {
	r := redact.New(testKey, redact.Options{})
	reqBody := `{"access_token":"` + gho + `"}`
	body := `{"id":1,"url":"https://ghes.example.com/api/v3/authorizations/1","app":{"client_id":"` + clientID + `","name":"Octo CLI","url":"https://octo-cli.example.com"},"token":"` + gho + `","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `","note":null,"note_url":null,"created_at":"2024-01-15T09:30:00Z","updated_at":"2024-01-15T09:30:00Z","scopes":["repo","user"],"fingerprint":null,"expires_at":null,"user":{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://ghes.example.com/avatars/u/1","gravatar_id":"","url":"https://ghes.example.com/api/v3/users/octocat","html_url":"https://ghes.example.com/octocat","followers_url":"https://ghes.example.com/api/v3/users/octocat/followers","following_url":"https://ghes.example.com/api/v3/users/octocat/following{/other_user}","gists_url":"https://ghes.example.com/api/v3/users/octocat/gists{/gist_id}","starred_url":"https://ghes.example.com/api/v3/users/octocat/starred{/owner}{/repo}","subscriptions_url":"https://ghes.example.com/api/v3/users/octocat/subscriptions","organizations_url":"https://ghes.example.com/api/v3/users/octocat/orgs","repos_url":"https://ghes.example.com/api/v3/users/octocat/repos","events_url":"https://ghes.example.com/api/v3/users/octocat/events{/privacy}","received_events_url":"https://ghes.example.com/api/v3/users/octocat/received_events","type":"User","user_view_type":"public","site_admin":false},"installation":null}`
	b.ReportAllocs()
	for b.Loop() {
		i := &cassette.Interaction{
			Request: req("POST", "http://127.0.0.1:8080/api/v3/applications/"+clientID+"/token", http.Header{
				"Accept": {"application/vnd.github+json"}, "Authorization": {"Basic " + basic(clientID, clientSecret)},
				"Content-Type": {"application/json"}, "User-Agent": {"octo-cli/2.4.1 (go1.24; linux/amd64)"},
				"X-Github-Api-Version": {"2022-11-28"}, "Accept-Encoding": {"gzip"},
			}, reqBody),
			Response: cassette.Response{Code: 200, Status: "200 OK", Body: body, ContentLength: int64(len(body)), Headers: http.Header{
				"Content-Length": {"1502"}, "Content-Type": {"application/json; charset=utf-8"},
				"Date": {"Sat, 21 Nov 2026 23:50:44 GMT"}, "X-Github-Enterprise-Version": {"3.8.0"},
				"X-Github-Media-Type": {"github.v3; format=json"}, "X-Github-Request-Id": {"B946:BD8D:ED2793:00004C:00000001"},
			}},
		}
		r.Interaction(i)
	}
}
