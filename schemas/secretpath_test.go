package schemas_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/schemas"
)

func TestSecretPathParams(t *testing.T) {
	const tok = "gho_16C7e42F292c6912E7710c838347Ae178B4a"
	tests := []struct {
		path string
		want []int
		mask string // MaskPath(path, "{access_token}")
	}{
		{"/applications/Iv1.x/tokens/" + tok, []int{4}, "/applications/Iv1.x/tokens/{access_token}"},
		{"/api/v3/applications/Iv1.x/tokens/" + tok, []int{6}, "/api/v3/applications/Iv1.x/tokens/{access_token}"},
		{"/applications/Iv1.x/grants/notshapedlikeatoken", []int{4}, "/applications/Iv1.x/grants/{access_token}"},
		// Any method, any trailing part, a query and a fragment kept.
		{"/applications/Iv1.x/tokens/secret/extra?client_id=Iv1.x#f", []int{4}, "/applications/Iv1.x/tokens/{access_token}/extra?client_id=Iv1.x#f"},
		{"/API/V3/Applications/Iv1.x/TOKENS/secret", []int{6}, "/API/V3/Applications/Iv1.x/TOKENS/{access_token}"},
		{"//applications//Iv1.x/tokens//secret", []int{7}, "//applications//Iv1.x/tokens//{access_token}"},
		{"/applications/grants/tokens/secret", []int{4}, "/applications/grants/tokens/{access_token}"},
		// Nothing secret.
		{"/applications/Iv1.x/token", nil, ""},
		{"/applications/Iv1.x/tokens/", nil, ""},
		{"/applications/Iv1.x/tokens", nil, ""},
		{"/applications/grants/42", nil, ""},
		{"/authorizations/clients/Iv1.x/fingerprint", nil, ""},
		{"/repos/o/r/applications/x/tokens/y", nil, ""},
		{"/api/v3/authorizations/1", nil, ""},
		{"", nil, ""},
		{"applications", nil, ""},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, schemas.SecretPathParams(tc.path)); diff != "" {
			t.Errorf("SecretPathParams(%q) (-want +got):\n%s", tc.path, diff)
		}
		want := tc.mask
		if want == "" {
			want = tc.path
		}
		got := schemas.MaskPath(tc.path, "{access_token}")
		if got != want {
			t.Errorf("MaskPath(%q) = %q, want %q", tc.path, got, want)
		}
		if tc.want != nil && strings.Contains(got, "secret") && !strings.Contains(want, "secret") {
			t.Errorf("MaskPath(%q) = %q keeps the secret", tc.path, got)
		}
	}
}

// TestSecretPathParamsCoversCatalog checks every {access_token} the catalog
// documents in a path is where SecretPathParams looks, so the
// position-based answer is never narrower than the catalog's.
func TestSecretPathParamsCoversCatalog(t *testing.T) {
	for _, op := range schemas.Default().Operations() {
		segs := strings.Split(op.Path, "/")
		var want []int
		for i, s := range segs {
			if s == "{access_token}" || s == "{token}" {
				want = append(want, i)
			}
		}
		path := strings.NewReplacer("{client_id}", "Iv1.x", "{access_token}", "secret", "{token}", "secret").Replace(op.Path)
		if diff := cmp.Diff(want, schemas.SecretPathParams(path)); diff != "" {
			t.Errorf("%s %s: (-catalog +SecretPathParams):\n%s", op.Method, op.Path, diff)
		}
	}
}
