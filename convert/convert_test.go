package convert_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/convert"
	"github.com/oauthcompat/oauthcompat/internal/harschema"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// example is replay's committed example cassette: a redacted recording of
// check, delete, check and the Authorizations API against the reference
// server, with its key beside it.
const (
	example    = "../replay/testdata/ghes-3.8/example.yaml"
	exampleKey = "../replay/testdata/.redact-key"
)

func load(t *testing.T) []*cassette.Interaction {
	t.Helper()
	c, err := cassettes.Load(example)
	if err != nil {
		t.Fatal(err)
	}
	return c.Interactions
}

// edgeCases are interactions the example does not have: a query, a form
// body, a binary gzip answer, a status without reason, a Set-Cookie, hop-by-
// hop headers.
func edgeCases() []*cassette.Interaction {
	return []*cassette.Interaction{
		{ID: 0, Request: cassette.Request{Method: "GET", URL: "https://ghes.example.com/api/v3/authorizations?per_page=2&page=1",
			Headers: http.Header{"Authorization": {"token gho_16C7e42F292c6912E7710c838347Ae178B4a"}, "Connection": {"keep-alive"}}},
			Response: cassette.Response{Code: 200, Status: "200 OK", Body: "\x1f\x8b\x08\x00binary\xff",
				Headers: http.Header{"Content-Encoding": {"gzip"}, "Link": {`<https://ghes.example.com/api/v3/authorizations?page=2>; rel="next"`}, "Transfer-Encoding": {"chunked"}}}},
		{ID: 1, Request: cassette.Request{Method: "POST", URL: "https://ghes.example.com/login/oauth/access_token",
			Headers: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: "client_id=Iv1.x&code=abc"},
			Response: cassette.Response{Code: 599, Body: "odd", Headers: http.Header{"Set-Cookie": {"s=1; Path=/"}, "Content-Encoding": {"gzip"}}}},
	}
}

// TestHARValidates validates the HAR of the example and of the edge cases
// against the HAR 1.2 JSON Schema.
func TestHARValidates(t *testing.T) {
	schema, err := harschema.Compile("testdata/har-schema")
	if err != nil {
		t.Fatal(err)
	}
	for name, its := range map[string][]*cassette.Interaction{"example": load(t), "edge cases": edgeCases(), "empty": nil} {
		t.Run(name, func(t *testing.T) {
			b, err := convert.HAR(its)
			if err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(doc); err != nil {
				t.Errorf("HAR does not validate: %v", err)
			}
		})
	}
	// The schema is not vacuous: a HAR without a required field fails.
	var broken any
	json.Unmarshal([]byte(`{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"time":0}]}}`), &broken)
	if err := schema.Validate(broken); err == nil {
		t.Error("a HAR entry without request and response validates")
	}
}

