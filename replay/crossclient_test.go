package replay_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
)

// The tests of this file are about clients other than the one that
// recorded: the Authorization spellings they send, the secrets they expect
// back, the URLs they follow, and the fields that change from run to run.

// realSecret and realToken are what a live client sends; the cassettes
// hold their pseudonyms.
const (
	realSecret = "c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b"
	realToken  = "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"
)

// crossKey is the key of the cassettes these tests write.
var crossKey = bytes.Repeat([]byte{5}, 32)

// writeRedacted writes the interactions, redacted with crossKey as the
// recorder would, as DIR/ghes-3.8/NAME.yaml, and returns DIR.
func writeRedacted(t *testing.T, its ...*cassette.Interaction) string {
	t.Helper()
	r := redact.New(crossKey, redact.Options{})
	for _, it := range its {
		r.Interaction(it)
	}
	data, err := cassettes.Marshal(its)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ghes-3.8", "cross.yaml"), data)
	return dir
}

func interaction(method, url string, reqHeader http.Header, reqBody string, status int, respHeader http.Header, respBody string) *cassette.Interaction {
	if respHeader == nil {
		respHeader = http.Header{}
	}
	return &cassette.Interaction{
		Request:  cassette.Request{Method: method, URL: url, Headers: reqHeader, Body: reqBody},
		Response: cassette.Response{Code: status, Headers: respHeader, Body: respBody},
	}
}

// TestAuthorizationSpellings records check-token with Go's spelling of
// Basic credentials and replays it for the spellings other clients send:
// a lower-case scheme (Octokit), base64 without padding, and "Bearer" for
// "token". Each must hit, with the key and by shape; other credentials
// must still miss.
func TestAuthorizationSpellings(t *testing.T) {
	url := "https://ghes.example.com/api/v3/applications/" + clientID + "/token"
	body := `{"access_token":"` + realToken + `"}`
	dir := writeRedacted(t,
		interaction("POST", url, jsonHeader(http.Header{"Authorization": {basic(clientID, realSecret)}}), body, 200, jsonHeader(nil), `{"ok":"basic"}`),
		interaction("GET", "https://ghes.example.com/api/v3/authorizations", http.Header{"Authorization": {"token " + realToken}}, "", 200, jsonHeader(nil), `{"ok":"token"}`),
	)
	raw := base64.StdEncoding.EncodeToString([]byte(clientID + ":" + realSecret))
	unpadded := base64.RawStdEncoding.EncodeToString([]byte(clientID + ":" + realSecret))
	if raw == unpadded {
		t.Fatal("the credentials need padding for this test")
	}
	tests := []struct {
		name, auth string
		get        bool
		want       int
	}{
		{"Basic as recorded", "Basic " + raw, false, 200},
		{"basic in lower case (Octokit)", "basic " + raw, false, 200},
		{"BASIC in upper case", "BASIC " + raw, false, 200},
		{"base64 without padding", "Basic " + unpadded, false, 200},
		{"white space around", "  Basic   " + raw + " ", false, 200},
		{"another client secret", basic(clientID, "0000000000000000000000000000000000000000"), false, 501},
		{"token as recorded", "token " + realToken, true, 200},
		{"Bearer for token", "Bearer " + realToken, true, 200},
		{"bearer in lower case", "bearer " + realToken, true, 200},
		{"another token", "token gho_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII", true, 501},
	}
	inBothModes(t, dir, func(mode string, ix *replay.Index) {
		for _, tc := range tests {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				want := shapeWant(mode, tc.name, tc.want)
				c := call{"POST", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {tc.auth}}, body}
				if tc.get {
					c = call{"GET", "/api/v3/authorizations", http.Header{"Authorization": {tc.auth}}, ""}
				}
				got := do(t, ix, c, nil, realSecret, realToken)
				if got.Status != want {
					t.Errorf("%s: status %d, want %d", tc.auth[:min(len(tc.auth), 12)], got.Status, want)
				}
			})
		}
	})
}

