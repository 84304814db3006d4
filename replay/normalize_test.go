package replay

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// general canonicalises body the slow, general way.
func general(n *normalizer, body []byte) string {
	t, ok := n.decodeJSON(body, false)
	if !ok {
		return "invalid"
	}
	var b strings.Builder
	b.WriteString("j:")
	writeCanonical(&b, t)
	return b.String()
}

var jsonSeeds = []string{
	`{}`, ` { } `, `{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`,
	"{\n  \"b\" : \"2\",\n\t\"a\":\"1\" }", `{"a":"1","a":"2"}`, `{"a":"\u00e9"}`, `{"a":"x\"y"}`, `{"a":1}`,
	`{"client_secret":"abc","note":"n"}`, `{"a":"1",}`, `{"a":"1"} x`, `{"a" "1"}`, `{"a":"ü"}`,
}

func TestFlatJSONAgrees(t *testing.T) {
	for _, shape := range []bool{false, true} {
		n := &normalizer{shape: shape}
		for _, s := range jsonSeeds {
			if c, ok := n.flatJSON([]byte(strings.TrimSpace(s))); ok {
				if diff := cmp.Diff(general(n, []byte(s)), c); diff != "" {
					t.Errorf("shape=%v %s (-general +flat):\n%s", shape, s, diff)
				}
			}
		}
	}
	n := &normalizer{shape: true}
	got, _ := n.flatJSON([]byte(`{"note":"x", "access_token" : "gho_16C7e42F292c6912E7710c838347Ae178B4a"}`))
	if want := `j:{"access_token":"<secret gho_>","note":"x"}`; got != want {
		t.Errorf("flatJSON = %s, want %s", got, want)
	}
}

// FuzzFlatJSON holds that the fast canonical form of a flat body is the
// general one.
func FuzzFlatJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, shape bool) {
		n := &normalizer{shape: shape}
		if len(body) == 0 || body[0] != '{' {
			return // body() only calls flatJSON on trimmed objects
		}
		if c, ok := n.flatJSON(body); ok {
			if g := general(n, body); g != c {
				t.Fatalf("%q: general %s, flat %s", body, g, c)
			}
		}
	})
}

func TestShapeTokens(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/applications/x/tokens/gho_16C7e42F292c6912E7710c838347Ae178B4a", "/applications/x/tokens/<secret gho_>"},
		{"a ghp_aaaaaaaaaaaaaaaaaaaa b", "a <secret ghp_> b"},
		{"xgho_16C7e42F292c6912E7710c838347Ae178B4a", "x<secret gho_>"}, // glued: a token all the same
		{"gho_short", "gho_short"},
		{"0123456789abcdef0123456789abcdef01234567", "<secret>"},
		{"0123456789abcdef0123456789abcdef012345678", "0123456789abcdef0123456789abcdef012345678"},
		{"github_pat_11AAAAAAAAAAAAAAAAAAAAAA_bbbb", "<secret github_pat_>"},
	}
	for _, tc := range tests {
		if got := shapeTokens(tc.in); got != tc.want {
			t.Errorf("shapeTokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := authShape("Basic SXYxLng6c2VjcmV0"), "basic Iv1.x:<secret>"; got != want {
		t.Errorf("authShape = %q, want %q", got, want)
	}
}
