package replay_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

func TestLint(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	red := redact.New(key, redact.Options{})
	dir := t.TempDir()
	recordSession(t, "ghes-3.2", dir, redact.New(key, redact.Options{}))

	findings, err := replay.Lint(dir, replay.LintOptions{Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.Info {
			t.Errorf("a recorded session should be clean: %s", f)
		}
	}

	// Without the key, the recorded credentials cannot be vouched for.
	findings, err = replay.Lint(dir, replay.LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) == 0 || findings[0].Kind != replay.FindingSecret {
		t.Errorf("without the key: got %v, want unredacted-secret findings for the credentials", findings)
	}

	// A hand-made cassette with one problem per interaction.
	tok := "gho_16C7e42F292c6912E7710c838347Ae178B4a"
	writeCassette(t, filepath.Join(dir, "ghes-3.2", "bad.yaml"),
		rec{"POST", "http://x/api/v3/applications/Iv1.8a61f9b3a7aba766/token", http.Header{"Authorization": {basic("Iv1.8a61f9b3a7aba766", "c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b")}}, "", 404, nil, ""},
		rec{"PUT", "http://x/api/v3/authorizations/clients/Iv1.8a61f9b3a7aba766", nil, `{"client_secret":"c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b","scopes":["repo"]}`, 422, jsonHeader(nil), `{"message":"Validation Failed"}`},
		rec{"GET", "http://x/api/v3/applications/Iv1.8a61f9b3a7aba766/tokens/" + red.Token(tok), nil, "", 200, jsonHeader(nil), `{"token":"` + red.Token(tok) + `","hashed_token":"00"}`},
		rec{"GET", "http://x/api/v3/applications/nothing/here/at/all", nil, "", 200, nil, ""},
		rec{"GET", "http://x/api/v3/applications/grants", nil, "", 599, nil, ""},
	)
	os.WriteFile(filepath.Join(dir, "ghes-3.2", "broken.yaml"), []byte("version: 2\ninteractions:\n  - id: [\n"), 0o644)
	findings, err = replay.Lint(dir, replay.LintOptions{Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	type key2 struct {
		File        string
		Interaction int
		Kind        string
	}
	var got []key2
	for _, f := range findings {
		t.Log(f)
		if filepath.Base(f.File) != "session.yaml" {
			got = append(got, key2{filepath.Base(f.File), f.Interaction, f.Kind})
		}
	}
	want := []key2{
		{"bad.yaml", 0, replay.FindingSchema}, // 404 without a body
		{"bad.yaml", 0, replay.FindingSecret},
		{"bad.yaml", 1, replay.FindingSchema}, // 422 without documentation_url
		{"bad.yaml", 1, replay.FindingSecret},
		{"bad.yaml", 2, replay.FindingHash},
		{"bad.yaml", 2, replay.FindingSchema},
		{"bad.yaml", 2, replay.FindingSecret}, // the hash is no pseudonym
		{"bad.yaml", 3, replay.FindingNoOperation},
		{"bad.yaml", 4, replay.FindingUndocumented},
		{"broken.yaml", -1, replay.FindingYAML},
	}
	sort.Slice(got, func(i, j int) bool {
		a, b := got[i], got[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Interaction != b.Interaction {
			return a.Interaction < b.Interaction
		}
		return a.Kind < b.Kind
	})
	got = uniq(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range findings {
		if bytes.Contains([]byte(f.Message), []byte("c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b")) {
			t.Errorf("a finding prints the secret: %s", f)
		}
	}
}

func uniq[T comparable](s []T) []T {
	var out []T
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