// inBothModes loads dir with crossKey and by shape (no key), and calls fn
// with each index and the mode's name.
func inBothModes(t *testing.T, dir string, fn func(mode string, ix *replay.Index)) {
	t.Helper()
	for _, mode := range []struct {
		name string
		r    *redact.Redactor
	}{{"with key", redact.New(crossKey, redact.Options{})}, {"by shape", nil}} {
		ix, err := replay.Load(dir, replay.Options{Redactor: mode.r})
		if err != nil {
			t.Fatal(err)
		}
		fn(mode.name, ix)
	}
}

// shapeWant is the status a case named name expects in mode: by shape,
// another secret of the same shape matches as the recorded one does.
func shapeWant(mode, name string, want int) int {
	if mode == "by shape" && strings.Contains(name, "another") {
		return 200
	}
	return want
}

// TestUnredactedRecordingWithKey loads, with the key, a cassette another
// tool recorded unredacted, its header names in lower case and secrets in
// headers replay does not compare: what replay compares (credentials, OTP,
// If-None-Match, the body read by its Content-Type) still tells requests
// apart, and the real secrets sent hit.
func TestUnredactedRecordingWithKey(t *testing.T) {
	dir := t.TempDir()
	base := "https://ghes.example.com/api/v3"
	writeCassette(t, filepath.Join(dir, "ghes-3.8", "vcr.yaml"),
		rec{"POST", base + "/applications/" + clientID + "/token",
			http.Header{"authorization": {basic(clientID, realSecret)}, "content-type": {"application/json"}, "x-api-key": {realToken}, "user-agent": {"vcr"}},
			`{"access_token":"` + realToken + `"}`, 200, nil, `{"ok":"check"}`},
		rec{"GET", base + "/authorizations", http.Header{"authorization": {"token " + realToken}, "x-github-otp": {"123456"}}, "", 200, nil, `{"ok":"otp"}`},
		rec{"GET", base + "/authorizations/1", http.Header{"authorization": {"token " + realToken}, "if-none-match": {`"abc"`}}, "", 200, nil, `{"ok":"etag"}`},
	)
	tok := http.Header{"Authorization": {"token " + realToken}}
	with := func(h http.Header, k, v string) http.Header {
		h = h.Clone()
		h.Set(k, v)
		return h
	}
	tests := []struct {
		name string
		c    call
		want int
	}{
		{"check with the real secret", call{"POST", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {basic(clientID, realSecret)}}, `{"access_token":"` + realToken + `"}`}, 200},
		{"check with another secret", call{"POST", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {basic(clientID, "0000000000000000000000000000000000000000")}}, `{"access_token":"` + realToken + `"}`}, 501},
		{"check of another token", call{"POST", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {basic(clientID, realSecret)}}, `{"access_token":"gho_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII"}`}, 501},
		{"with an OTP", call{"GET", "/api/v3/authorizations", with(tok, "X-GitHub-OTP", "123456"), ""}, 200},
		{"with an OTP, names in lower case", call{"GET", "/api/v3/authorizations", http.Header{"authorization": {"token " + realToken}, "x-github-otp": {"654321"}}, ""}, 200},
		{"without the OTP", call{"GET", "/api/v3/authorizations", tok, ""}, 501},
		{"with the ETag", call{"GET", "/api/v3/authorizations/1", with(tok, "If-None-Match", `"abc"`), ""}, 200},
		{"without the ETag", call{"GET", "/api/v3/authorizations/1", tok, ""}, 501},
	}
	inBothModes(t, dir, func(mode string, ix *replay.Index) {
		for _, tc := range tests {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				want := shapeWant(mode, tc.name, tc.want)
				if got := do(t, ix, tc.c, nil, realSecret, realToken); got.Status != want {
					t.Errorf("status %d, want %d (miss: %v)", got.Status, want, got.Miss)
				}
			})
		}
	})
}

