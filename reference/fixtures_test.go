package reference_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/reference"
)

func TestDefaultFixturesRoundTrip(t *testing.T) {
	f := reference.DefaultFixtures()
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fixtures.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := reference.LoadFixtures(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if len(f.Tokens) < 5 || len(f.Authorizations) < 2 || len(f.Apps) < 1 || len(f.Users) < 1 {
		t.Errorf("the default seed is too small for a conformance run: %d tokens", len(f.Tokens))
	}
}

// TestLoadFixturesErrors: a bad fixtures file is refused with an error
// naming the file, the field and the problem.
func TestLoadFixturesErrors(t *testing.T) {
	good := reference.DefaultFixtures()
	mutate := func(fn func(f *reference.Fixtures)) string {
		f := reference.DefaultFixtures()
		fn(&f)
		b, _ := json.Marshal(f)
		return string(b)
	}
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"syntax", "{\n  \"apps\": [}\n", []string{"line 2 column", "invalid JSON"}},
		{"type", `{"users":[{"login":"a","password":"p","id":"one"}]}`, []string{"users.id", "want int64", "string"}},
		{"unknown field", `{"appz":[]}`, []string{`unknown field "appz"`}},
		{"empty", ``, []string{"empty file"}},
		{"trailing", `{} {}`, []string{"trailing data"}},
		{"bad token", mutate(func(f *reference.Fixtures) { f.Tokens[2].Value = "gho_short" }), []string{"tokens[2].value", "not a GitHub token"}},
		{"bad checksum", mutate(func(f *reference.Fixtures) { f.Tokens[0].Value = f.Tokens[0].Value[:39] + "x" }), []string{"tokens[0].value", "checksum"}},
		{"unknown user", mutate(func(f *reference.Fixtures) { f.Tokens[1].User = "bob" }), []string{"tokens[1].user", `no user "bob"`}},
		{"unknown app", mutate(func(f *reference.Fixtures) { f.Authorizations[1].ClientID = "nope" }), []string{"authorizations[1].client_id", `no app "nope"`}},
		{"duplicate app", mutate(func(f *reference.Fixtures) { f.Apps[1].ClientID = good.Apps[0].ClientID }), []string{"apps[1].client_id", "duplicate"}},
		{"duplicate token", mutate(func(f *reference.Fixtures) { f.Tokens[1].Value = good.Tokens[0].Value }), []string{"tokens[1].value", "same token as tokens[0].value"}},
		{"personal without note", mutate(func(f *reference.Fixtures) { f.Authorizations[0].Note = "" }), []string{"authorizations[0].note", "needs a note"}},
		{"relative app url", mutate(func(f *reference.Fixtures) { f.Apps[0].URL = "octo-cli" }), []string{"apps[0].url", "not an absolute URL"}},
		{"user id", mutate(func(f *reference.Fixtures) { f.Users[1].ID = 0 }), []string{"users[1].id", "positive"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seed.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := reference.LoadFixtures(path)
			if err == nil {
				t.Fatal("loaded; want an error")
			}
			for _, w := range append([]string{path}, tc.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := reference.LoadFixtures(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestNewRefusesInconsistentFixtures(t *testing.T) {
	f := reference.DefaultFixtures()
	f.Tokens[0].ClientID = "nope"
	if _, err := reference.New(version(t, "3.8"), f); err == nil || !strings.Contains(err.Error(), "tokens[0].client_id") {
		t.Errorf("New: %v; want an error naming tokens[0].client_id", err)
	}
}
