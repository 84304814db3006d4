package redact_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
)

var update = flag.Bool("update", false, "rewrite testdata/pseudonyms.golden")

// TestPseudonymsAreStable pins the pseudonyms of secrets of every shape
// under one key: a cassette recorded by one version of oauthcompat must
// match, replay and lint clean with the next, so a change to how they are
// derived (however it is made faster) must leave them as they are.
func TestPseudonymsAreStable(t *testing.T) {
	r := redact.New([]byte("a golden key of thirty-two bytes!"), redact.Options{})
	inputs := []struct{ kind, in string }{
		{"token", "gho_16C7e42F292c6912E7710c838347Ae178B4a"},
		{"token", "ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII"},
		{"token", "ghu_0000000000000000000000000000000000zz"},
		{"token", "ghs_short1234"},
		{"token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"},
		{"token", "e72e16c7e42f292c6912e7710c838347ae178b4a"},
		{"token", "E72E16C7E42F292C6912E7710C838347AE178B4A"},
		{"secret", "c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b"},
		{"secret", "hunter2"},
		{"secret", "correct horse battery staple"},
		{"secret", "p@ss-w0rd!"},
		{"secret", "123456"},
		{"secret", "Iv1.8a61f9b3a7aba766"},
		{"secret", "ghp_x"},
	}
	var b strings.Builder
	for _, c := range inputs {
		var p string
		if c.kind == "token" {
			p = r.Token(c.in)
			if r.Token(p) != p {
				t.Errorf("Token(%q) = %q is not a fixed point", c.in, p)
			}
		} else {
			p = r.Secret(c.in)
			if r.Secret(p) != p {
				t.Errorf("Secret(%q) = %q is not a fixed point", c.in, p)
			}
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", c.kind, c.in, p)
	}
	const golden = "testdata/pseudonyms.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("pseudonyms changed:\ngot:\n%swant:\n%s", got, want)
	}
}
