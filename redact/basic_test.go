package redact_test

import (
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
)

// TestDecodeBasic: Basic credentials as clients send them (padded or
// not, with spaces around) decode alike; what is not base64 does not.
func TestDecodeBasic(t *testing.T) {
	for _, tc := range []struct {
		cred, user, pass string
		colon, ok        bool
	}{
		{"SXYxLmFiYzpzM2NyZXQ=", "Iv1.abc", "s3cret", true, true},
		{"SXYxLmFiYzpzM2NyZXQ", "Iv1.abc", "s3cret", true, true},
		{"  SXYxLmFiYzpzM2NyZXQ=  ", "Iv1.abc", "s3cret", true, true},
		{"b2N0b2NhdA==", "octocat", "", false, true},
		{"dTpwOnE=", "u", "p:q", true, true},
		{"not base64!", "", "", false, false},
	} {
		user, pass, colon, ok := redact.DecodeBasic(tc.cred)
		if user != tc.user || pass != tc.pass || colon != tc.colon || ok != tc.ok {
			t.Errorf("DecodeBasic(%q) = %q, %q, %v, %v; want %q, %q, %v, %v", tc.cred, user, pass, colon, ok, tc.user, tc.pass, tc.colon, tc.ok)
		}
	}
}
