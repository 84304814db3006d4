package diff_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/diff"
	"regexp"
	"strconv"
)

var update = flag.Bool("update", false, "rewrite golden files and the committed reports")

// checkGolden compares got with the file, or rewrites it under -update.
func checkGolden(t *testing.T, path string, got []byte, hint string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; %s", err, hint)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s is stale; %s\n(-want +got):\n%s", path, hint, cmp.Diff(string(want), string(got)))
	}
}

func render(t *testing.T, rep *diff.Report, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := rep.Write(&b, format); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	d := diff.New(nil)
	reports := map[string]func() (*diff.Report, error){
		"documented-ghes-3.3..ghes-3.4": func() (*diff.Report, error) {
			return d.Documented(version(t, "ghes-3.3"), version(t, "ghes-3.4"))
		},
		"documented-ghes-3.8..api.github.com": func() (*diff.Report, error) {
			return d.Documented(version(t, "ghes-3.8"), version(t, "api.github.com"))
		},
		"observed-conform-3.2..conform-3.8": func() (*diff.Report, error) {
			return d.Observed(load(t, d, "conform-3.2"), load(t, d, "conform-3.8"))
		},
		"upgrade-legacy-client..ghes-3.4": func() (*diff.Report, error) {
			return d.UpgradeCheck(load(t, d, "traffic-legacy-client"), nil, version(t, "ghes-3.4"))
		},
		"upgrade-body-client..ghes-3.4": func() (*diff.Report, error) {
			return d.UpgradeCheck(load(t, d, "traffic-body-client"), nil, version(t, "ghes-3.4"))
		},
	}
	for name, mk := range reports {
		t.Run(name, func(t *testing.T) {
			rep, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"md", "json"} {
				checkGolden(t, filepath.Join("testdata", "golden", name+"."+f), render(t, rep, f), "run go test ./diff -update and review the diff")
			}
		})
	}
}

func TestMarkdownStartsWithSummary(t *testing.T) {
	rep := documented(t, "ghes-3.3", "ghes-3.4")
	first, _, _ := strings.Cut(string(render(t, rep, "md")), "\n")
	if first != "4 breaking, 12 warnings, 0 info" {
		t.Errorf("first line = %q", first)
	}
	if got := (diff.Summary{Breaking: 3, Warning: 1, Info: 12}).String(); got != "3 breaking, 1 warning, 12 info" {
		t.Errorf("Summary.String() = %q", got)
	}
}

// The JSON output is stable: the same report renders to the same bytes,
// and it decodes back into the same report.
func TestJSONRoundTrip(t *testing.T) {
	rep := documented(t, "ghes-2.22", "ghes-3.4")
	a, b := render(t, rep, "json"), render(t, documented(t, "ghes-2.22", "ghes-3.4"), "json")
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same diff differ")
	}
	var back diff.Report
	if err := json.Unmarshal(a, &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(*rep, back); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	// The top-level keys documented in docs/diff.md.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(a, &top); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if d := cmp.Diff([]string{"changes", "from", "kind", "summary", "to"}, keys); d != "" {
		t.Errorf("top-level keys (-want +got):\n%s", d)
	}
	// An empty report still has an array of changes.
	if !bytes.Contains(render(t, documented(t, "ghes-3.5", "ghes-3.6"), "json"), []byte(`"changes": []`)) {
		t.Error(`an empty report must render "changes": []`)
	}
}

func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	rep := &diff.Report{Kind: diff.KindDocumented, From: "a<b", To: "c", Changes: []diff.Change{{
		Rule: "operation-removed", Severity: diff.SeverityBreaking, Method: "GET", Path: "/x",
		Message: `<script>alert("x")</script>`, Migration: &diff.Migration{Note: "<img src=x>"},
	}}}
	rep.Sort()
	page := string(render(t, rep, "html"))
	for _, bad := range []string{"<script", "<img", "<link", "src=\"", "href=\"http", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{"<!DOCTYPE html>", "<style>", "&lt;script&gt;", "a&lt;b", "1 breaking"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := (&diff.Report{}).Write(&bytes.Buffer{}, "pdf"); err == nil {
		t.Error("want an error for format pdf")
	}
}

// Every rule is documented in docs/diff.md with its severity, on one
// table row: | `rule-id` | severity | ... |.
func TestRulesDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "diff.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, r := range diff.Rules() {
		row := "| `" + r.ID + "` | " + string(r.Severity) + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/diff.md has no row %q", row)
		}
	}
}

// TestHTMLNavigable: the verdict comes first, every change has an anchor,
// and every link within the page names an element.
func TestHTMLNavigable(t *testing.T) {
	rep := documented(t, "ghes-3.3", "ghes-3.4")
	page := string(render(t, rep, "html"))
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`\sid="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if ids[m[1]] {
			t.Errorf("id %q used twice", m[1])
		}
		ids[m[1]] = true
	}
	links := regexp.MustCompile(`\shref="#([^"]*)"`).FindAllStringSubmatch(page, -1)
	for _, m := range links {
		if !ids[m[1]] {
			t.Errorf("link #%s names no element", m[1])
		}
	}
	for i := range rep.Changes {
		if !ids["change-"+strconv.Itoa(i+1)] {
			t.Errorf("change %d has no anchor", i+1)
		}
	}
	if len(links) < len(rep.Changes) {
		t.Errorf("%d links for %d changes", len(links), len(rep.Changes))
	}
	v := strings.Index(page, `id="verdict"`)
	if v < 0 || v > strings.Index(page, "<main>") || !strings.Contains(page[v:], rep.Summary.String()) {
		t.Error("the verdict does not come first")
	}
}
