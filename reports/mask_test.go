package reports_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/fleet"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/reports"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// foreignToken is a token the run was not given: only its shape can tell
// it is one.
const foreignToken = "gho_16C7e42F292c6912E7710c838347Ae178B4a"

// echoServer is the reference server of version whose every answer is
// wrong in a way that lands it in a finding's evidence: a 418 whose body
// echoes what the client sent (its Authorization, one-time password and
// body, under names no redactor knows) and a token it was not given,
// glued to text and percent-encoded.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		echo := map[string]any{"seen": map[string]string{
			"a":    r.Header.Get("Authorization"),
			"o":    "otp was " + r.Header.Get("X-GitHub-OTP"),
			"b":    string(body),
			"hdr":  `"Authorization":"Basic ` + base64.StdEncoding.EncodeToString([]byte("someone:n0tAtokenShape")) + `"`,
			"tok":  "token " + "Sup3rSecretOpaqueValue",
			"glue": "x" + foreignToken,
			"url":  "https://x.test/cb%3Ftoken%3D" + foreignToken,
			"path": "/%61pplications/1/tokens/Opaque0paque",
		}}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusTeapot)
		json.NewEncoder(w).Encode(echo)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// planted are the secrets an echo run may have put into a report.
func planted(c conformance.Credentials) []string {
	s := []string{
		c.ClientSecret, c.Password, c.OTP, foreignToken, foreignToken[4:],
		base64.StdEncoding.EncodeToString([]byte(c.ClientID + ":" + c.ClientSecret)),
		base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password)),
		base64.StdEncoding.EncodeToString([]byte("someone:n0tAtokenShape")),
		"Sup3rSecretOpaqueValue", "Opaque0paque",
	}
	return append(s, c.Tokens...)
}

// holds reports which of secrets out holds, read as its reader would
// (entities and JSON escapes undone).
func holds(out string, secrets []string) []string {
	views := []string{out, html.UnescapeString(out), strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\"`, `"`).Replace(out)}
	var found []string
	for _, s := range secrets {
		for _, v := range views {
			if s != "" && strings.Contains(v, s) {
				found = append(found, s)
				break
			}
		}
	}
	return found
}

// TestReportsNeverEmbedEchoedSecrets runs the suite against a server that
// echoes credentials back under names no redactor knows, and checks that
// no format of the single or the fleet report holds any of them.
func TestReportsNeverEmbedEchoedSecrets(t *testing.T) {
	v, err := schemas.Default().Version("ghes-3.8")
	if err != nil {
		t.Fatal(err)
	}
	c := creds(reference.DefaultFixtures())
	ts := echoServer(t)
	rep, err := conformance.Run(context.Background(), conformance.Config{Version: v, BaseURL: ts.URL, Credentials: c, Nonce: "echo"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Failed == 0 {
		t.Fatal("the echo server made no case fail: the test checks nothing")
	}
	secrets := planted(c)
	for _, f := range reports.Formats {
		out := string(render(t, f, rep))
		if got := holds(out, secrets); len(got) > 0 {
			t.Errorf("%s report holds %d planted secrets: %.12q", f, len(got), got)
		}
	}
	frep := &fleet.Report{Targets: []fleet.Result{{Name: "echo", URL: ts.URL, Version: "ghes-3.8", Verdict: fleet.NotConformant, Report: rep,
		Error: "GET " + ts.URL + "/applications/1%2Ftokens%2FOpaque0paque: token Sup3rSecretOpaqueValue"}}}
	for _, f := range reports.Formats {
		var b bytes.Buffer
		if err := reports.WriteFleet(&b, f, frep); err != nil {
			t.Fatal(err)
		}
		if got := holds(b.String(), secrets); len(got) > 0 {
			t.Errorf("fleet %s report holds %d planted secrets: %.12q", f, len(got), got)
		}
	}
}

// FuzzReportsMask plants a random secret, in one of the spellings a server
// may echo it in, into a finding's message, evidence or reason, and checks
// that no format of the report holds it.
func FuzzReportsMask(f *testing.F) {
	f.Add("16C7e42F292c6912E7710c838347Ae178B4a", "x", uint8(0), uint8(0))
	f.Add("s3cr3t", "%3D", uint8(1), uint8(1))
	f.Add("Opaque0paque", "/", uint8(2), uint8(2))
	f.Add("aaaa", "", uint8(3), uint8(3))
	f.Fuzz(func(t *testing.T, raw, glue string, form, where uint8) {
		// The secret: letters and digits of raw, padded to a token's
		// length, with one of GitHub's prefixes.
		var b strings.Builder
		for _, c := range raw {
			if c < 128 && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				b.WriteRune(c)
			}
		}
		tail := (b.String() + "Q7w9E2r4T6y8U0i1O3p5A7s9D2f4G6h8J0k2")[:36]
		prefix := []string{"gho_", "ghu_", "ghp_", "ghs_", "ghr_"}[int(form)%5]
		token := prefix + tail
		var planted, secret string
		switch form % 4 {
		case 0: // glued to whatever comes before it
			planted, secret = glue+token, token
		case 1: // percent-encoded after a query
			planted, secret = "https://x.test/cb%3Ftoken%3D"+token, token
		case 2: // Basic credentials echoed under any name
			secret = base64.StdEncoding.EncodeToString([]byte("someone:" + tail))
			planted = `{"echoed":"Basic ` + secret + `"}`
		case 3: // a legacy path token in another spelling
			secret = "Z" + tail
			planted = "/%61pplications/1/tokens/" + secret
		}
		rep := &conformance.Report{Version: "ghes-3.8", Mode: "live", Target: "http://127.0.0.1:1",
			Cases: []conformance.Case{{ID: "apps/check-token 200", Operation: "apps/check-token", Method: "POST", Path: "/applications/{client_id}/token", Status: 200, Result: conformance.Fail, Got: 418}}}
		fd := conformance.Finding{Rule: conformance.RuleStatusMismatch, Severity: conformance.SeverityError, Operation: "apps/check-token", Message: "answered 418",
			Evidence: &conformance.Evidence{Request: "POST /applications/1/token", Response: "418 application/json"}}
		switch where % 3 {
		case 0:
			fd.Message += ": " + planted
		case 1:
			fd.Evidence.Response += "\n" + planted
		case 2:
			rep.Cases[0].Reason = "the server said " + planted
		}
		rep.Cases[0].Findings = []conformance.Finding{fd}
		for _, f := range reports.Formats {
			out := string(render(t, f, rep))
			if got := holds(out, []string{secret, tail}); len(got) > 0 {
				t.Fatalf("%s report of %q holds %q", f, planted, got)
			}
		}
	})
}