// TestRehydration replays, with the key, answers that hold the pseudonym
// of a token the live request carries: in the body (check), in the legacy
// path, and in a header. The real token comes back, with hashed_token and
// token_last_eight recomputed from it, as the server would have answered;
// a token the request did not carry (reset's new one) stays a pseudonym.
// Without the key the answer is as recorded.
func TestRehydration(t *testing.T) {
	r := redact.New(crossKey, redact.Options{})
	fresh := "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"
	base := "https://ghes.example.com/api/v3/applications/" + clientID
	app := func() http.Header { return jsonHeader(http.Header{"Authorization": {basic(clientID, realSecret)}}) }
	authz := func(tok string) string {
		return `{"id":1,"token":"` + tok + `","hashed_token":"` + sha(tok) + `","token_last_eight":"` + tok[len(tok)-8:] + `","note":null}`
	}
	dir := writeRedacted(t,
		interaction("POST", base+"/token", app(), `{"access_token":"`+realToken+`"}`, 200, jsonHeader(nil), authz(realToken)),
		interaction("PATCH", base+"/token", app(), `{"access_token":"`+realToken+`"}`, 200, jsonHeader(nil), authz(fresh)),
		interaction("GET", base+"/tokens/"+realToken, app(), "", 200, jsonHeader(http.Header{"X-Token-Echo": {realToken}}), authz(realToken)),
		interaction("GET", "https://ghes.example.com/api/v3/authorizations/1", http.Header{"Authorization": {"token " + realToken}}, "", 200, jsonHeader(nil), authz(realToken)),
	)
	tests := []struct {
		name string
		c    call
		r    *redact.Redactor
		want answer
	}{
		{"check with key: the token sent comes back", call{"POST", "/api/v3/applications/" + clientID + "/token", app(), `{"access_token": "` + realToken + `"}`}, r,
			answer{Status: 200, Body: authz(realToken), Header: map[string]string{"X-Token-Echo": ""}}},
		{"reset with key: the new token stays a pseudonym", call{"PATCH", "/api/v3/applications/" + clientID + "/token", app(), `{"access_token":"` + realToken + `"}`}, r,
			answer{Status: 200, Body: authz(r.Token(fresh)), Header: map[string]string{"X-Token-Echo": ""}}},
		{"legacy path with key: body and header", call{"GET", "/api/v3/applications/" + clientID + "/tokens/" + realToken, app(), ""}, r,
			answer{Status: 200, Body: authz(realToken), Header: map[string]string{"X-Token-Echo": realToken}}},
		{"token in Authorization with key", call{"GET", "/api/v3/authorizations/1", http.Header{"Authorization": {"token " + realToken}}, ""}, r,
			answer{Status: 200, Body: authz(realToken), Header: map[string]string{"X-Token-Echo": ""}}},
		{"token in authorization, set in lower case, with key", call{"GET", "/api/v3/authorizations/1", http.Header{"authorization": {"token " + realToken}}, ""}, r,
			answer{Status: 200, Body: authz(realToken), Header: map[string]string{"X-Token-Echo": ""}}},
		{"check by shape: as recorded", call{"POST", "/api/v3/applications/" + clientID + "/token", app(), `{"access_token":"` + realToken + `"}`}, nil,
			answer{Status: 200, Body: authz(r.Token(realToken)), Header: map[string]string{"X-Token-Echo": ""}}},
		{"check with key, the pseudonym sent: as recorded", call{"POST", "/api/v3/applications/" + clientID + "/token", app(), `{"access_token":"` + r.Token(realToken) + `"}`}, r,
			answer{Status: 200, Body: authz(r.Token(realToken)), Header: map[string]string{"X-Token-Echo": ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := replay.Load(dir, replay.Options{Redactor: tc.r})
			if err != nil {
				t.Fatal(err)
			}
			got := do(t, ix, tc.c, tc.want.Header)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestURLRewrite replays answers whose body and Location, Link and
// Content-Location headers point at the recording server: they point at the
// origin the request was sent to, unless KeepURLs. An origin that merely
// starts with the recorded one (another port) and a recorded upstream
// failure are left alone.
func TestURLRewrite(t *testing.T) {
	rec := "https://ghes.example.com"
	dir := writeRedacted(t,
		interaction("GET", rec+"/api/v3/authorizations/1", http.Header{"Authorization": {basic("octocat", "pw")}}, "", 200,
			http.Header{"Content-Type": {"application/json"}, "Link": {`<` + rec + `/api/v3/authorizations?page=2>; rel="next"`},
				"Location": {rec + "/api/v3/authorizations/1"}, "Content-Location": {rec + "/x"}, "X-Other": {rec}},
			`{"url":"`+rec+`/api/v3/authorizations/1","app":{"url":"https://ghes.example.com:8443/x"},"html":"`+rec+`"}`),
		interaction("GET", rec+"/api/v3/authorizations/2", http.Header{"Authorization": {basic("octocat", "pw")}}, "", 502,
			http.Header{"Content-Type": {"application/json"}, cassettes.ErrorHeader: {"dial tcp: refused"}},
			`{"message":"oauthcompat: upstream `+rec+` did not answer"}`),
	)
	hdrs := map[string]string{"Link": "", "Location": "", "Content-Location": "", "X-Other": ""}
	tests := []struct {
		name string
		keep bool
		path string
		want answer
	}{
		{"rewritten", false, "/api/v3/authorizations/1", answer{Status: 200,
			Body: `{"url":"http://replay.test/api/v3/authorizations/1","app":{"url":"https://ghes.example.com:8443/x"},"html":"http://replay.test"}`,
			Header: map[string]string{"Link": `<http://replay.test/api/v3/authorizations?page=2>; rel="next"`, "Location": "http://replay.test/api/v3/authorizations/1",
				"Content-Location": "http://replay.test/x", "X-Other": rec}}},
		{"kept", true, "/api/v3/authorizations/1", answer{Status: 200,
			Body: `{"url":"` + rec + `/api/v3/authorizations/1","app":{"url":"https://ghes.example.com:8443/x"},"html":"` + rec + `"}`,
			Header: map[string]string{"Link": `<` + rec + `/api/v3/authorizations?page=2>; rel="next"`, "Location": rec + "/api/v3/authorizations/1",
				"Content-Location": rec + "/x", "X-Other": rec}}},
		{"upstream failure as recorded", false, "/api/v3/authorizations/2", answer{Status: 502,
			Body: `{"message":"oauthcompat: upstream ` + rec + ` did not answer"}`, Header: map[string]string{"Link": "", "Location": "", "Content-Location": "", "X-Other": ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := replay.Load(dir, replay.Options{KeepURLs: tc.keep})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ { // the second answer comes from the cache
				got := do(t, ix, call{"GET", tc.path, http.Header{"Authorization": {basic("octocat", "pw")}}, ""}, hdrs)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("answer %d (-want +got):\n%s", i+1, diff)
				}
			}
		})
	}
	// Over HTTP the origin is the replay server's own.
	srv, err := replay.NewServer(dir, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	got := do(t, toServer{srv.URL()}, call{"GET", "/api/v3/authorizations/1", http.Header{"Authorization": {basic("octocat", "pw")}}, ""}, map[string]string{"Location": ""})
	if want := srv.URL() + "/api/v3/authorizations/1"; got.Header["Location"] != want {
		t.Errorf("Location over HTTP = %q, want %q", got.Header["Location"], want)
	}
}

// TestMatchOptions relaxes matching the ways Options.Match offers, and
// checks both sides: what now matches, and that a miss still names the
// field that differs.
func TestMatchOptions(t *testing.T) {
	base := "https://ghes.example.com/api/v3"
	user := http.Header{"Authorization": {basic("octocat", "pw")}, "Content-Type": {"application/json"}}
	dir := writeRedacted(t,
		interaction("POST", base+"/authorizations?ts=111&page=1", user.Clone(), `{"note":"ci-1","nonce":"abc","scopes":["repo"],"meta":{"run":7,"host":"a"},"list":[{"id":1,"at":"t1"}]}`, 201, jsonHeader(nil), `{"id":1}`),
		interaction("POST", base+"/authorizations/form", http.Header{"Authorization": {basic("octocat", "pw")}, "Content-Type": {"application/x-www-form-urlencoded"}}, `note=ci-1&nonce=abc`, 201, jsonHeader(nil), `{"id":2}`),
		interaction("GET", base+"/authorizations/3", http.Header{"Authorization": {basic("octocat", "pw")}, "X-Github-Otp": {"123456"}, "If-None-Match": {`"e1"`}}, "", 304, nil, ""),
	)
	pat := func(s string) replay.FieldPattern {
		p, err := replay.ParseFieldPattern(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	post := func(query, body string) call {
		return call{"POST", "/api/v3/authorizations" + query, user.Clone(), body}
	}
	recorded := `{"note":"ci-1","nonce":"abc","scopes":["repo"],"meta":{"run":7,"host":"a"},"list":[{"id":1,"at":"t1"}]}`
	changed := `{"note":"ci-42","nonce":"xyz","scopes":["repo"],"meta":{"run":9,"host":"a"},"list":[{"id":1,"at":"t2"}]}`
	all := replay.Match{
		IgnoreQuery:   []string{"ts"},
		IgnoreFields:  []string{"nonce", "/meta/run", "/list/*/at"},
		FieldPatterns: []replay.FieldPattern{pat(`/note=^ci-[0-9]+$`)},
	}
	tests := []struct {
		name  string
		match replay.Match
		c     call
		want  int
		miss  []string
	}{
		{"exact", replay.Match{}, post("?ts=111&page=1", recorded), 201, nil},
		{"nothing relaxed: a changed body misses", replay.Match{}, post("?ts=111&page=1", changed), 501,
			[]string{"body/list/0/at", "body/meta/run", "body/nonce", "body/note"}},
		{"nothing relaxed: a changed query misses", replay.Match{}, post("?ts=222&page=1", recorded), 501, []string{"query.ts"}},
		{"query, fields and pattern relaxed", all, post("?ts=222&page=1", changed), 201, nil},
		{"ignored query parameter absent", all, post("?page=1", changed), 201, nil},
		{"ignored field absent", all, post("?page=1", `{"note":"ci-3","scopes":["repo"],"meta":{"host":"a"},"list":[{"id":1}]}`), 201, nil},
		{"pattern not matched: the miss names the field", all, post("?page=1", `{"note":"release","scopes":["repo"],"meta":{"host":"a"},"list":[{"id":1}]}`), 501, []string{"body/note"}},
		{"pattern field absent", all, post("?page=1", `{"scopes":["repo"],"meta":{"host":"a"},"list":[{"id":1}]}`), 501, []string{"body/note"}},
		{"a field not relaxed still counts", all, post("?page=1", `{"note":"ci-3","scopes":["admin"],"meta":{"host":"a"},"list":[{"id":1}]}`), 501, []string{"body/scopes/0"}},
		{"a relaxed query does not hide another", all, post("?page=2", changed), 501, []string{"query.page"}},
		{"form fields relaxed", all, call{"POST", "/api/v3/authorizations/form", http.Header{"Authorization": {basic("octocat", "pw")}, "Content-Type": {"application/x-www-form-urlencoded"}}, `note=ci-9&nonce=zzz`}, 201, nil},
		{"form pattern not matched", all, call{"POST", "/api/v3/authorizations/form", http.Header{"Authorization": {basic("octocat", "pw")}, "Content-Type": {"application/x-www-form-urlencoded"}}, `note=x&nonce=zzz`}, 501, []string{"body/note"}},
		{"headers compared", replay.Match{}, call{"GET", "/api/v3/authorizations/3", http.Header{"Authorization": {basic("hubot", "pw")}}, ""}, 501,
			[]string{"header.Authorization", "header.X-GitHub-OTP", "header.If-None-Match"}},
		{"headers ignored", replay.Match{IgnoreHeaders: []string{"authorization", "X-GitHub-OTP", "if-none-match", "User-Agent"}},
			call{"GET", "/api/v3/authorizations/3", http.Header{"Authorization": {basic("hubot", "pw")}}, ""}, 304, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := replay.Load(dir, replay.Options{Match: tc.match})
			if err != nil {
				t.Fatal(err)
			}
			got := do(t, ix, tc.c, nil, "pw")
			if got.Status != tc.want {
				t.Errorf("status %d, want %d", got.Status, tc.want)
			}
			if diff := cmp.Diff(tc.miss, got.Miss); diff != "" {
				t.Errorf("miss fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMatchOptionsRefused checks that what cannot mean anything is refused
// when loading, not ignored.
func TestMatchOptionsRefused(t *testing.T) {
	dir := writeRedacted(t, interaction("GET", "https://ghes.example.com/api/v3/authorizations", nil, "", 200, nil, "[]"))
	for _, tc := range []struct {
		name string
		m    replay.Match
	}{
		{"empty header", replay.Match{IgnoreHeaders: []string{" "}}},
		{"empty query", replay.Match{IgnoreQuery: []string{""}}},
		{"empty field", replay.Match{IgnoreFields: []string{""}}},
		{"root pointer", replay.Match{IgnoreFields: []string{"/"}}},
		{"pattern without expression", replay.Match{FieldPatterns: []replay.FieldPattern{{Field: "/note"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := replay.Load(dir, replay.Options{Match: tc.m}); err == nil {
				t.Error("loaded")
			}
		})
	}
	for _, s := range []string{"", "/note", "=x", "/note=(", "/note"} {
		if _, err := replay.ParseFieldPattern(s); err == nil {
			t.Errorf("ParseFieldPattern(%q) accepted", s)
		}
	}
	p, err := replay.ParseFieldPattern("/note=^a=b$")
	if err != nil || p.Field != "/note" || p.Pattern.String() != "^a=b$" || p.String() != "/note=^a=b$" {
		t.Errorf("ParseFieldPattern(/note=^a=b$) = %v, %v", p, err)
	}
}

// TestGoGitHubReplaysAnotherClient records a session sent the way
// Octokit sends it (the scheme "basic" in lower case, lower-case header
// names, JSON with spaces) through the recorder, then replays it with the
// key to google/go-github, which sends "Basic" and compact JSON: every call gets the recorded status, the check
// answer holds the token go-github sent, and nothing misses.
func TestGoGitHubReplaysAnotherClient(t *testing.T) {
	dir := t.TempDir()
	ref := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	store, err := cassettes.OpenStore(dir, "octokit-like", redact.New(crossKey, redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: "ghes-3.8"})
	if err != nil {
		t.Fatal(err)
	}
	app := reference.DefaultFixtures().Apps[0]
	token := reference.DefaultFixtures().Tokens[0].Value
	auth := "basic " + base64.StdEncoding.EncodeToString([]byte(app.ClientID+":"+app.ClientSecret))
	send := func(method, tok string) (int, string) {
		req, _ := http.NewRequest(method, ref.URL+"/api/v3/applications/"+app.ClientID+"/token", strings.NewReader(`{ "access_token": "`+tok+`" }`))
		req.Header.Set("authorization", auth)
		req.Header.Set("content-type", "application/json; charset=utf-8")
		req.Header.Set("user-agent", "octokit-rest.js/22.0.1")
		resp, err := (&http.Client{Transport: rec}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a struct {
			Token string `json:"token"`
		}
		json.NewDecoder(resp.Body).Decode(&a)
		return resp.StatusCode, a.Token
	}
	var live []int
	code, _ := send("POST", token)
	live = append(live, code)
	code, fresh := send("PATCH", token)
	live = append(live, code)
	code, _ = send("POST", token)
	live = append(live, code)
	code, _ = send("DELETE", fresh)
	live = append(live, code)
	code, _ = send("POST", fresh)
	live = append(live, code)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{200, 200, 404, 204, 404}, live); diff != "" {
		t.Fatalf("the recorded session (-want +got):\n%s", diff)
	}

	srv, err := replay.NewServer(dir, replay.Options{Redactor: redact.New(crossKey, redact.Options{}), Exhausted: replay.ExhaustedError})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	got := ghSession(t, srv.URL()+"/", http.DefaultTransport, token)
	var statuses []int
	for _, o := range got {
		statuses = append(statuses, o.Status)
	}
	if diff := cmp.Diff(live, statuses); diff != "" {
		t.Errorf("go-github against the replay (-recorded +go-github):\n%s", diff)
	}
	if got[0].Token != token {
		t.Errorf("check answered token %q, want the token sent", got[0].Token)
	}
	if m := srv.Index.Misses(); len(m) > 0 {
		t.Errorf("%d misses, first: %s", len(m), m[0].Message)
	}
}
