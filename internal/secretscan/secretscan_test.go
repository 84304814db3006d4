package secretscan

import (
	"strings"
	"testing"
)

const tok = "gho_16C7e42F292c6912E7710c838347Ae178B4a"

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"plain token", "a " + tok + " b", []string{tok}},
		{"glued to a letter", "x" + tok, []string{tok}},
		{"percent-encoded", "/cb%3Faccess_token%3D" + tok, []string{tok}},
		{"token's own characters encoded", "next=gho%5F16C7e42F292c6912E7710c838347Ae178B4a", []string{tok}},
		{"doubly encoded", "a%253Dgho%255F16C7e42F292c6912E7710c838347Ae178B4a", []string{tok}},
		{"40 hex", "secret=" + strings.Repeat("ab", 20), []string{strings.Repeat("ab", 20)}},
		{"legacy path", "GET /applications/Iv1.x/tokens/hunter2hunter2?x", []string{"hunter2hunter2"}},
		{"legacy path in capitals", "DELETE /APPLICATIONS/Iv1.x/GRANTS/hunter2hunter2?x", []string{"hunter2hunter2"}},
		{"legacy path, encoded letter", "/%61pplications/1/tokens/hunter2", []string{"hunter2"}},
		{"legacy path, encoded slashes", "/applications/1%2Fgrants%2Fhunter2", []string{"hunter2"}},
		{"Basic credentials", `{"h":"Basic dXNlcjpwYXNzd29yZA=="}`, []string{"dXNlcjpwYXNzd29yZA=="}},
		{"token scheme", `"Authorization":"token s3cr3tvalue"`, []string{"s3cr3tvalue"}},
		{"bearer", "bearer AbCdEfGhIj", []string{"AbCdEfGhIj"}},
		{"decoded Basic keeps the user", "basic Iv1.0123456789abcdef:<secret>", nil},
		{"prose", "the token rejected; Bearer authentication failed; basic auth", nil},
		{"short", "gho_x", nil},
		{"path template", "GET /applications/{client_id}/tokens/{access_token}", nil},
		{"masked", "/applications/1/tokens/*** /applications/1/grants/<secret>", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Find(tc.in)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("Find(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	shape := func(string) string { return "***" }
	if got := Mask("see x"+tok+" and Basic dXNlcjpwYXNz", nil, shape); got != "see x*** and Basic ***" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("next=gho%5F16C7e42F292c6912E7710c838347Ae178B4a", nil, shape); got != "next=***" {
		t.Errorf("a token with its own characters encoded: %q, want it cut out", got)
	}
	if got := Mask(tok+" gho%5F16C7e42F292c6912E7710c838347Ae178B4a", nil, shape); got != "*** ***" {
		t.Errorf("a token in clear and encoded: %q", got)
	}
	if got := Mask("/applications/1%2Ftokens%2Fhunter%32", nil, shape); got != Hidden {
		t.Errorf("a legacy path token only a decoded view holds: %q, want the whole text hidden", got)
	}
	keep := func(v string) bool { return v == tok }
	if got := Mask("x"+tok, keep, shape); got != "x"+tok {
		t.Errorf("a kept value is masked: %q", got)
	}
}

// FuzzMask checks that no secret Find sees survives Mask, and that Mask
// never panics.
func FuzzMask(f *testing.F) {
	for _, s := range []string{tok, "%3D" + tok, "/%61pplications/1/tokens/abcdefgh", "Basic dXNlcjpwYXNz", "gho%5F16C7e42F292c6912E7710c838347Ae178B4a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Mask(s, nil, func(string) string { return "*" })
		if out == Hidden {
			return
		}
		if left := Find(out); len(left) > 0 {
			t.Fatalf("Mask(%q) = %q still holds %q", s, out, left)
		}
	})
}
