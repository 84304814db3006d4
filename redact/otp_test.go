package redact_test

import (
	"net/http"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// TestOTPHeader: a one-time password a client sends in X-GitHub-OTP never
// reaches a cassette, while GitHub's answer that one is required ("required;
// app" or "required; sms") is kept as it is, so a replay shows the client
// the same challenge (docs/fidelity.md, "Two-factor authentication").
func TestOTPHeader(t *testing.T) {
	r := redact.New([]byte("otp-test-key-of-32-bytes-length!"), redact.Options{})
	for _, tc := range []struct {
		value string
		keep  bool
	}{
		{"123456", false},
		{"00112233", false},
		{"required; 123456", false},
		{"required; app", true},
		{"required; sms", true},
		{"Required;SMS", true},
	} {
		req := cassette.Request{Method: "GET", URL: "https://ghe.example.com/api/v3/authorizations", Headers: http.Header{"X-Github-Otp": {tc.value}}}
		resp := cassette.Response{Code: 401, Headers: http.Header{"X-Github-Otp": {tc.value}}}
		i := &cassette.Interaction{Request: req, Response: resp}
		r.Interaction(i)
		for where, got := range map[string]string{"request": i.Request.Headers.Get("X-Github-Otp"), "response": i.Response.Headers.Get("X-Github-Otp")} {
			if tc.keep && got != tc.value {
				t.Errorf("%s X-GitHub-OTP %q became %q, want it kept", where, tc.value, got)
			}
			if !tc.keep && (got == tc.value || got == "") {
				t.Errorf("%s X-GitHub-OTP %q was recorded as %q, want a pseudonym", where, tc.value, got)
			}
		}
	}
}
