package replay_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
)

func TestLint(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	red := redact.New(key, redact.Options{})
	dir := t.TempDir()
	recordSession(t, "ghes-3.2", dir, redact.New(key, redact.Options{}))

	findings, err := replay.Lint(dir, replay.LintOptions{Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.Info {
			t.Errorf("a recorded session should be clean: %s", f)
		}
	}

	// Without the key, the pseudonyms are told from real secrets by their
	// form: the recorded session is clean too.
	findings, err = replay.Lint(dir, replay.LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.Info {
			t.Errorf("without the key, a recorded session should be clean: %s", f)
		}
	}

	// A hand-made cassette with one problem per interaction.
	tok := "gho_16C7e42F292c6912E7710c838347Ae178B4a"
	writeCassette(t, filepath.Join(dir, "ghes-3.2", "bad.yaml"),
		rec{"POST", "http://x/api/v3/applications/Iv1.8a61f9b3a7aba766/token", http.Header{"Authorization": {basic("Iv1.8a61f9b3a7aba766", unpublishedSecret)}}, "", 404, nil, ""},
		rec{"PUT", "http://x/api/v3/authorizations/clients/Iv1.8a61f9b3a7aba766", nil, `{"client_secret":"` + unpublishedSecret + `","scopes":["repo"]}`, 422, jsonHeader(nil), `{"message":"Validation Failed"}`},
		rec{"GET", "http://x/api/v3/applications/Iv1.8a61f9b3a7aba766/tokens/" + red.Token(tok), nil, "", 200, jsonHeader(nil), `{"token":"` + red.Token(tok) + `","hashed_token":"00"}`},
		rec{"GET", "http://x/api/v3/applications/nothing/here/at/all", nil, "", 200, nil, ""},
		rec{"GET", "http://x/api/v3/applications/grants", nil, "", 599, nil, ""},
	)
	// On ghes-3.8, which removed the legacy endpoints: a probe answered 404
	// is as documented (info); one still answering is a finding.
	writeCassette(t, filepath.Join(dir, "ghes-3.8", "probes.yaml"),
		rec{"GET", "http://x/api/v3/applications/Iv1.8a61f9b3a7aba766/tokens/" + red.Token(tok), nil, "", 404, jsonHeader(nil), `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`},
		rec{"GET", "http://x/api/v3/applications/Iv1.8a61f9b3a7aba766/tokens/" + red.Token(tok), nil, "", 200, jsonHeader(nil), `{}`},
	)
	os.WriteFile(filepath.Join(dir, "ghes-3.2", "broken.yaml"), []byte("version: 2\ninteractions:\n  - id: [\n"), 0o644)
	findings, err = replay.Lint(dir, replay.LintOptions{Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	type key2 struct {
		File        string
		Interaction int
		Kind        string
	}
	var got []key2
	for _, f := range findings {
		t.Log(f)
		if f.Info != (f.Kind == replay.FindingAbsent || f.Kind == replay.FindingUndocumented) {
			t.Errorf("finding %s: Info = %v", f, f.Info)
		}
		if filepath.Base(f.File) != "session.yaml" {
			got = append(got, key2{filepath.Base(f.File), f.Interaction, f.Kind})
		}
	}
	want := []key2{
		{"bad.yaml", 0, replay.FindingSchema}, // 404 without a body
		{"bad.yaml", 0, replay.FindingSecret},
		{"bad.yaml", 1, replay.FindingSchema}, // 422 without documentation_url
		{"bad.yaml", 1, replay.FindingSecret},
		{"bad.yaml", 2, replay.FindingHash},
		{"bad.yaml", 2, replay.FindingSchema},
		{"bad.yaml", 2, replay.FindingSecret}, // the hash is no pseudonym
		{"bad.yaml", 3, replay.FindingNoOperation},
		{"bad.yaml", 4, replay.FindingUndocumented},
		{"broken.yaml", -1, replay.FindingYAML},
		{"probes.yaml", 0, replay.FindingAbsent},
		{"probes.yaml", 1, replay.FindingNoOperation},
	}
	sort.Slice(got, func(i, j int) bool {
		a, b := got[i], got[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Interaction != b.Interaction {
			return a.Interaction < b.Interaction
		}
		return a.Kind < b.Kind
	})
	got = uniq(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range findings {
		if bytes.Contains([]byte(f.Message), []byte(unpublishedSecret)) {
			t.Errorf("a finding prints the secret: %s", f)
		}
	}
}

// unpublishedToken and unpublishedSecret are shaped as real secrets (the
// token's checksum is valid) and are not the reference server's published
// test credentials: lint must report them in clear.
var (
	unpublishedToken  = checksummed("gho_", "Lint0Real0Token0Not0Published0")
	unpublishedSecret = "9d5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5"
)

// checksummed returns prefix+body followed by GitHub's checksum of body: the
// CRC32 in 6 base62 digits.
func checksummed(prefix, body string) string {
	const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	c := crc32.ChecksumIEEE([]byte(body))
	var sum [6]byte
	for i := len(sum) - 1; i >= 0; i-- {
		sum[i] = base62[c%62]
		c /= 62
	}
	return prefix + body + string(sum[:])
}

// TestLintPublishedTestCredentials lints a cassette holding the reference
// server's published test credentials in clear, as fixture packs do: the
// seed's client secret, password and tokens, a token the default server
// mints, and their hashes. None is reported, with the key or without; the
// same interactions with unpublished secrets are.
func TestLintPublishedTestCredentials(t *testing.T) {
	fx := reference.DefaultFixtures()
	app, tok := fx.Apps[0], fx.Tokens[0].Value
	minted := reference.NewTestServer(t, "ghes-3.8", fx)
	req, _ := http.NewRequest("PATCH", minted.URL+"/api/v3/applications/"+app.ClientID+"/token", strings.NewReader(`{"access_token":"`+fx.Tokens[1].Value+`"}`))
	req.SetBasicAuth(app.ClientID, app.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resetBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset: %d %s", resp.StatusCode, resetBody)
	}
	authz := func(tok string) string {
		return `{"token":"` + tok + `","hashed_token":"` + sha256Hex(tok) + `","token_last_eight":"` + tok[len(tok)-8:] + `"}`
	}
	write := func(dir, secret, tok, pass string, reset []byte) {
		base := "https://ghes.example.com/api/v3/applications/" + app.ClientID
		writeCassette(t, filepath.Join(dir, "ghes-3.8", "pack.yaml"),
			rec{"POST", base + "/token", jsonHeader(http.Header{"Authorization": {basic(app.ClientID, secret)}}), `{"access_token":"` + tok + `"}`, 200, jsonHeader(nil), authz(tok)},
			rec{"PATCH", base + "/token", jsonHeader(http.Header{"Authorization": {basic(app.ClientID, secret)}}), `{"access_token":"` + tok + `"}`, 200, jsonHeader(nil), string(reset)},
			rec{"GET", "https://ghes.example.com/api/v3/authorizations/8", http.Header{"Authorization": {basic("octocat", pass)}}, "", 200, jsonHeader(nil), `{"token":"","hashed_token":"` + sha256Hex(fx.Authorizations[0].Token) + `"}`},
		)
	}
	published, unpublished := t.TempDir(), t.TempDir()
	write(published, app.ClientSecret, tok, fx.Users[0].Password, resetBody)
	write(unpublished, unpublishedSecret, unpublishedToken, "hunter2-hunter2", []byte(authz(checksummed("gho_", "Another0Token0Not0Published000"))))
	red := redact.New(bytes.Repeat([]byte{8}, 32), redact.Options{})
	for _, opts := range []replay.LintOptions{{}, {Redactor: red}} {
		secrets := func(dir string) []string {
			findings, err := replay.Lint(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, f := range findings {
				if f.Kind == replay.FindingSecret {
					out = append(out, f.String())
				}
			}
			return out
		}
		if got := secrets(published); len(got) > 0 {
			t.Errorf("key %v: published test credentials reported:\n%s", opts.Redactor != nil, strings.Join(got, "\n"))
		}
		if got := secrets(unpublished); len(got) < 5 {
			t.Errorf("key %v: unpublished secrets, %d findings, want at least 5:\n%s", opts.Redactor != nil, len(got), strings.Join(got, "\n"))
		}
	}
}

func uniq[T comparable](s []T) []T {
	var out []T
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// TestLintRecordedWithoutKey records a whole session through the recorder
// for versions that issue checksummed tokens and 40-hex ones, and lints it
// without the key: the pseudonyms must not pass for secrets.
func TestLintRecordedWithoutKey(t *testing.T) {
	for _, version := range []string{"ghes-2.18", "ghes-3.2", "api.github.com"} {
		t.Run(version, func(t *testing.T) {
			dir := t.TempDir()
			recordSession(t, version, dir, redact.NewRandom())
			findings, err := replay.Lint(dir, replay.LintOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				if !f.Info {
					t.Errorf("a recorded session should lint clean without the key: %s", f)
				}
			}
		})
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestLintSplicedSecrets splices one real secret at a time into a recorded
// cassette and checks lint, without the key and with it, reports exactly
// that interaction and field, and never prints the secret.
func TestLintSplicedSecrets(t *testing.T) {
	key := bytes.Repeat([]byte{5}, 32)
	src := t.TempDir()
	v := recordSession(t, "ghes-3.2", src, redact.New(key, redact.Options{}))
	path := cassettes.Path(src, v.Name, "session")

	fx := reference.DefaultFixtures()
	app := fx.Apps[0]
	// Secrets in GitHub's formats that are not the reference server's
	// published test credentials (lint lets those stay in clear).
	realToken := unpublishedToken
	realSecret := unpublishedSecret
	other := redact.New(bytes.Repeat([]byte{6}, 32), redact.Options{})
	if !redact.HasValidChecksum(realToken) || reference.IsTestSecret(realToken) || reference.IsTestSecret(realSecret) {
		t.Fatalf("%s must have a valid checksum, and it and %s must not be published test credentials", realToken, realSecret)
	}

	// find returns the first interaction matching method and a path suffix.
	find := func(t *testing.T, its []*cassette.Interaction, method, suffix string, also func(*cassette.Interaction) bool) int {
		for i, it := range its {
			if it.Request.Method == method && strings.Contains(it.Request.URL, suffix) && (also == nil || also(it)) {
				return i
			}
		}
		t.Fatalf("the recorded session has no %s ...%s", method, suffix)
		return -1
	}
	tokenless := func(it *cassette.Interaction) bool { return strings.Contains(it.Response.Body, `"token":""`) }

	// want says where and what; the reason ends "redactor pseudonym"
	// without the key and "pseudonym of this redaction key" with it.
	tests := []struct {
		name    string
		splice  func(t *testing.T, its []*cassette.Interaction) int // returns the interaction changed
		secrets []string                                            // must not appear in any finding
		want    []string                                            // each in some finding
		withKey bool                                                // reported only with the key
	}{
		{
			name: "real token in the request body",
			splice: func(t *testing.T, its []*cassette.Interaction) int {
				i := find(t, its, "POST", "/applications/"+app.ClientID+"/token", nil)
				its[i].Request.Body = `{"access_token":"` + realToken + `"}`
				return i
			},
			secrets: []string{realToken},
			want:    []string{"request body: /access_token is a GitHub token with a valid checksum"},
		},
		{
			name: "real token in the legacy path",
			splice: func(t *testing.T, its []*cassette.Interaction) int {
				i := find(t, its, "GET", "/applications/"+app.ClientID+"/tokens/", nil)
				its[i].Request.URL = its[i].Request.URL[:strings.LastIndex(its[i].Request.URL, "/")+1] + realToken
				return i
			},
			secrets: []string{realToken},
			want:    []string{"request URL: the path parameter {access_token} is a GitHub token with a valid checksum"},
		},
		{
			name: "real client secret in the body",
			splice: func(t *testing.T, its []*cassette.Interaction) int {
				i := find(t, its, "PUT", "/authorizations/clients/"+app.ClientID, nil)
				its[i].Request.Body = `{"client_secret":"` + realSecret + `","scopes":["repo"],"note":"get or create"}`
				return i
			},
			secrets: []string{realSecret},
			want:    []string{"request body: /client_secret is not a"},
		},
		{
			name: "real Basic credentials",
			splice: func(t *testing.T, its []*cassette.Interaction) int {
				its[0].Request.Headers.Set("Authorization", basic(app.ClientID, realSecret))
				return 0
			},
			secrets: []string{realSecret, strings.TrimPrefix(basic(app.ClientID, realSecret), "Basic ")},
			want:    []string{"request header Authorization: the Basic password is not a"},
		},
		{
			name: "one-time password",
			splice: func(t *testing.T, its []*cassette.Interaction) int {
				i := find(t, its, "POST", "/authorizations", nil)
				its[i].Request.Headers.Set("X-GitHub-OTP", "492017")
				return i
			},
			secrets: []string{"492017"},
			want:    []string{"request header X-Github-Otp: the one-time password is not a"},
		},
		{
			name: "real token and its hash in a response",
			splice: func(t *testing.T, its []*cassette.Interaction) int {
				i := find(t, its, "POST", "/authorizations", func(it *cassette.Interaction) bool { return it.Response.Code == 201 })
				its[i].Response.Body = `{"id":1,"url":"https://x/authorizations/1","scopes":["repo"],"token":"` + realToken + `","token_last_eight":"` + realToken[len(realToken)-8:] + `","hashed_token":"` + sha256Hex(realToken) + `","app":{"client_id":"` + app.ClientID + `","name":"n","url":"https://x"},"note":null,"note_url":null,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","fingerprint":null}`
				return i
			},
			secrets: []string{realToken, sha256Hex(realToken)},
			want: []string{
				"response body: /token is a GitHub token with a valid checksum",
				"response body: /hashed_token is the SHA-256 of /token, a GitHub token with a valid checksum",
			},
		},
		{
			name: "real hash of a token not shown",
			splice: func(t *testing.T, its []*cassette.Interaction) int {
				i := find(t, its, "GET", "/authorizations/", tokenless)
				b := its[i].Response.Body
				at := strings.Index(b, `"hashed_token":"`) + len(`"hashed_token":"`)
				its[i].Response.Body = b[:at] + sha256Hex(realToken) + b[at+64:]
				return i
			},
			secrets: []string{sha256Hex(realToken)},
			want:    []string{"response body: /hashed_token (the token not shown) is not a"},
		},
		{
			name: "another key's pseudonym",
			splice: func(t *testing.T, its []*cassette.Interaction) int {
				its[0].Request.Headers.Set("Authorization", basic(app.ClientID, other.Secret(realSecret)))
				return 0
			},
			want:    []string{"request header Authorization: the Basic password is a pseudonym of another redaction key"},
			withKey: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cassettes.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			idx := tc.splice(t, c.Interactions)
			data, err := cassettes.Marshal(c.Interactions)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			spliced := cassettes.Path(dir, v.Name, "session")
			writeFile(t, spliced, data)
			for _, mode := range []struct {
				name string
				r    *redact.Redactor
			}{{"without key", nil}, {"with key", redact.New(key, redact.Options{})}} {
				findings, err := replay.Lint(dir, replay.LintOptions{Redactor: mode.r})
				if err != nil {
					t.Fatal(err)
				}
				var msgs []string
				for _, f := range findings {
					if f.Kind != replay.FindingSecret {
						continue
					}
					if f.File != spliced || f.Interaction != idx {
						t.Errorf("%s: a finding outside the spliced interaction %d: %s", mode.name, idx, f)
					}
					msgs = append(msgs, f.Message)
					for _, s := range tc.secrets {
						if strings.Contains(f.String(), s) {
							t.Errorf("%s: a finding prints the secret: %s", mode.name, f)
						}
					}
				}
				if tc.withKey && mode.r == nil {
					if len(msgs) != 0 {
						t.Errorf("%s: a pseudonym of another key is still a pseudonym, got %q", mode.name, msgs)
					}
					continue
				}
				for _, w := range tc.want {
					if !containsAny(msgs, w) {
						t.Errorf("%s: no finding says %q; got %q", mode.name, w, msgs)
					}
				}
			}
		})
	}
}

func containsAny(msgs []string, want string) bool {
	for _, m := range msgs {
		if strings.Contains(m, want) {
			return true
		}
	}
	return false
}
