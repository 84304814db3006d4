package redact_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

const (
	clientID     = "Iv1.8a61f9b3a7aba766"
	clientSecret = "1f8e2b6c4d9a0e7f3b5c8d1a2e4f6b9c0d3e5f7a"
	gho          = "gho_16C7e42F292c6912E7710c838347Ae178B4a"
	ghu          = "ghu_ABCdefGHIjklMNOpqrSTUvwxYZ0123456789"
	ghp          = "ghp_zzzzYYYYxxxxWWWWvvvvUUUUttttSSSSrrrr"
	pat          = "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab"
	legacyToken  = "e72e16c7e42f292c6912e7710c838347ae178b4a"
	patNoGH      = "github_pat_11AAAAAAA0AAAAAAAAAAAAAA_xyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxyzxy" // no "gh" nor 40 hex digits
	password     = "correct-horse-battery"
	otp          = "123456"
	session      = "Zm9vYmFyYmF6cXV4cXV1eA"
)

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

func marshal(t testing.TB, i *cassette.Interaction) string {
	t.Helper()
	b, err := yaml.Marshal(i)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func clone(t testing.TB, i *cassette.Interaction) *cassette.Interaction {
	t.Helper()
	b, err := json.Marshal(i)
	if err != nil {
		t.Fatal(err)
	}
	var out cassette.Interaction
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func req(method, u string, h http.Header, body string) cassette.Request {
	if h == nil {
		h = http.Header{}
	}
	return cassette.Request{Method: method, URL: u, Headers: h, Body: body, ContentLength: int64(len(body))}
}

// TestRedactSecretShapes checks each secret shape: gone from the cassette
// bytes, pseudonyms stable and idempotent.
func TestRedactSecretShapes(t *testing.T) {
	tests := []struct {
		name    string
		in      cassette.Interaction
		secrets []string
		keep    []string // must survive (readable, not secret)
	}{
		{
			name:    "basic client credentials",
			in:      cassette.Interaction{Request: req("POST", "https://api.github.com/applications/"+clientID+"/token", http.Header{"Authorization": {"Basic " + basic(clientID, clientSecret)}}, `{"access_token":"`+gho+`"}`)},
			secrets: []string{clientSecret, gho, basic(clientID, clientSecret)},
			keep:    []string{clientID},
		},
		{
			name:    "basic lower case",
			in:      cassette.Interaction{Request: req("GET", "https://ghe.example.com/api/v3/authorizations", http.Header{"Authorization": {"basic " + basic("octocat", password)}}, "")},
			secrets: []string{password, basic("octocat", password)},
			keep:    []string{"basic "},
		},
		{
			name:    "basic upper case",
			in:      cassette.Interaction{Request: req("GET", "https://ghe.example.com/api/v3/authorizations", http.Header{"Authorization": {"BASIC " + basic(clientID, clientSecret)}}, "")},
			secrets: []string{clientSecret, basic(clientID, clientSecret)},
		},
		{
			name:    "token scheme",
			in:      cassette.Interaction{Request: req("GET", "https://api.github.com/user", http.Header{"Authorization": {"token " + ghp}}, "")},
			secrets: []string{ghp},
			keep:    []string{"token ghp_"},
		},
		{
			name:    "bearer scheme any case",
			in:      cassette.Interaction{Request: req("GET", "https://api.github.com/user", http.Header{"authorization": {"bEaReR " + pat}}, "")},
			secrets: []string{pat},
			keep:    []string{"bEaReR github_pat_"},
		},
		{
			name:    "otp and cookie",
			in:      cassette.Interaction{Request: req("POST", "https://ghe.example.com/api/v3/authorizations", http.Header{"X-Github-Otp": {otp}, "Cookie": {"user_session=" + session + "; logged_in=yes"}}, `{"scopes":["repo"],"note":"ci"}`)},
			secrets: []string{session},
			keep:    []string{"user_session=", "logged_in="},
		},
		{
			name: "json body secrets",
			in: cassette.Interaction{Request: req("PUT", "https://ghe.example.com/api/v3/authorizations/clients/"+clientID,
				http.Header{"Content-Type": {"application/json"}},
				`{"client_secret": "`+clientSecret+`", "password": "`+password+`", "token": "`+ghu+`", "note": "uses `+ghp+` inline"}`)},
			secrets: []string{clientSecret, password, ghu, ghp},
			keep:    []string{`"note": "uses ghp_`, clientID},
		},
		{
			name: "form body",
			in: cassette.Interaction{Request: func() cassette.Request {
				r := req("POST", "https://github.com/login/oauth/access_token", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
					"client_id="+clientID+"&client_secret="+clientSecret+"&password="+url.QueryEscape("p@ss word&x"))
				r.Form = url.Values{"client_id": {clientID}, "client_secret": {clientSecret}, "password": {"p@ss word&x"}}
				return r
			}()},
			secrets: []string{clientSecret, "p@ss word&x", url.QueryEscape("p@ss word&x")},
			keep:    []string{"client_id=" + clientID},
		},
		{
			name:    "query parameters",
			in:      cassette.Interaction{Request: req("GET", "https://api.github.com/applications/"+clientID+"/tokens/x?client_id="+clientID+"&client_secret="+clientSecret+"&access_token="+legacyToken, nil, "")},
			secrets: []string{clientSecret, legacyToken},
		},
		{
			name:    "legacy path token",
			in:      cassette.Interaction{Request: req("GET", "https://ghe.example.com/api/v3/applications/"+clientID+"/tokens/"+legacyToken, nil, "")},
			secrets: []string{legacyToken},
			keep:    []string{"/api/v3/applications/" + clientID + "/tokens/"},
		},
		{
			name:    "legacy path token of any shape",
			in:      cassette.Interaction{Request: req("DELETE", "https://api.github.com/applications/"+clientID+"/grants/notshapedlikeatoken42", nil, "")},
			secrets: []string{"notshapedlikeatoken42"},
		},
		{
			name:    "url user info",
			in:      cassette.Interaction{Request: req("GET", "https://octocat:"+password+"@ghe.example.com/api/v3/authorizations", nil, "")},
			secrets: []string{password},
		},
		{
			name: "response token and derived fields",
			in: cassette.Interaction{
				Request: req("POST", "https://api.github.com/applications/"+clientID+"/token", nil, ""),
				Response: cassette.Response{Code: 200, Headers: http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"_gh_sess=" + session + "; path=/; HttpOnly"}},
					Body: `{"id":1,"token":"` + gho + `","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `","app":{"client_id":"` + clientID + `"}}`},
			},
			secrets: []string{gho, sha(gho), session, gho[len(gho)-8:]},
			keep:    []string{clientID, "path=/; HttpOnly"},
		},
		{
			name: "json body sent as a form (curl -d)",
			in: cassette.Interaction{Request: func() cassette.Request {
				body := `{"client_id":"` + clientID + `","client_secret":"` + password + `","note":"a=b"}`
				r := req("POST", "https://ghe.example.com/api/v3/authorizations", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, body)
				r.Form, _ = url.ParseQuery(body) // as the recorder and go-vcr store it
				return r
			}()},
			secrets: []string{password},
			keep:    []string{`"client_id":"` + clientID + `"`},
		},
		{
			name: "form key holding json text",
			in: cassette.Interaction{Request: func() cassette.Request {
				r := req("POST", "https://ghe.example.com/api/v3/authorizations", nil, "")
				r.Form = url.Values{`{"password":"` + password + `","note":"x`: {`y"}`}}
				return r
			}()},
			secrets: []string{password},
		},
		{
			name:    "malformed json request",
			in:      cassette.Interaction{Request: req("POST", "https://ghe.example.com/api/v3/authorizations", http.Header{"Content-Type": {"application/json"}}, `{"client_secret":"`+clientSecret+`","password":"`+password+`","scopes":[`)},
			secrets: []string{clientSecret, password},
			keep:    []string{`"scopes":[`},
		},
		{
			name:    "malformed json, quotes confused",
			in:      cassette.Interaction{Request: req("POST", "https://ghe.example.com/api/v3/authorizations", http.Header{"Content-Type": {"application/json"}}, `{"note":"it"s", "password":"`+password+`"}`)},
			secrets: []string{password},
		},
		{
			name: "response cut at the recording cap",
			in: cassette.Interaction{
				Request: req("GET", "https://ghe.example.com/api/v3/authorizations", nil, ""),
				Response: cassette.Response{Code: 200, Headers: http.Header{"Content-Type": {"application/json"}, "X-Oauthcompat-Truncated": {"stored 120 of 9000 bytes"}},
					Body: `[{"id":1,"token":"","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `"},{"id":2,"token":"","hashed_token":"` + sha(ghu)},
			},
			secrets: []string{sha(gho), sha(ghu), gho[len(gho)-8:]},
			keep:    []string{`[{"id":1,"token":"","hashed_token":"`},
		},
		{
			name: "response cut inside a token",
			in: cassette.Interaction{
				Request:  req("POST", "https://api.github.com/applications/"+clientID+"/token", nil, ""),
				Response: cassette.Response{Code: 200, Headers: http.Header{"Content-Type": {"application/json"}}, Body: `{"id":1,"token":"` + gho[:18]},
			},
			secrets: []string{gho[4:18]},
		},
		{
			name: "64 hex digits whose name was cut off",
			in: cassette.Interaction{
				Request:  req("GET", "https://ghe.example.com/api/v3/authorizations", nil, ""),
				Response: cassette.Response{Code: 200, Headers: http.Header{"Content-Type": {"application/json"}}, Body: `["` + sha(gho) + `","` + strings.ToUpper(sha(ghp)) + `",`},
			},
			secrets: []string{sha(gho), strings.ToUpper(sha(ghp))},
		},
		{
			name:    "secret nested under a secret member",
			in:      cassette.Interaction{Request: req("PUT", "https://ghe.example.com/api/v3/authorizations/clients/"+clientID, http.Header{"Content-Type": {"application/json"}}, `{"client_secret":{"v":"`+clientSecret+`","w":["`+password+`",12345678]},"password":[{"x":"hunter2!"}],"note":"n"}`)},
			secrets: []string{clientSecret, password, "hunter2!", "12345678"},
			keep:    []string{`"note":"n"`, `{"v":"`},
		},
		{
			name:    "token-shaped member name",
			in:      cassette.Interaction{Request: req("POST", "https://ghe.example.com/api/v3/authorizations", http.Header{"Content-Type": {"application/json"}}, `{"`+ghp+`":1}`)},
			secrets: []string{ghp},
		},
		{
			name:    "legacy path token, a method no operation has",
			in:      cassette.Interaction{Request: req("PUT", "https://ghe.example.com/api/v3/applications/"+clientID+"/tokens/notshapedlikeatoken42", nil, "")},
			secrets: []string{"notshapedlikeatoken42"},
			keep:    []string{"/applications/" + clientID + "/tokens/"},
		},
		{
			name: "legacy path token, any method, no /api/v3",
			in: cassette.Interaction{Request: func() cassette.Request {
				r := req("PATCH", "https://api.github.com/applications/"+clientID+"/grants/notshapedlikeatoken42", nil, "")
				r.RequestURI = "/applications/" + clientID + "/grants/notshapedlikeatoken42"
				return r
			}()},
			secrets: []string{"notshapedlikeatoken42"},
		},
		{
			name:    "query with semicolons",
			in:      cassette.Interaction{Request: req("GET", "https://api.github.com/applications/"+clientID+"/token?a=1;client_secret="+password+";x=y&b=2;access_token=sec;ret42", nil, "")},
			secrets: []string{password, "sec;ret42", "ret42"},
			keep:    []string{"a=1;client_secret=", "b=2;access_token="},
		},
		{
			name:    "fine-grained token in free text",
			in:      cassette.Interaction{Request: req("POST", "https://example.com/api/v3/authorizations?note="+patNoGH, http.Header{"Content-Type": {"application/json"}, "X-Note": {"uses " + patNoGH}}, `{"note":"uses `+patNoGH+`"}`)},
			secrets: []string{patNoGH},
			keep:    []string{"uses github_pat_"},
		},
		{
			name:    "authorization without a scheme",
			in:      cassette.Interaction{Request: req("GET", "https://api.github.com/user", http.Header{"Authorization": {"notshapedlikeatoken42"}, "Proxy-Authorization": {"part1secret part2secret"}}, "")},
			secrets: []string{"notshapedlikeatoken42", "part1secret", "part2secret"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := redact.New(testKey, redact.Options{})
			got := clone(t, &tc.in)
			r.Interaction(got)
			out := marshal(t, got)
			for _, s := range tc.secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %q survives in:\n%s", s, out)
				}
			}
			for _, s := range tc.keep {
				if !strings.Contains(out, s) {
					t.Errorf("%q should stay readable in:\n%s", s, out)
				}
			}
			// Stable: a fresh Redactor with the same key gives the same bytes.
			again := clone(t, &tc.in)
			redact.New(testKey, redact.Options{}).Interaction(again)
			if diff := cmp.Diff(out, marshal(t, again)); diff != "" {
				t.Errorf("not stable (-first +second):\n%s", diff)
			}
			// Idempotent: redacting the output changes nothing.
			twice := clone(t, got)
			r.Interaction(twice)
			if diff := cmp.Diff(out, marshal(t, twice)); diff != "" {
				t.Errorf("not idempotent (-once +twice):\n%s", diff)
			}
			if got.Request.Body != "" && got.Request.ContentLength != int64(len(got.Request.Body)) {
				t.Errorf("request content_length %d, body has %d bytes", got.Request.ContentLength, len(got.Request.Body))
			}
		})
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestResponseDerivedFields checks hashed_token and token_last_eight follow
// the token's pseudonym, and that an object showing only the hash (GitHub
// blanks token after creation) gets a pseudonymous hash of its own.
func TestResponseDerivedFields(t *testing.T) {
	r := redact.New(testKey, redact.Options{})
	resp := cassette.Response{Code: 201, Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Content-Length": {"0"}},
		Body: `{"token":"` + gho + `","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `"}`}
	resp.ContentLength = int64(len(resp.Body))
	r.Response(&resp)
	var m map[string]string
	if err := json.Unmarshal([]byte(resp.Body), &m); err != nil {
		t.Fatal(err)
	}
	p := m["token"]
	if want := r.Token(gho); p != want {
		t.Fatalf("token = %q, want Token(real) = %q", p, want)
	}
	if m["hashed_token"] != sha(p) {
		t.Errorf("hashed_token = %q, want SHA-256 of the pseudonym %q", m["hashed_token"], sha(p))
	}
	if m["token_last_eight"] != p[len(p)-8:] {
		t.Errorf("token_last_eight = %q, want %q", m["token_last_eight"], p[len(p)-8:])
	}
	if resp.ContentLength != int64(len(resp.Body)) || resp.Headers.Get("Content-Length") != itoa(len(resp.Body)) {
		t.Errorf("lengths not fixed: content_length %d, header %q, body %d", resp.ContentLength, resp.Headers.Get("Content-Length"), len(resp.Body))
	}

	list := cassette.Response{Code: 200, Headers: http.Header{"Content-Type": {"application/json"}},
		Body: `[{"token":"","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `"}]`}
	r.Response(&list)
	var items []map[string]string
	if err := json.Unmarshal([]byte(list.Body), &items); err != nil {
		t.Fatal(err)
	}
	h, l8 := items[0]["hashed_token"], items[0]["token_last_eight"]
	if h == sha(gho) || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) || !redact.IsPseudonym(h) {
		t.Errorf("hashed_token without its token = %q, want a 64-hex pseudonym", h)
	}
	if l8 == gho[len(gho)-8:] || len(l8) != 8 || !redact.IsPseudonym(l8) {
		t.Errorf("token_last_eight without its token = %q, want an 8-character pseudonym", l8)
	}
	// The same real hash gets the same pseudonym from a Redactor that never
	// saw the token (another process, the same key).
	fresh := cassette.Response{Code: 200, Headers: http.Header{"Content-Type": {"application/json"}},
		Body: `[{"token":"","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `"}]`}
	redact.New(testKey, redact.Options{}).Response(&fresh)
	if diff := cmp.Diff(list.Body, fresh.Body); diff != "" {
		t.Errorf("a fresh Redactor gives another pseudonym (-first +fresh):\n%s", diff)
	}
}

// TestTokenlessAuthorizationIdempotent redacts what GET
// /authorizations/{id} answers after a create through the Authorizations
// API: token blanked, hashed_token and token_last_eight of a token the
// Redactor saw in the create. Redacting the result again, with the same
// Redactor or a fresh one with the same key, must change nothing.
func TestTokenlessAuthorizationIdempotent(t *testing.T) {
	create := `{"id":7,"url":"https://ghe.example.com/api/v3/authorizations/7","app":{"name":"ci","url":"https://example.com","client_id":"` + clientID + `"},"token":"` + gho + `","hashed_token":"` + sha(gho) + `","token_last_eight":"` + gho[len(gho)-8:] + `","note":"ci","scopes":["repo"]}`
	get := strings.Replace(create, `"token":"`+gho+`"`, `"token":""`, 1)
	resp := func(body string) *cassette.Response {
		return &cassette.Response{Code: 200, Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: body, ContentLength: int64(len(body))}
	}
	for _, seen := range []bool{true, false} {
		r := redact.New(testKey, redact.Options{})
		if seen {
			r.Response(resp(create))
		}
		once := resp(get)
		r.Response(once)
		for name, again := range map[string]*redact.Redactor{"same redactor": r, "fresh redactor": redact.New(testKey, redact.Options{})} {
			twice := *once
			again.Response(&twice)
			if diff := cmp.Diff(once.Body, twice.Body); diff != "" {
				t.Errorf("token seen=%v, %s: not idempotent (-once +twice):\n%s", seen, name, diff)
			}
		}
		if strings.Contains(once.Body, sha(gho)) || strings.Contains(once.Body, gho[len(gho)-8:]) {
			t.Errorf("token seen=%v: the real hash or last eight survive: %s", seen, once.Body)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestPseudonymShape checks prefix, length and alphabet are kept.
func TestPseudonymShape(t *testing.T) {
	r := redact.New(testKey, redact.Options{})
	tests := []struct {
		in      string
		pattern string
	}{
		{gho, `^gho_[A-Za-z0-9]{36}$`},
		{ghu, `^ghu_[A-Za-z0-9]{36}$`},
		{ghp, `^ghp_[A-Za-z0-9]{36}$`},
		{"ghs_" + strings.Repeat("a1B2", 9), `^ghs_[A-Za-z0-9]{36}$`},
		{"ghr_" + strings.Repeat("Z9", 38), `^ghr_[A-Za-z0-9]{76}$`},
		{pat, "^github_pat_[A-Za-z0-9_]{" + itoa(len(pat)-11) + "}$"},
		{legacyToken, `^[0-9a-f]{40}$`},
		{clientSecret, `^[0-9a-f]{40}$`},
		{strings.ToUpper(legacyToken), `^[0-9A-F]{40}$`},
		{otp, `^[0-9]{6}$`},
		{"p@ss word", `^[!-~]{9}$`},
	}
	for _, tc := range tests {
		got := r.Token(tc.in)
		if !regexp.MustCompile(tc.pattern).MatchString(got) {
			t.Errorf("Token(%q) = %q, want %s", tc.in, got, tc.pattern)
		}
		if got == tc.in {
			t.Errorf("Token(%q) returned the secret", tc.in)
		}
		if again := r.Token(got); again != got {
			t.Errorf("Token(Token(%q)) = %q, want the fixed point %q", tc.in, again, got)
		}
		if s := r.Secret(got); !strings.Contains(tc.in, "_") && s != got {
			t.Errorf("Secret(pseudonym %q) = %q, want it unchanged", got, s)
		}
	}
	other := redact.New([]byte("another key, another pseudonym!!"), redact.Options{})
	if other.Token(gho) == r.Token(gho) {
		t.Error("two keys gave the same pseudonym")
	}
	if r.Token(gho) == r.Token(ghu) || r.Token(clientSecret) == r.Token(legacyToken) {
		t.Error("two secrets share a pseudonym")
	}
}

// TestPseudonymizeClientID checks the option reaches the path, Basic
// credentials, JSON and query.
func TestPseudonymizeClientID(t *testing.T) {
	in := cassette.Interaction{Request: req("POST", "https://api.github.com/applications/"+clientID+"/token?client_id="+clientID,
		http.Header{"Authorization": {"Basic " + basic(clientID, clientSecret)}, "Content-Type": {"application/json"}},
		`{"client_id":"`+clientID+`"}`)}
	for _, pseudo := range []bool{false, true} {
		got := clone(t, &in)
		redact.New(testKey, redact.Options{PseudonymizeClientID: pseudo}).Interaction(got)
		out := marshal(t, got)
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(got.Request.Headers.Get("Authorization"), "Basic "))
		visible := strings.Contains(out, clientID) || strings.HasPrefix(string(raw), clientID+":")
		if visible == pseudo {
			t.Errorf("PseudonymizeClientID=%v: client id visible=%v in:\n%s\nbasic=%s", pseudo, visible, out, raw)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", ".redact-key")
	k1, err := redact.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || len(k1) != redact.KeySize {
		t.Errorf("key file mode %v, %d bytes; want 0600, %d", st.Mode().Perm(), len(k1), redact.KeySize)
	}
	k2, err := redact.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(k1, k2); diff != "" {
		t.Errorf("second load differs (-first +second):\n%s", diff)
	}
	short := filepath.Join(t.TempDir(), "short")
	os.WriteFile(short, []byte("x"), 0o600)
	if _, err := redact.LoadOrCreateKey(short); err == nil {
		t.Error("a 1-byte key was accepted")
	}
}

// TestIsPseudonym checks pseudonyms are told from real secrets without the
// key: real GitHub tokens by their valid checksum, everything else by the
// public mark.
func TestIsPseudonym(t *testing.T) {
	r := redact.New(testKey, redact.Options{})
	other := redact.New([]byte("another key, another pseudonym!!"), redact.Options{})
	// Tokens minted in GitHub's format (checksum valid), as the reference
	// server's fixtures are.
	real := []string{"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", "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"}
	for _, tok := range real {
		if !redact.HasValidChecksum(tok) || redact.IsPseudonym(tok) {
			t.Errorf("%s: HasValidChecksum %v, IsPseudonym %v; want a real token", tok, redact.HasValidChecksum(tok), redact.IsPseudonym(tok))
		}
	}
	secrets := append(real, ghu, ghp, pat, legacyToken, clientSecret, strings.ToUpper(clientSecret), password, otp, session, "p@ss word", "no")
	for _, s := range secrets {
		for name, red := range map[string]*redact.Redactor{"key": r, "other key": other} {
			for fn, p := range map[string]string{"Token": red.Token(s), "Secret": red.Secret(s)} {
				if !redact.IsPseudonym(p) || redact.HasValidChecksum(p) {
					t.Errorf("%s %s(%q) = %q: IsPseudonym %v, HasValidChecksum %v; want a recognisable pseudonym", name, fn, s, p, redact.IsPseudonym(p), redact.HasValidChecksum(p))
				}
			}
		}
		// A real token is one; the rest are not pseudonyms unless chance
		// gives them their mark.
		if !strings.HasPrefix(s, "gh") && redact.IsPseudonym(s) {
			t.Errorf("IsPseudonym(%q) = true for a real secret", s)
		}
	}
	// Short secrets have one public pseudonym per length and alphabet:
	// every key agrees, and so does IsPseudonym.
	if r.Token(otp) != other.Token(otp) || r.Token(otp) != r.Token("654321") {
		t.Errorf("six-digit pseudonyms differ: %q, %q, %q", r.Token(otp), other.Token(otp), r.Token("654321"))
	}
	// A pseudonym of another key is recognised without the key but is not
	// a fixed point of this one.
	if p := other.Token(clientSecret); r.Token(p) == p {
		t.Errorf("Token(%q) under another key returned it unchanged", p)
	}
	for _, s := range []string{"", "gho_", "ghp_0123456789", "github_pat_"} {
		if redact.HasValidChecksum(s) {
			t.Errorf("HasValidChecksum(%q) = true", s)
		}
	}
}

// TestHeaderMapsNotModified holds that redaction replaces a header map
// that needs a change by a copy and leaves the caller's as it was: a
// recorder hands over the live response's headers.
func TestHeaderMapsNotModified(t *testing.T) {
	body := `{"token":"` + gho + `"}`
	reqH := http.Header{"Authorization": {"Basic " + basic(clientID, clientSecret)}, "Content-Length": {"50"}}
	respH := http.Header{"Set-Cookie": {"_gh_sess=c2Vzc2lvbnNlY3JldA; path=/"}, "Content-Length": {"99"}}
	plainH := http.Header{"Content-Type": {"application/json"}}
	wantReq, wantResp, wantPlain := reqH.Clone(), respH.Clone(), plainH.Clone()
	i := &cassette.Interaction{
		Request:  req("POST", "http://127.0.0.1/applications/"+clientID+"/token", reqH, `{"access_token":"`+gho+`"}`),
		Response: cassette.Response{Code: 200, Body: body, Headers: respH, Trailer: plainH},
	}
	redact.New(testKey, redact.Options{}).Interaction(i)
	for _, c := range []struct {
		name      string
		orig, was http.Header
		got       http.Header
	}{
		{"request headers", reqH, wantReq, i.Request.Headers},
		{"response headers", respH, wantResp, i.Response.Headers},
		{"response trailer", plainH, wantPlain, i.Response.Trailer},
	} {
		if diff := cmp.Diff(c.was, c.orig); diff != "" {
			t.Errorf("%s: the caller's map changed (-before +after):\n%s", c.name, diff)
		}
		if c.name != "response trailer" && cmp.Equal(c.orig, c.got) {
			t.Errorf("%s: not redacted: %v", c.name, c.got)
		}
	}
	if got := i.Response.Headers.Get("Content-Length"); got != fmt.Sprint(len(body)) {
		t.Errorf("recorded Content-Length %q, want %d", got, len(body))
	}
}

// TestOddURLsRedacted holds that a URL url.Parse rejects, sees no path in,
// or that only looks absolute further on, still has its legacy path token,
// user info and secret query values redacted, idempotently.
func TestOddURLsRedacted(t *testing.T) {
	const secret = "MYSECRETTOKEN1"
	for _, u := range []string{
		"/applications/Iv1.abc/tokens/" + secret + "/x://y/z",
		"applications/Iv1.abc/tokens/" + secret + "/a://b/c",
		"h_ttps://ghe.example.com/applications/Iv1.abc/tokens/" + secret,
		"a:b/applications/Iv1.abc/tokens/" + secret,
		"a:b://ghe.example.com/api/v3/applications/Iv1.abc/grants/" + secret,
		"h_ttps://octocat:" + secret + "@ghe.example.com/user",
		"https://ghe.example.com/applications/Iv1.abc/tokens/" + secret + "%zz",
		"h_ttps://ghe.example.com/x?client_secret=" + secret + "&page=2#frag",
	} {
		r := redact.New(testKey, redact.Options{})
		req := cassette.Request{Method: "GET", URL: u}
		r.Request(&req)
		if strings.Contains(req.URL, secret) {
			t.Errorf("%s: the secret survives in %s", u, req.URL)
		}
		again := req
		r.Request(&again)
		if again.URL != req.URL {
			t.Errorf("%s: not idempotent: %s, then %s", u, req.URL, again.URL)
		}
	}
}

// TestSecretNumbers holds that a number under a secret member is replaced
// whatever its form, and that the body stays JSON.
func TestSecretNumbers(t *testing.T) {
	for _, tc := range []struct{ body, secret string }{
		{`{"otp":123456}`, "123456"},
		{`{"otp":12345678}`, "12345678"},
		{`{"password":-12345}`, "-12345"},
		{`{"password":12.5e3}`, "12.5e3"},
		{`{"client_secret":{"v":[1E+9,-0.25]}}`, "1E+9"},
	} {
		r := redact.New(testKey, redact.Options{})
		req := cassette.Request{Method: "POST", URL: "https://ghe.example.com/authorizations", Body: tc.body,
			Headers: http.Header{"Content-Type": {"application/json"}}}
		r.Request(&req)
		if strings.Contains(req.Body, tc.secret) {
			t.Errorf("%s: the secret survives in %s", tc.body, req.Body)
		}
		if !json.Valid([]byte(req.Body)) {
			t.Errorf("%s: redacted to %s, not JSON", tc.body, req.Body)
		}
		again := req
		r.Request(&again)
		if again.Body != req.Body {
			t.Errorf("%s: not idempotent: %s, then %s", tc.body, req.Body, again.Body)
		}
	}
}
