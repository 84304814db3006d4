package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

// scanJSONReference is the redaction of valid JSON as scanValid replaced
// it: encoding/json's validity check, then every value listed by scanJSON.
func scanJSONReference(r *Redactor, s string) (string, bool) {
	if !json.Valid([]byte(s)) {
		return "", false
	}
	return applySpans(s, r.jsonSpans(s, scanJSON(s), false)), true
}

var scanValidSeeds = []string{
	`{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`,
	`{"id":1,"url":"https://api.github.com/authorizations/1","app":{"client_id":"Iv1.8a61f9b3a7aba766","name":"ci"},"token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","hashed_token":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","token_last_eight":"8B4a","scopes":["repo"],"user":{"login":"octocat","id":1,"site_admin":false},"installation":null}`,
	`[{"token":""},{"hashed_token":"abc","token_last_eight":"12345678"}]`,
	`{"client_secret":{"v":["s3cret",12345,true,null,{"x":1.5e3}]},"otp":123456}`,
	`{"note":"see gh\u0070_aaaaaaaaaaaaaaaaaaaaaaaa","gho_aaaaaaaaaaaaaaaaaaaaaaaa":1}`,
	`{"password":"pa\"ss\\word","b":"\u00e9\t"}`,
	` {"a" : [ 1 , -0.5 , 2E+3 , "1f8e2b6c4d9a0e7f3b5c8d1a2e4f6b9c0d3e5f7a" ] } `,
	`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":"\x"}`, `{"a":"\u12G4"}`, `{"a":tru}`, `{"a":nulls}`,
	`{"a":1,}`, `[1,]`, `{"a" 1}`, `{1:2}`, `"gho_aaaaaaaaaaaaaaaaaaaaaaaa"`, `123`, `[]`, `{}`, ``, ` `,
	"{\"a\":\"\x01\"}", "{\"a\":\"\xff\xfe\"}", `{"a":"b"}x`, `{"token":"x"`, `[[[[[[[[[[]]]]]]]]]]`,
}

// FuzzScanValid holds that the one-pass scanner accepts exactly what
// encoding/json accepts and redacts valid JSON exactly as the reference
// (json.Valid, then every value scanJSON lists) does, with client ids kept
// or pseudonymised.
func FuzzScanValid(f *testing.F) {
	for _, s := range scanValidSeeds {
		f.Add(s)
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	reds := []*Redactor{New(key, Options{}), New(key, Options{PseudonymizeClientID: true})}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range reds {
			want, wantOK := scanJSONReference(r, s)
			got, gotOK := r.json(s)
			if gotOK != wantOK || got != want {
				t.Fatalf("redacting %q (pseudonymise ids %v):\n got %v %q\nwant %v %q", s, r.opts.PseudonymizeClientID, gotOK, got, wantOK, want)
			}
		}
	})
}

func TestDeepJSON(t *testing.T) {
	for _, depth := range []int{maxJSONDepth, maxJSONDepth + 1} {
		b := make([]byte, 0, 2*depth)
		for range depth {
			b = append(b, '[')
		}
		for range depth {
			b = append(b, ']')
		}
		_, got := scanValid(string(b), false)
		if want := json.Valid(b); got != want {
			t.Errorf("depth %d: valid %v, encoding/json says %v", depth, got, want)
		}
	}
}

// FuzzMayHoldToken holds that the filter lets through every string
// TokenPattern matches.
func FuzzMayHoldToken(f *testing.F) {
	for _, s := range []string{
		"gho_16C7e42F292c6912E7710c838347Ae178B4a", "x ghp_aaaaaaaaaaaaaaaaaaaa", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
		"1f8e2b6c4d9a0e7f3b5c8d1a2e4f6b9c0d3e5f7a", "https://ghes.example.com/api/v3/users/octocat", "gh_gh_ghs_aaaaaaaaaaaaaaaaaaaa",
	} {
		f.Add(s)
	}
	f.Add(strings.Repeat("0123456789abcdef", 2) + "x" + strings.Repeat("abcdef0123", 4))
	f.Fuzz(func(t *testing.T, s string) {
		if TokenPattern.MatchString(s) && !mayHoldToken(s) {
			t.Fatalf("mayHoldToken(%q) = false, but TokenPattern matches %q", s, TokenPattern.FindString(s))
		}
		run, want := 0, false
		for i := 0; i < len(s); i++ {
			if run = run + 1; !lowerHex[s[i]] {
				run = 0
			}
			want = want || run >= 40
		}
		if got := hexRun40(s); got != want {
			t.Fatalf("hexRun40(%q) = %v, want %v", s, got, want)
		}
	})
}

// BenchmarkScanValid scans a check-token response body.
func BenchmarkScanValid(b *testing.B) {
	body := `{"id":1,"url":"https://ghes.example.com/api/v3/authorizations/1","app":{"client_id":"Iv1.8a61f9b3a7aba766","name":"Octo CLI","url":"https://octo-cli.example.com"},"token":"gho_8uUYZrvJx1wmx0E3lPm4dkmZ8zK2UxcRX0js","hashed_token":"792eda6eb3590f1f619723a5909385df7bafb016fe65953324d73bf1707a1d03","token_last_eight":"UxcRX0js","note":null,"note_url":null,"created_at":"2024-01-15T09:30:00Z","updated_at":"2024-01-15T09:30:00Z","scopes":["repo","user"],"fingerprint":null,"expires_at":null,"user":{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://ghes.example.com/avatars/u/1","gravatar_id":"","url":"https://ghes.example.com/api/v3/users/octocat","html_url":"https://ghes.example.com/octocat","followers_url":"https://ghes.example.com/api/v3/users/octocat/followers","following_url":"https://ghes.example.com/api/v3/users/octocat/following{/other_user}","gists_url":"https://ghes.example.com/api/v3/users/octocat/gists{/gist_id}","starred_url":"https://ghes.example.com/api/v3/users/octocat/starred{/owner}{/repo}","subscriptions_url":"https://ghes.example.com/api/v3/users/octocat/subscriptions","organizations_url":"https://ghes.example.com/api/v3/users/octocat/orgs","repos_url":"https://ghes.example.com/api/v3/users/octocat/repos","events_url":"https://ghes.example.com/api/v3/users/octocat/events{/privacy}","received_events_url":"https://ghes.example.com/api/v3/users/octocat/received_events","type":"User","user_view_type":"public","site_admin":false},"installation":null}`
	b.SetBytes(int64(len(body)))
	b.Run("scanValid", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			scanValid(body, false)
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		raw := []byte(body)
		for b.Loop() {
			json.Valid(raw)
		}
	})
}
