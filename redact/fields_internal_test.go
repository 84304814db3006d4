package redact

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestIsSecretFieldMatchesToLower holds the fast paths of IsSecretField
// to its definition: the lower-cased name is a key of secretFields.
func TestIsSecretFieldMatchesToLower(t *testing.T) {
	names := []string{"", "otp", "OTP", "Token", "TOKEN", "tokens", "toke", "password", "Password", "PASSWORD1",
		"access_token", "Access_Token", "refresh_token", "REFRESH_TOKEN", "client_secret", "Client_Secret",
		"client_id", "hashed_token", "token_last_eight", "to\u212Aen", "\u212Aey", "paſſword", "ſecret",
		"access_token_with_a_long_suffix", "tokén", "x-github-otp"}
	for k := range secretFields {
		names = append(names, k, strings.ToUpper(k), k+" ", " "+k)
	}
	for _, n := range names {
		if got, want := IsSecretField(n), secretFields[strings.ToLower(n)]; got != want {
			t.Errorf("IsSecretField(%q) = %v, want %v", n, got, want)
		}
	}
}

// TestQuoteFastPath holds quote's fast path to encoding/json's output.
func TestQuoteFastPath(t *testing.T) {
	for _, s := range []string{"", "plain", "with space", `q"uote`, `back\slash`, "tab\t", "nl\n", "<>&", "del\x7f",
		"é", "\u2028", "bad\xff", "gho_abcdefghijklmnop1234", "https://example.com/a?b=c&d=e"} {
		plain := plainJSONString(s)
		if got, want := quote(s), encoderQuote(s); got != want {
			t.Errorf("quote(%q) = %q, want %q (fast path %v)", s, got, want, plain)
		}
	}
}

func encoderQuote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// TestKindOfMatchesToLower holds kindOf's fast paths to its definition:
// the lower-cased name's entry in headerKinds.
func TestKindOfMatchesToLower(t *testing.T) {
	names := []string{"", "Content-Type", "Cookies", "X-GitHub-OTPs", "Authorisation", "cooKie", "\u212Aookie",
		"Set-Coo\u212Aie", "X-GITHUB-OTP", "Proxy-Authorization", "proxy-authorizatioN", "Authorizatioñ"}
	for k := range headerKinds {
		names = append(names, k, strings.ToUpper(k), strings.ToUpper(k[:1])+k[1:], k+"x")
	}
	for _, n := range names {
		if got, want := kindOf(n), headerKinds[strings.ToLower(n)]; got != want {
			t.Errorf("kindOf(%q) = %v, want %v", n, got, want)
		}
	}
}
