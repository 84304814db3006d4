package cassettes_test

import (
	"net/http"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

func TestHeader(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		key  string
		want string
	}{
		{"canonical", http.Header{"Authorization": {"token a"}}, "Authorization", "token a"},
		{"asked in lower case", http.Header{"Authorization": {"token a"}}, "authorization", "token a"},
		{"written in lower case", http.Header{"authorization": {"token b"}}, "Authorization", "token b"},
		{"written in capitals", http.Header{"X-GITHUB-OTP": {"123456"}}, "X-Github-Otp", "123456"},
		{"canonical first", http.Header{"authorization": {"b"}, "Authorization": {"a"}}, "Authorization", "a"},
		{"an empty list is absent", http.Header{"authorization": {}, "AUTHORIZATION": {"c"}}, "Authorization", "c"},
		{"absent", http.Header{"Accept": {"x"}}, "Authorization", ""},
		{"nil", nil, "Authorization", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cassettes.Header(tc.h, tc.key); got != tc.want {
				t.Errorf("Header(%v, %q) = %q, want %q", tc.h, tc.key, got, tc.want)
			}
		})
	}
}