// TestHARImportGivesBackTheCassette exports the example as a HAR, imports
// the HAR with the same key into a new cassettes directory, and checks the
// cassette holds the same interactions (what a recording keeps: method,
// URL, request headers but hop-by-hop ones, bodies, status, response
// headers), and that replay answers the same from both.
func TestHARImportGivesBackTheCassette(t *testing.T) {
	key, err := os.ReadFile(exampleKey)
	if err != nil {
		t.Fatal(err)
	}
	orig := load(t)
	b, err := convert.HAR(orig)
	if err != nil {
		t.Fatal(err)
	}
	its, err := convert.FromHAR(b)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store, err := cassettes.OpenStore(dir, "imported", redact.New(key, redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := convert.Import(its, store, convert.ImportOptions{})
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ghes-3.8"}, res.Versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	back, err := cassettes.Load(cassettes.Path(dir, "ghes-3.8", "imported"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(summarize(orig), summarize(back.Interactions)); diff != "" {
		t.Errorf("imported cassette (-exported +imported):\n%s", diff)
	}
}

type summary struct {
	Method, URL, ReqBody, Operation string
	ReqHeader                       http.Header
	Code                            int
	Status, Body                    string
	RespHeader                      http.Header
}

func summarize(its []*cassette.Interaction) []summary {
	clean := func(h http.Header) http.Header {
		out := http.Header{}
		for k, vs := range h {
			switch http.CanonicalHeaderKey(k) {
			case "Content-Length", "Connection", "Transfer-Encoding", cassettes.OperationHeader:
				continue
			}
			out[http.CanonicalHeaderKey(k)] = vs
		}
		return out
	}
	var out []summary
	for _, it := range its {
		out = append(out, summary{
			Method: it.Request.Method, URL: it.Request.URL, ReqBody: it.Request.Body, Operation: it.Request.Headers.Get(cassettes.OperationHeader),
			ReqHeader: clean(it.Request.Headers), Code: it.Response.Code, Status: it.Response.Status, Body: it.Response.Body,
			RespHeader: clean(it.Response.Headers),
		})
	}
	return out
}

// devtoolsHAR is a capture as a browser's devtools saves it: lower-case
// header names, HTTP/2 pseudo-headers, a base64 body, real secrets, and
// requests that are not the OAuth endpoints.
const devtoolsHAR = `{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],"entries":[
 {"startedDateTime":"2024-05-01T10:00:00.000Z","time":12.5,"request":{"method":"GET","url":"https://ghes.example.com/assets/app.js","httpVersion":"http/2.0","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
  "response":{"status":200,"statusText":"","httpVersion":"http/2.0","headers":[],"cookies":[],"content":{"size":3,"mimeType":"text/javascript","text":"1;"},"redirectURL":"","headersSize":-1,"bodySize":3},"cache":{},"timings":{"send":0,"wait":12,"receive":0.5}},
 {"startedDateTime":"2024-05-01T10:00:01.000Z","time":20,"request":{"method":"POST","url":"https://ghes.example.com/api/v3/applications/Iv1.8a61f9b3a7aba766/token","httpVersion":"http/2.0",
   "headers":[{"name":":authority","value":"ghes.example.com"},{"name":":method","value":"POST"},{"name":"authorization","value":"basic SXYxLjhhNjFmOWIzYTdhYmE3NjY6ZjAwZGJhYmUxMjM0NTY3ODkwYWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg=="},{"name":"content-type","value":"application/json"},{"name":"cookie","value":"user_session=s3cr3tsessionvalue"}],
   "queryString":[],"cookies":[],"headersSize":-1,"bodySize":59,"postData":{"mimeType":"application/json","text":"{\"access_token\":\"gho_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A\"}"}},
  "response":{"status":200,"statusText":"","httpVersion":"http/2.0","headers":[{"name":"content-type","value":"application/json; charset=utf-8"},{"name":"content-encoding","value":"gzip"},{"name":"x-github-enterprise-version","value":"3.10.4"},{"name":"set-cookie","value":"user_session=n3wsessionvalue; path=/; secure"}],"cookies":[],
   "content":{"size":120,"mimeType":"application/json","encoding":"base64","text":"eyJpZCI6MSwidG9rZW4iOiJnaG9fYUIzZEU1Zkc3aEo5a0wxbU4zcFE1clM3dFU5dlcxeFkzejVBIiwiaGFzaGVkX3Rva2VuIjoiIiwidG9rZW5fbGFzdF9laWdodCI6IlczeFkzejVBIn0="},
   "redirectURL":"","headersSize":-1,"bodySize":120},"cache":{},"timings":{"send":1,"wait":18,"receive":1}}
]}}`

// TestImportRedactsAsRecordDoes imports a devtools capture holding real
// secrets: only the OAuth endpoint is kept, filed under the version its
// answer names, and the cassette written holds no secret (lint finds
// none, with the key and without, and no secret appears in the file);
// replay with the key answers the real request.
func TestImportRedactsAsRecordDoes(t *testing.T) {
	its, err := convert.FromHAR([]byte(devtoolsHAR))
	if err != nil {
		t.Fatal(err)
	}
	if len(its) != 2 {
		t.Fatalf("%d interactions, want 2", len(its))
	}
	dir := t.TempDir()
	key := bytes.Repeat([]byte{4}, 32)
	store, err := cassettes.OpenStore(dir, "capture", redact.New(key, redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := convert.Import(its, store, convert.ImportOptions{})
	if cerr := store.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped != 1 || res.Added["ghes-3.10"] != 1 {
		t.Errorf("import: %+v, want 1 skipped and 1 under ghes-3.10", res)
	}
	path := cassettes.Path(dir, "ghes-3.10", "capture")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"f00dbabe1234567890abcdef0123456789abcdef", "gho_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A", "s3cr3tsessionvalue", "n3wsessionvalue",
		"SXYxLjhhNjFmOWIzYTdhYmE3NjY6ZjAwZGJhYmUxMjM0NTY3ODkwYWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg", ":authority"} {
		if strings.Contains(string(data), s) {
			t.Errorf("the cassette holds %q", s)
		}
	}
	c, err := cassettes.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Interactions[0].Request.Headers.Get(cassettes.OperationHeader); got != "apps/check-token" {
		t.Errorf("operation %q, want apps/check-token", got)
	}
	if got := c.Interactions[0].Response.Headers.Get("Content-Encoding"); got != "" {
		t.Errorf("Content-Encoding %q kept for a decoded body", got)
	}
	for _, r := range []*redact.Redactor{nil, redact.New(key, redact.Options{})} {
		findings, err := replay.Lint(dir, replay.LintOptions{Redactor: r})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			if f.Kind == replay.FindingSecret {
				t.Errorf("key %v: %s", r != nil, f)
			}
		}
	}
	ix, err := replay.Load(dir, replay.Options{Redactor: redact.New(key, redact.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "http://replay.test/api/v3/applications/Iv1.8a61f9b3a7aba766/token", strings.NewReader(`{"access_token":"gho_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"}`))
	req.SetBasicAuth("Iv1.8a61f9b3a7aba766", "f00dbabe1234567890abcdef0123456789abcdef")
	resp, err := ix.Lookup(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("replay of the imported capture: %d", resp.StatusCode)
	}
}

// TestFromHARRefuses checks what is not a HAR is refused, and an entry
// that cannot be read is reported while the others are kept.
func TestFromHARRefuses(t *testing.T) {
	for _, bad := range []string{``, `[]`, `{"foo":1}`, `not json`} {
		if _, err := convert.FromHAR([]byte(bad)); err == nil {
			t.Errorf("FromHAR(%q) accepted", bad)
		}
	}
	its, err := convert.FromHAR([]byte(`{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"/relative"},"response":{"status":200}},{"request":{"method":"GET","url":"https://x.test/applications/grants"},"response":{"status":200}}]}}`))
	if err == nil || len(its) != 1 || !strings.Contains(err.Error(), "entry 0") {
		t.Errorf("FromHAR with one bad entry: %d interactions, %v", len(its), err)
	}
}

// TestGolden keeps testdata/golden/ equal to the example's exports, so a
// change of any format shows in review (go test ./convert -update).
func TestGolden(t *testing.T) {
	its := append(load(t), edgeCases()...)
	har, err := convert.HAR(its)
	if err != nil {
		t.Fatal(err)
	}
	vcr, err := convert.VCRPy(its)
	if err != nil {
		t.Fatal(err)
	}
	wm, err := convert.WireMock(its, convert.WireMockOptions{Scenario: "example"})
	if err != nil {
		t.Fatal(err)
	}
	files := append([]convert.File{{Path: "example.har", Data: har}, {Path: "example.vcrpy.yaml", Data: vcr}}, prefixed("wiremock", wm)...)
	for _, f := range files {
		path := filepath.Join("testdata", "golden", filepath.FromSlash(f.Path))
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./convert -update)", err)
		}
		if diff := cmp.Diff(string(want), string(f.Data)); diff != "" {
			t.Errorf("%s is stale, run go test ./convert -update (-want +got):\n%s", path, diff)
		}
	}
	var doc map[string]any
	if err := yaml.Unmarshal(vcr, &doc); err != nil || doc["version"] != 1 {
		t.Errorf("VCR.py cassette: version %v, %v", doc["version"], err)
	}
}

func prefixed(dir string, files []convert.File) []convert.File {
	out := make([]convert.File, len(files))
	for i, f := range files {
		out[i] = convert.File{Path: dir + "/" + f.Path, Data: f.Data}
	}
	return out
}

// TestWireMockSequences checks identical requests become one WireMock
// scenario whose states follow the recorded order, that distinct requests
// do not, and that a request without If-None-Match yields to one with it
// (priority 3, not 1).
func TestWireMockSequences(t *testing.T) {
	files, err := convert.WireMock(load(t), convert.WireMockOptions{Scenario: "ex"})
	if err != nil {
		t.Fatal(err)
	}
	type m struct {
		Name, Scenario, Required, New string
		Priority                      int
	}
	var got []m
	for _, f := range files {
		var x struct {
			Name                  string `json:"name"`
			Priority              int    `json:"priority"`
			ScenarioName          string `json:"scenarioName"`
			RequiredScenarioState string `json:"requiredScenarioState"`
			NewScenarioState      string `json:"newScenarioState"`
		}
		if err := json.Unmarshal(f.Data, &x); err != nil {
			t.Fatal(err)
		}
		got = append(got, m{x.Name, x.ScenarioName, x.RequiredScenarioState, x.NewScenarioState, x.Priority})
	}
	want := []m{
		{"apps/check-token 200 (interaction 0)", "ex/sequence-1", "Started", "answer-2", 3},
		{"apps/delete-token 204 (interaction 1)", "", "", "", 3},
		{"apps/check-token 404 (interaction 2)", "ex/sequence-1", "answer-2", "", 3},
	}
	if len(got) < len(want) {
		t.Fatalf("%d mappings", len(got))
	}
	if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
		t.Errorf("mappings (-want +got):\n%s", diff)
	}
}

