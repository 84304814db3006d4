package ghactions_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/diff"
	"github.com/oauthcompat/oauthcompat/fleet"
	"github.com/oauthcompat/oauthcompat/ghactions"
	"github.com/oauthcompat/oauthcompat/schemas"
)

func TestEnabled(t *testing.T) {
	tests := []struct {
		mode, env string
		want      bool
		err       bool
	}{
		{"", "true", true, false},
		{"auto", "", false, false},
		{"auto", "false", false, false},
		{"github", "", true, false},
		{"none", "true", false, false},
		{"jenkins", "", false, true},
	}
	for _, tc := range tests {
		got, err := ghactions.Enabled(tc.mode, func(k string) string {
			if k == "GITHUB_ACTIONS" {
				return tc.env
			}
			return ""
		})
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("Enabled(%q) with GITHUB_ACTIONS=%q: %v, %v", tc.mode, tc.env, got, err)
		}
	}
}

func TestAnnotationEscaping(t *testing.T) {
	tests := []struct {
		a    ghactions.Annotation
		want string
	}{
		{ghactions.Annotation{Level: ghactions.LevelError, Title: "conform ghes-3.8: apps/check-token status-mismatch", Message: "100% wrong\nsecond line\r"},
			"::error title=conform ghes-3.8%3A apps/check-token status-mismatch::100%25 wrong%0Asecond line%0D"},
		{ghactions.Annotation{Level: ghactions.LevelWarning, Title: "a, b", Message: "x: y, z"}, "::warning title=a%2C b::x: y, z"},
		{ghactions.Annotation{Level: ghactions.LevelNotice, Message: "m"}, "::notice::m"},
	}
	for _, tc := range tests {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestWriteCaps(t *testing.T) {
	var annots []ghactions.Annotation
	for i := 0; i < 13; i++ {
		annots = append(annots, ghactions.Annotation{Level: ghactions.LevelError, Title: "t", Message: "e"})
	}
	annots = append(annots, ghactions.Annotation{Level: ghactions.LevelWarning, Title: "t", Message: "w"})
	var b strings.Builder
	if err := ghactions.Write(&b, annots, "report.json"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != ghactions.MaxPerLevel+2 || lines[len(lines)-1] != "::notice title=oauthcompat::3 more errors: see report.json" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestAppendSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	os.WriteFile(path, []byte("earlier step\n"), 0o644)
	getenv := func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return path
		}
		return ""
	}
	if err := ghactions.AppendSummary(getenv, "✅ **one**"); err != nil {
		t.Fatal(err)
	}
	if err := ghactions.AppendSummary(getenv, "❌ **two**\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if diff := cmp.Diff("earlier step\n✅ **one**\n\n❌ **two**\n\n", string(b)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	big := strings.Repeat("| row |\n", ghactions.MaxSummary/4)
	if err := ghactions.AppendSummary(getenv, big); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if added := fi.Size() - int64(len(b)); added > ghactions.MaxSummary || added < ghactions.MaxSummary/2 {
		t.Errorf("a large summary added %d bytes, want at most %d", added, ghactions.MaxSummary)
	}
	if err := ghactions.AppendSummary(func(string) string { return "" }, "x"); err != nil {
		t.Errorf("without GITHUB_STEP_SUMMARY: %v", err)
	}
}

func TestConformAnnotations(t *testing.T) {
	rep := &conformance.Report{Version: "ghes-3.3", Cases: []conformance.Case{
		{ID: "apps/check-authorization 200 valid token", Result: conformance.Fail, Findings: []conformance.Finding{
			{Rule: conformance.RuleEndpointRemoved, Severity: conformance.SeverityError, Operation: "apps/check-authorization", Message: "answered 404"},
			{Rule: conformance.RuleETagMissing, Severity: conformance.SeverityWarning, Operation: "apps/check-authorization", Message: "no ETag"},
		}},
		{ID: "apps/check-token 200 valid token", Result: conformance.Pass, Findings: []conformance.Finding{
			{Rule: "note", Severity: conformance.SeverityInfo, Operation: "apps/check-token", Message: "fyi"},
		}},
	}}
	got := ghactions.Conform("prod", rep, fleet.FailOnError)
	want := []ghactions.Annotation{
		{Level: ghactions.LevelError, Title: "conform prod ghes-3.3: apps/check-authorization endpoint-removed", Message: "apps/check-authorization 200 valid token: answered 404"},
		{Level: ghactions.LevelWarning, Title: "conform prod ghes-3.3: apps/check-authorization etag-missing", Message: "apps/check-authorization 200 valid token: no ETag"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := ghactions.Conform("", rep, fleet.FailOnNever); got[0].Level != ghactions.LevelWarning || got[0].Title != "conform ghes-3.3: apps/check-authorization endpoint-removed" {
		t.Errorf("fail-on never: %+v", got[0])
	}
}

func TestDiffAnnotations(t *testing.T) {
	cat := schemas.Default()
	from, _ := cat.Version("ghes-3.3")
	to, _ := cat.Version("ghes-3.4")
	rep, err := diff.New(cat).Documented(from, to)
	if err != nil {
		t.Fatal(err)
	}
	count := func(annots []ghactions.Annotation, l ghactions.Level) int {
		n := 0
		for _, a := range annots {
			if a.Level == l {
				n++
			}
		}
		return n
	}
	gated := ghactions.Diff("diff", rep, diff.SeverityBreaking)
	if count(gated, ghactions.LevelError) != rep.Summary.Breaking || count(gated, ghactions.LevelWarning) != rep.Summary.Warning {
		t.Errorf("fail-on breaking: %d errors, %d warnings; want %d, %d", count(gated, ghactions.LevelError), count(gated, ghactions.LevelWarning), rep.Summary.Breaking, rep.Summary.Warning)
	}
	if n := count(ghactions.Diff("diff", rep, ""), ghactions.LevelError); n != 0 {
		t.Errorf("without fail-on: %d errors, want none", n)
	}
	a := gated[0]
	if !strings.HasPrefix(a.Title, "diff ghes-3.3 → ghes-3.4: apps/") || !strings.Contains(a.Title, rep.Changes[0].Rule) || !strings.Contains(a.Message, "Migration: ") {
		t.Errorf("first annotation %+v", a)
	}
}
