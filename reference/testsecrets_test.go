package reference_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
)

// TestIsTestSecret checks that the published test credentials are known,
// with what a server derives from them and the tokens it mints from the
// default seed, and that nothing else is.
func TestIsTestSecret(t *testing.T) {
	f := reference.DefaultFixtures()
	// A token the default server mints: reset the first one.
	h := newHarness(t, version(t, "3.8"), f)
	r := h.do("PATCH", tokenPath(app1), body(tok(0)), asApp)
	var reset struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(r.body, &reset); err != nil || r.code != 200 {
		t.Fatalf("reset: %d %s", r.code, r.body)
	}
	sum := func(s string) string { x := sha256.Sum256([]byte(s)); return hex.EncodeToString(x[:]) }
	known := []string{
		f.Apps[0].ClientSecret, f.Apps[1].ClientSecret, f.Users[0].Password, f.Users[1].Password,
		f.Tokens[0].Value, f.Tokens[6].Value, f.Authorizations[0].Token, f.Authorizations[1].Token,
		sum(f.Authorizations[0].Token), f.Authorizations[0].Token[32:],
		reset.Token, sum(reset.Token), reset.Token[len(reset.Token)-8:],
		"ghu_" + reset.Token[4:], "ghp_" + reset.Token[4:],
		reference.UnknownToken, reference.WrongClientSecret, reference.WrongPassword, reference.WrongSecret, reference.WrongOTP, reference.NumberToken, reference.DefaultOTP,
	}
	for _, s := range known {
		if !reference.IsTestSecret(s) {
			t.Errorf("IsTestSecret(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "octocat", f.Apps[0].ClientID, "gho_16C7e42F292c6912E7710c838347Ae178B4a", "hunter2", sum("x")} {
		if reference.IsTestSecret(s) {
			t.Errorf("IsTestSecret(%q) = true, want false", s)
		}
	}
}
