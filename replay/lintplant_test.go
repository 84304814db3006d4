package replay_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/contentcoding"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// plantKey is the key the planted cassettes are recorded with.
var plantKey = bytes.Repeat([]byte{7, 9}, 16)

// plantedInteraction is a redacted check-token interaction: clean before
// anything is planted in it.
func plantedInteraction(t *testing.T) *cassette.Interaction {
	t.Helper()
	it := &cassette.Interaction{
		Request: cassette.Request{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Method: "POST", Host: "ghes.example.com",
			URL:     "https://ghes.example.com/api/v3/applications/" + clientID + "/token",
			Headers: http.Header{"Content-Type": {"application/json"}, "Authorization": {basic(clientID, unpublishedSecret)}},
			Body:    `{"access_token":"` + unpublishedToken + `"}`,
		},
		Response: cassette.Response{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Code: 200, Status: "200 OK",
			Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			Body:    `{"id":1,"note":"n"}`,
		},
	}
	redact.New(plantKey, redact.Options{}).Interaction(it)
	return it
}

// compress applies codings, the last outermost, as a server does.
func compress(t *testing.T, s string, codings ...string) string {
	t.Helper()
	b, err := contentcoding.Encode(codings, []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLintFindsEveryPlantedSecret plants a real secret in one field of a
// clean cassette at a time, in every place and spelling a secret can take,
// and checks that lint reports it, with the file, line and field, with
// and without the key, and never prints it.
func TestLintFindsEveryPlantedSecret(t *testing.T) {
	tok := unpublishedToken
	pseudo := redact.New(plantKey, redact.Options{}).Token(tok)
	const password = "Correct-Horse-Battery-9"
	multi := func() (string, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.SetBoundary("planted-boundary")
		mw.WriteField("client_id", clientID)
		mw.WriteField("client_secret", unpublishedSecret)
		mw.WriteField("password", password)
		mw.Close()
		return b.String(), mw.FormDataContentType()
	}
	tests := []struct {
		name    string
		plant   func(it *cassette.Interaction)
		field   string   // the field the finding names
		secrets []string // must not be printed
	}{
		{"host", func(it *cassette.Interaction) { it.Request.Host = "h" + tok + ".example.com" }, "request.host", []string{tok}},
		{"URL path, glued", func(it *cassette.Interaction) {
			it.Request.URL = "https://ghes.example.com/api/v3/authorizations/x" + tok
		}, "request.url", []string{tok}},
		{"URL query, percent-encoded", func(it *cassette.Interaction) {
			it.Request.URL += "?next=%2Fcb%3Faccess_token%3D" + tok
		}, "request.url", []string{tok}},
		{"legacy path, percent-encoded letter", func(it *cassette.Interaction) {
			it.Request.Method, it.Request.URL, it.Request.Body = "GET", "https://ghes.example.com/api/v3/%61pplications/"+clientID+"/tokens/"+password, ""
		}, "request.url", []string{password}},
		{"legacy path, percent-encoded slashes", func(it *cassette.Interaction) {
			it.Request.Method, it.Request.URL, it.Request.Body = "GET", "https://ghes.example.com/api/v3/applications/"+clientID+"%2Ftokens%2F"+password, ""
		}, "request.url", []string{password}},
		{"status text", func(it *cassette.Interaction) { it.Response.Status = "401 Bad credentials " + tok }, "response.status", []string{tok}},
		{"header name", func(it *cassette.Interaction) {
			it.Response.Headers = it.Response.Headers.Clone()
			it.Response.Headers[unpublishedSecret] = []string{"1"}
		}, "response.headers[REDACTED]#name", []string{unpublishedSecret}},
		{"header value, percent-encoded", func(it *cassette.Interaction) {
			it.Response.Headers = it.Response.Headers.Clone()
			it.Response.Headers.Set("Location", "https://x.test/login?next=%2Fcb%3Faccess_token%3D"+tok)
		}, "response.headers[Location]", []string{tok}},
		{"JSON body, glued", func(it *cassette.Interaction) { it.Response.Body = `{"id":1,"note":"see` + tok + `"}` }, "response.body", []string{tok}},
		{"JSON body, echoed Basic credentials", func(it *cassette.Interaction) {
			it.Response.Body = `{"id":1,"echo":"` + basic("someone", password) + `"}`
		}, "response.body", []string{password, strings.TrimPrefix(basic("someone", password), "Basic ")}},
		{"JSON body with a byte-order mark, sent as a form", func(it *cassette.Interaction) {
			it.Request.Headers = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": it.Request.Headers["Authorization"]}
			it.Request.Body = "\ufeff" + `{"client_secret":"` + password + `"}`
		}, "request.body", []string{password}},
		{"duplicate JSON keys", func(it *cassette.Interaction) {
			it.Request.Body = `{"access_token":"` + password + `","access_token":"` + pseudo + `"}`
		}, "request.body", []string{password}},
		{"real token_last_eight beside a pseudonymised token", func(it *cassette.Interaction) {
			it.Response.Body = `{"id":1,"token":"` + pseudo + `","token_last_eight":"` + tok[len(tok)-8:] + `"}`
		}, "response.body", []string{tok[len(tok)-8:]}},
		{"form body", func(it *cassette.Interaction) {
			it.Request.Headers = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
			it.Request.Body = "client_id=" + clientID + "&password=" + password
		}, "request.body", []string{password}},
		{"form body, percent-encoded secret", func(it *cassette.Interaction) {
			it.Request.Headers = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
			it.Request.Body = "note=%3Faccess_token%3D" + tok
		}, "request.body", []string{tok}},
		{"text body", func(it *cassette.Interaction) {
			it.Request.Headers = http.Header{"Content-Type": {"text/plain"}}
			it.Request.Body = "client_secret=" + password + "&password=" + password
		}, "request.body", []string{password}},
		{"multipart body", func(it *cassette.Interaction) {
			body, ctype := multi()
			it.Request.Headers = http.Header{"Content-Type": {ctype}}
			it.Request.Body = body
		}, "request.body", []string{password, unpublishedSecret}},
		{"gzip body", func(it *cassette.Interaction) {
			it.Response.Headers = http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}
			it.Response.Body = compress(t, `{"token":"`+tok+`"}`, "gzip")
		}, "response.body", []string{tok}},
		{"deflate request body", func(it *cassette.Interaction) {
			it.Request.Headers = http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"deflate"}}
			it.Request.Body = compress(t, `{"client_secret":"`+password+`"}`, "deflate")
		}, "request.body", []string{password}},
		{"brotli body", func(it *cassette.Interaction) {
			it.Response.Headers = http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"br"}}
			it.Response.Body = compress(t, `{"token":"`+tok+`"}`, "br")
		}, "response.body", []string{tok}},
		{"zstd body", func(it *cassette.Interaction) {
			it.Response.Headers = http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"zstd"}}
			it.Response.Body = compress(t, `{"token":"`+tok+`"}`, "zstd")
		}, "response.body", []string{tok}},
		{"stacked codings", func(it *cassette.Interaction) {
			it.Response.Headers = http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip, br"}}
			it.Response.Body = compress(t, `{"token":"`+tok+`"}`, "gzip", "br")
		}, "response.body", []string{tok}},
	}
	var all []*cassette.Interaction
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := plantedInteraction(t)
			tc.plant(it)
			all = append(all, it)
			data, err := cassettes.Marshal([]*cassette.Interaction{it})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			file := cassettes.Path(dir, "ghes-3.8", "session")
			writeFile(t, file, data)
			lines := strings.Split(string(data), "\n")
			for _, mode := range []struct {
				name string
				r    *redact.Redactor
			}{{"without the key", nil}, {"with the key", redact.New(plantKey, redact.Options{})}} {
				findings, err := replay.Lint(dir, replay.LintOptions{Redactor: mode.r})
				if err != nil {
					t.Fatal(err)
				}
				var found bool
				for _, f := range findings {
					if f.Kind == replay.FindingSchema && strings.Contains(f.Message, "not JSON") {
						t.Errorf("%s: a stored compressed body is schema-checked undecoded: %s", mode.name, f)
					}
					if f.Kind != replay.FindingSecret {
						continue
					}
					for _, s := range tc.secrets {
						if strings.Contains(f.String(), s) || strings.Contains(f.Field, s) {
							t.Errorf("%s: the finding prints the secret: %s", mode.name, f)
						}
					}
					if f.Field != tc.field {
						continue
					}
					found = true
					if f.File != file || f.Line <= 0 || f.Line > len(lines) {
						t.Errorf("%s: finding %s: file %s line %d, want %s and a line of it", mode.name, f, f.File, f.Line, file)
						continue
					}
					// The line is the field's: its key or, for a header
					// or form value, the line holding it, under its key.
					key := yamlKey(tc.field)
					if key == "REDACTED" {
						key = unpublishedSecret
					}
					if !strings.Contains(lines[f.Line-1], key) && (f.Line < 2 || !strings.Contains(lines[f.Line-2], key)) {
						t.Errorf("%s: finding %s: line %d is %q, want the line of %s", mode.name, f, f.Line, lines[f.Line-1], key)
					}
				}
				if !found {
					t.Errorf("%s: no unredacted-secret finding names %s; got %v", mode.name, tc.field, findings)
				}
			}
		})
	}
	if len(all) == len(tests) {
		checkPlantedCassette(t, all)
	}
}

