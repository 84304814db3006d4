package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/convert"
)

// TestImportCounts: import says how many interactions it imported and
// how many entries it skipped, by reason, in the singular and the plural;
// entries it could not read are named, and the exit code is 3 then, as
// for any input that does not load, after the readable ones are imported.
func TestImportCounts(t *testing.T) {
	c, err := cassettes.Load("../../replay/testdata/ghes-3.8/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := convert.HAR(c.Interactions)
	if err != nil {
		t.Fatal(err)
	}
	var har map[string]any
	json.Unmarshal(data, &har)
	entries := har["log"].(map[string]any)["entries"].([]any)
	entry := func(i int) map[string]any {
		b, _ := json.Marshal(entries[i])
		var e map[string]any
		json.Unmarshal(b, &e)
		return e
	}
	notOAuth := entry(0)
	notOAuth["request"].(map[string]any)["url"] = "https://ghes.example.com/api/v3/user"
	unreadable := entry(0)
	unreadable["request"].(map[string]any)["url"] = "/relative"
	write := func(es ...any) string {
		log := har["log"].(map[string]any)
		log["entries"] = es
		b, _ := json.Marshal(har)
		p := filepath.Join(t.TempDir(), "capture.har")
		os.WriteFile(p, b, 0o644)
		return p
	}
	for _, tc := range []struct {
		name    string
		entries []any
		code    int
		want    []string
	}{
		{"one", []any{entries[0]}, exitOK, []string{"1 interaction imported", "0 entries skipped"}},
		{"all kinds", []any{entries[0], entries[1], notOAuth, notOAuth, unreadable}, exitFailure, []string{
			"2 interactions imported", "3 entries skipped", "2 not an OAuth endpoint (pass --record-all to keep them)", "1 unreadable", "entry 4", "not absolute"}},
		{"one skipped", []any{entries[0], notOAuth}, exitOK, []string{"1 interaction imported", "1 entry skipped", "1 not an OAuth endpoint (pass --record-all to keep it)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "cassette", "import", "--from", "har", "--cassettes", t.TempDir(), write(tc.entries...))
			if code != tc.code {
				t.Errorf("exit %d, want %d:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
		})
	}
}
