package scalebench

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
)

// agents are the clients of the generated traffic.
var agents = []string{"go-github/v68.0.0", "octokit-rest.js/20.0.2", "PyGithub/2.1.1", "gh/2.40.0", "curl/8.5.0"}

const checkBody = `{"id":1,"url":"https://ghes.example.com/api/v3/authorizations/1","app":{"client_id":"%s","name":"Octo CLI","url":"https://octo-cli.example.com"},"token":"%s","hashed_token":"25f94a2a5c7fbaf499c665bc73d67c1c87e496da8985131633ee0a95819db2e8","token_last_eight":"7Ae178B4a","note":null,"note_url":null,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","scopes":["repo","user"],"fingerprint":null,"expires_at":null,"user":{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://ghes.example.com/avatars/u/1","gravatar_id":"","url":"https://ghes.example.com/api/v3/users/octocat","html_url":"https://ghes.example.com/octocat","followers_url":"https://ghes.example.com/api/v3/users/octocat/followers","following_url":"https://ghes.example.com/api/v3/users/octocat/following{/other_user}","gists_url":"https://ghes.example.com/api/v3/users/octocat/gists{/gist_id}","starred_url":"https://ghes.example.com/api/v3/users/octocat/starred{/owner}{/repo}","subscriptions_url":"https://ghes.example.com/api/v3/users/octocat/subscriptions","organizations_url":"https://ghes.example.com/api/v3/users/octocat/orgs","repos_url":"https://ghes.example.com/api/v3/users/octocat/repos","events_url":"https://ghes.example.com/api/v3/users/octocat/events{/privacy}","received_events_url":"https://ghes.example.com/api/v3/users/octocat/received_events","type":"User","site_admin":false}}`

// Interaction returns the i-th interaction of the generated traffic:
// check-token, reset-token, delete-token and delete-grant calls of 1,000
// apps by five clients, a realistic mix of answers (most 200, some 404
// and 422), a Date a second apart.
func Interaction(i int) *cassette.Interaction {
	cid := fmt.Sprintf("Iv1.%016x", i%1000)
	tok := fmt.Sprintf("gho_%036d", i%50000)
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(http.TimeFormat)
	in := &cassette.Interaction{
		Request: cassette.Request{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Method: "POST",
			URL:    "https://ghes.example.com/api/v3/applications/" + cid + "/token",
			Body:   `{"access_token":"` + tok + `"}`,
			Headers: http.Header{
				"Authorization": {"Basic SXYxLmFiYzpzM2NyM3Q="},
				"Content-Type":  {"application/json"},
				"Accept":        {"application/vnd.github+json"},
				"User-Agent":    {agents[i%len(agents)]},
			},
		},
		Response: cassette.Response{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Headers: http.Header{
				"Content-Type":                {"application/json; charset=utf-8"},
				"Date":                        {date},
				"X-Github-Enterprise-Version": {"3.8.0"},
				"X-Github-Media-Type":         {"github.v3; format=json"},
				"X-Github-Request-Id":         {"0400:1F2E:3D4C:5B6A:" + strconv.Itoa(i)},
			},
			Status: "200 OK", Code: 200,
			Duration: time.Duration(1000+i%5000) * time.Microsecond,
		},
	}
	op := "apps/check-token"
	switch i % 10 {
	case 7:
		op, in.Request.Method = "apps/reset-token", "PATCH"
	case 8:
		op, in.Request.Method = "apps/delete-token", "DELETE"
		in.Response.Status, in.Response.Code = "204 No Content", 204
	case 9:
		op, in.Request.Method = "apps/delete-authorization", "DELETE"
		in.Request.URL = "https://ghes.example.com/api/v3/applications/" + cid + "/grant"
		in.Response.Status, in.Response.Code = "204 No Content", 204
	}
	switch {
	case in.Response.Code == 204:
	case i%97 == 0 && op == "apps/check-token":
		in.Response.Status, in.Response.Code = "404 Not Found", 404
		in.Response.Body = `{"message":"Not Found","documentation_url":"https://docs.github.com/enterprise-server@3.8/rest/apps/oauth-applications#check-a-token"}`
	case i%89 == 0:
		in.Response.Status, in.Response.Code = "422 Unprocessable Entity", 422
		in.Response.Body = `{"message":"Validation Failed","documentation_url":"https://docs.github.com/enterprise-server@3.8/rest/apps/oauth-applications"}`
	default:
		in.Response.Body = fmt.Sprintf(checkBody, cid, tok)
	}
	in.Request.Headers.Set(cassettes.OperationHeader, op)
	in.Request.ContentLength = int64(len(in.Request.Body))
	in.Response.ContentLength = int64(len(in.Response.Body))
	return in
}

// Key is the redaction key of the generated traffic.
var Key = []byte("0123456789abcdef0123456789abcdef")

var red = redact.New(Key, redact.Options{})

// WriteCassette writes interactions from..to-1 of the generated traffic,
// redacted as a recording writes them, as one cassette at path, numbered
// from 0, in batches (what is held at once stays small), and returns its
// size.
func WriteCassette(path string, from, to int) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("---\nversion: 2\ninteractions:\n")
	const batch = 1000
	id := 0
	for lo := from; lo < to; lo += batch {
		its := make([]*cassette.Interaction, 0, batch)
		for i := lo; i < min(lo+batch, to); i++ {
			it := Interaction(i)
			red.Interaction(it) // as a recording writes it
			its = append(its, it)
		}
		data, err := cassettes.Marshal(its)
		if err != nil {
			return 0, err
		}
		data = data[bytes.Index(data, []byte("interactions:\n"))+len("interactions:\n"):]
		// Renumber: each entry starts "    - id: N".
		for len(data) > 0 {
			end := bytes.Index(data[1:], []byte("\n    - id: "))
			entry := data
			if end >= 0 {
				entry, data = data[:end+2], data[end+2:]
			} else {
				data = nil
			}
			nl := bytes.IndexByte(entry, '\n')
			fmt.Fprintf(w, "    - id: %d", id)
			w.Write(entry[nl:])
			id++
		}
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), f.Sync()
}