// plantedCassette is the cassette of every planted interaction, one secret
// each, that the command's tests lint (go test ./replay -update rewrites
// it).
const plantedCassette = "testdata/.planted/ghes-3.8/planted.yaml"

// checkPlantedCassette writes, or compares with, the cassette of every
// planted interaction.
func checkPlantedCassette(t *testing.T, its []*cassette.Interaction) {
	t.Helper()
	data, err := cassettes.Marshal(its)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		writeFile(t, plantedCassette, data)
		return
	}
	want, err := os.ReadFile(plantedCassette)
	if err != nil || !bytes.Equal(want, data) {
		t.Errorf("%s is not the cassette of the planted interactions (%v): run go test ./replay -run TestLintFindsEveryPlantedSecret -update", plantedCassette, err)
	}
}

// yamlKey is what the line of a field holds: its YAML key.
func yamlKey(field string) string {
	if i := strings.IndexByte(field, '['); i >= 0 {
		return field[i+1 : strings.IndexByte(field, ']')]
	}
	return field[strings.LastIndexByte(field, '.')+1:] + ":"
}

// BenchmarkLintSecrets lints a cassette of 600 recorded interactions
// (the example session, repeated) with the key: the cost of the secret
// checks per interaction.
func BenchmarkLintSecrets(b *testing.B) {
	c, err := cassettes.Load("testdata/ghes-3.8/example.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var its []*cassette.Interaction
	for len(its) < 600 {
		its = append(its, c.Interactions...)
	}
	data, err := cassettes.Marshal(its)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	writeFile(b, cassettes.Path(dir, "ghes-3.8", "session"), data)
	key, err := os.ReadFile("testdata/.redact-key")
	if err != nil {
		b.Fatal(err)
	}
	r := redact.New(key, redact.Options{})
	b.ResetTimer()
	for b.Loop() {
		if _, err := replay.Lint(dir, replay.LintOptions{Redactor: r}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(its)), "µs/interaction")
}
