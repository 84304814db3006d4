package cassettes

import (
	"net/http"
	"testing"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// checkTokenBody is a redacted check-token response body as GHES 3.8
// returns it: about 1500 bytes of JSON on one line.
const checkTokenBody = `{"id":1,"url":"https://ghes.example.com/api/v3/authorizations/1","app":{"client_id":"Iv1.8a61f9b3a7aba766","name":"Octo CLI","url":"https://octo-cli.example.com"},"token":"gho_8uUYZrvJx1wmx0E3lPm4dkmZ8zK2UxcRX0js","hashed_token":"792eda6eb3590f1f619723a5909385df7bafb016fe65953324d73bf1707a1d03","token_last_eight":"UxcRX0js","note":null,"note_url":null,"created_at":"2024-01-15T09:30:00Z","updated_at":"2024-01-15T09:30:00Z","scopes":["repo","user"],"fingerprint":null,"expires_at":null,"user":{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://ghes.example.com/avatars/u/1","gravatar_id":"","url":"https://ghes.example.com/api/v3/users/octocat","html_url":"https://ghes.example.com/octocat","followers_url":"https://ghes.example.com/api/v3/users/octocat/followers","following_url":"https://ghes.example.com/api/v3/users/octocat/following{/other_user}","gists_url":"https://ghes.example.com/api/v3/users/octocat/gists{/gist_id}","starred_url":"https://ghes.example.com/api/v3/users/octocat/starred{/owner}{/repo}","subscriptions_url":"https://ghes.example.com/api/v3/users/octocat/subscriptions","organizations_url":"https://ghes.example.com/api/v3/users/octocat/orgs","repos_url":"https://ghes.example.com/api/v3/users/octocat/repos","events_url":"https://ghes.example.com/api/v3/users/octocat/events{/privacy}","received_events_url":"https://ghes.example.com/api/v3/users/octocat/received_events","type":"User","user_view_type":"public","site_admin":false},"installation":null}`

// checkTokenInteraction is a recorded, redacted check-token call, as the
// proxy hands it to [Store.Add].
func checkTokenInteraction() *cassette.Interaction {
	const reqBody = `{"access_token":"gho_8uUYZrvJx1wmx0E3lPm4dkmZ8zK2UxcRX0js"}`
	return &cassette.Interaction{
		Request: cassette.Request{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, ContentLength: int64(len(reqBody)),
			Host: "ghes.example.com", Body: reqBody,
			Headers: http.Header{
				"Accept":                  {"application/vnd.github+json"},
				"Authorization":           {"Basic SXYxLjhhNjFmOWIzYTdhYmE3NjY6ZTNiM2FiMTk0N2E2ZDdlZmVlMzUyMjA0NzIyZjNkMTdhMjU2Y2UyYw=="},
				"Content-Type":            {"application/json"},
				"User-Agent":              {"octo-cli/2.4.1 (go1.24; linux/amd64)"},
				"X-Github-Api-Version":    {"2022-11-28"},
				"X-Oauthcompat-Operation": {"apps/check-token"},
			},
			URL:    "https://ghes.example.com/api/v3/applications/Iv1.8a61f9b3a7aba766/token",
			Method: "POST",
		},
		Response: cassette.Response{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, ContentLength: int64(len(checkTokenBody)),
			Body: checkTokenBody,
			Headers: http.Header{
				"Content-Length":              {"1502"},
				"Content-Type":                {"application/json; charset=utf-8"},
				"Date":                        {"Sat, 21 Nov 2026 23:50:44 GMT"},
				"X-Github-Enterprise-Version": {"3.8.0"},
				"X-Github-Media-Type":         {"github.v3; format=json"},
				"X-Github-Request-Id":         {"B946:BD8D:ED2793:00004C:00000001"},
			},
			Status: "200 OK", Code: 200, Duration: 961501 * time.Nanosecond,
		},
	}
}

// BenchmarkAppendRecord measures encoding one check-token interaction as
// a journal record: "pooled" as [Store.Add] does it, into a buffer from
// recordBufs, "nil" into a fresh buffer, and "orig" with the encoder as it
// was before it was tuned (emit_orig_test.go), the figure to compare with.
func BenchmarkAppendRecord(b *testing.B) {
	i := checkTokenInteraction()
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := recordBufs.Get().(*[]byte)
			*rec = appendRecord((*rec)[:0], i)
			putRecordBuf(rec)
		}
	})
	b.Run("nil", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			appendRecord(nil, i)
		}
	})
	b.Run("orig", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			origAppendRecord(nil, i)
		}
	})
}
