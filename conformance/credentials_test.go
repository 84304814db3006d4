package conformance_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/conformance"
)

func TestLoadCredentials(t *testing.T) {
	want := conformance.Credentials{ClientID: "Iv1.abc", ClientSecret: "s3cret", Username: "octocat", Password: "pw", Tokens: []string{"gho_a", "gho_b"}}
	tests := []struct {
		name, content string
		want          conformance.Credentials
		err           string
	}{
		{"json list", `{"client_id":"Iv1.abc","client_secret":"s3cret","username":"octocat","password":"pw","tokens":["gho_a","gho_b"]}`, want, ""},
		{"json string", `{"client_id":"Iv1.abc","client_secret":"s3cret","username":"octocat","password":"pw","tokens":"gho_a, gho_b"}`, want, ""},
		{"env lines", "# test app\nOAUTHCOMPAT_CLIENT_ID=Iv1.abc\nexport OAUTHCOMPAT_CLIENT_SECRET='s3cret'\n\nOAUTHCOMPAT_USERNAME=octocat\nOAUTHCOMPAT_PASSWORD=\"pw\"\nOAUTHCOMPAT_TOKENS=gho_a,gho_b,\n", want, ""},
		{"unknown key", "OAUTHCOMPAT_CLIENT_ID=x\nGITHUB_TOKEN=gho_secretvalue\n", conformance.Credentials{}, "creds:2: unknown key \"GITHUB_TOKEN\""},
		{"not key=value", "OAUTHCOMPAT_PASSWORD\n", conformance.Credentials{}, "creds:1: want KEY=VALUE"},
		{"unknown json field", `{"secret":"x"}`, conformance.Credentials{}, "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "creds")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := conformance.LoadCredentials(path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "gho_secretvalue") {
					t.Errorf("the error shows a value: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCredentialShapeCheck(t *testing.T) {
	rec := conformance.CredentialShape{App: true, User: true, Tokens: 2}
	ok := conformance.Credentials{ClientID: "a", ClientSecret: "b", Username: "u", Password: "p", Tokens: []string{"x", "y"}}
	if err := rec.Check(ok); err != nil {
		t.Errorf("same shape: %v", err)
	}
	ok.Tokens = ok.Tokens[:1]
	if err := rec.Check(ok); err == nil || !strings.Contains(err.Error(), "OAUTHCOMPAT_TOKENS with 2 token(s) (given: 1)") {
		t.Errorf("fewer tokens: %v", err)
	}
}