// TestWireMockHeaderNamesInAnyCase exports a cassette another tool wrote
// with header names in lower case: the mapping still requires the
// recorded credentials, OTP and ETag, and is named after the operation.
func TestWireMockHeaderNamesInAnyCase(t *testing.T) {
	it := &cassette.Interaction{
		Request: cassette.Request{Method: "GET", URL: "https://ghes.example.com/api/v3/authorizations/1", Headers: http.Header{
			"authorization":           {"token gho_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII"},
			"x-github-otp":            {"123456"},
			"if-none-match":           {`"abc"`},
			"x-oauthcompat-operation": {"oauth-authorizations/get-authorization"},
		}},
		Response: cassette.Response{Code: 200, Status: "200 OK", Headers: http.Header{"content-type": {"application/json"}}, Body: `{}`},
	}
	files, err := convert.WireMock([]*cassette.Interaction{it}, convert.WireMockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("%d mappings, want 1", len(files))
	}
	var m struct {
		Name    string `json:"name"`
		Request struct {
			Headers map[string]map[string]any `json:"headers"`
		} `json:"request"`
	}
	if err := json.Unmarshal(files[0].Data, &m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Name, "oauth-authorizations/get-authorization ") {
		t.Errorf("name %q: the operation is not read", m.Name)
	}
	for _, h := range []string{"Authorization", "X-GitHub-OTP", "If-None-Match"} {
		p, ok := m.Request.Headers[h]
		if !ok || p["absent"] == true {
			t.Errorf("%s: pattern %v, want the recorded value required", h, p)
		}
	}
}
