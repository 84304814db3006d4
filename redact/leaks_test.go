package redact_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// TestRedactLeaks plants secrets in the places redaction used to miss
// and checks none is left in the redacted interaction, without the final
// sweep.
func TestRedactLeaks(t *testing.T) {
	const (
		nonHexSecret = "Zq9-secret_not~hex.value"
	)
	multipart := "--XyZ\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\n" + nonHexSecret +
		"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n" + password +
		"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello " + gho +
		"\r\n--XyZ--\r\n"
	tests := []struct {
		name    string
		it      cassette.Interaction
		secrets []string
		keep    []string // must still be there
	}{
		{
			name: "multipart form",
			it: cassette.Interaction{Request: req("POST", "https://h/authorizations",
				http.Header{"Content-Type": {"multipart/form-data; boundary=XyZ"}}, multipart)},
			secrets: []string{nonHexSecret, password, gho},
			keep:    []string{`name="note"`, "hello ", "--XyZ--"},
		},
		{
			name: "text/plain form",
			it: cassette.Interaction{Request: req("POST", "https://h/authorizations",
				http.Header{"Content-Type": {"text/plain"}}, "client_secret="+nonHexSecret+"&password="+password)},
			secrets: []string{nonHexSecret, password},
			keep:    []string{"client_secret=", "&password="},
		},
		{
			name: "JSON with a byte-order mark sent as a form",
			it: cassette.Interaction{Request: req("POST", "https://h/authorizations",
				http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "\ufeff{\"client_secret\":\""+nonHexSecret+"\",\"password\":\""+password+"\"}")},
			secrets: []string{nonHexSecret, password},
			keep:    []string{"\ufeff{\"client_secret\":"},
		},
		{
			name:    "reason phrase",
			it:      cassette.Interaction{Response: cassette.Response{Status: "401 Bad credentials " + gho, Code: 401}},
			secrets: []string{gho},
			keep:    []string{"401 Bad credentials gho_"},
		},
		{
			name:    "header name",
			it:      cassette.Interaction{Response: cassette.Response{Headers: http.Header{legacyToken: {"1"}, "X-" + gho: {"2"}}}},
			secrets: []string{legacyToken, gho},
		},
		{
			name: "percent-encoded token in Location",
			it: cassette.Interaction{Response: cassette.Response{Headers: http.Header{
				"Location": {"https://h/login?next=%2Fcb%3Faccess_token%3D" + gho}}}},
			secrets: []string{gho},
			keep:    []string{"https://h/login?next=%2Fcb%3Faccess_token%3Dgho_"},
		},
		{
			name: "percent-encoded token in a JSON URL",
			it: cassette.Interaction{Response: cassette.Response{Headers: http.Header{"Content-Type": {"application/json"}},
				Body: `{"url":"https://h/cb%3Ftoken%3D` + gho + `"}`}},
			secrets: []string{gho},
		},
		{
			name:    "percent-encoded 40-hex token in a query",
			it:      cassette.Interaction{Request: req("GET", "https://h/applications?next=%2Fcb%3Ftoken%3D"+legacyToken, nil, "")},
			secrets: []string{legacyToken},
		},
		{
			name:    "legacy path, encoded letter",
			it:      cassette.Interaction{Request: req("GET", "https://h/%61pplications/Iv1.abc/tokens/"+nonHexSecret, nil, "")},
			secrets: []string{nonHexSecret},
		},
		{
			name:    "legacy path, encoded slashes",
			it:      cassette.Interaction{Request: req("GET", "https://h/applications/Iv1.abc%2Ftokens%2F"+nonHexSecret, nil, "")},
			secrets: []string{nonHexSecret},
		},
		{
			name: "legacy path in request_uri, encoded slashes",
			it: cassette.Interaction{Request: cassette.Request{Method: "GET", URL: "https://h/x",
				RequestURI: "/api/v3/applications/Iv1.abc%2Fgrants%2F" + nonHexSecret}},
			secrets: []string{nonHexSecret},
		},
		{
			name: "echoed Basic credentials under any name",
			it: cassette.Interaction{Response: cassette.Response{Headers: http.Header{"Content-Type": {"application/json"}},
				Body: `{"headers":{"Authorization":"Basic ` + basic("Iv1.abc", nonHexSecret) + `"},"seen":"Basic ` + basic("u", password) + `"}`}},
			secrets: []string{basic("Iv1.abc", nonHexSecret), basic("u", password)},
			keep:    []string{`"Authorization":"Basic `},
		},
		{
			name: "echoed token credentials",
			it: cassette.Interaction{Response: cassette.Response{Headers: http.Header{"Content-Type": {"application/json"}},
				Body: `{"auth":"token ` + nonHexSecret + `","b":"Bearer ` + nonHexSecret + `"}`}},
			secrets: []string{nonHexSecret},
		},
		{
			name: "echoed credentials in a text body",
			it: cassette.Interaction{Response: cassette.Response{Headers: http.Header{"Content-Type": {"text/plain"}},
				Body: "got Authorization: Basic " + basic("u", password) + " and token " + nonHexSecret + "9"}},
			secrets: []string{basic("u", password), nonHexSecret + "9"},
		},
	}
	r := redact.New(testKey, redact.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := clone(t, &tt.it)
			r.Interaction(it)
			all := marshal(t, it)
			for _, f := range redact.Scan(it, tt.secrets, r.Known) {
				t.Errorf("a secret survives redaction in %s:\n%s", f.Field, all)
			}
			for _, sec := range tt.secrets {
				if strings.Contains(all, sec) || strings.Contains(all, url.QueryEscape(sec)) {
					t.Errorf("a secret of %d characters survives redaction:\n%s", len(sec), all)
				}
			}
			for _, k := range tt.keep {
				if !strings.Contains(all, k) && !strings.Contains(it.Request.Body+it.Response.Body+it.Response.Status+it.Response.Headers.Get("Location"), k) {
					t.Errorf("redaction lost %q:\n%s", k, all)
				}
			}
			again := clone(t, it)
			r.Interaction(again)
			if marshal(t, again) != all {
				t.Errorf("redaction is not idempotent:\n%s\nthen\n%s", all, marshal(t, again))
			}
		})
	}
}
