package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/fleet"
	"github.com/oauthcompat/oauthcompat/internal/testenv"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/reports"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// fleetRun runs two reference servers and an unreachable address.
func fleetRun(t *testing.T) *fleet.Report {
	t.Helper()
	getenv := testenv.Getenv(testenv.Env("A_", "B_"))
	a := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	legacy := testenv.LegacyRemovedServer(t, "ghes-3.3")
	closed := testenv.ClosedURL(t)
	return fleet.Run(context.Background(), []fleet.Target{
		{Name: "prod", URL: a.URL + "/api/v3", Version: "auto", CredentialsEnvPrefix: "A_"},
		{Name: "legacy", URL: legacy, Version: "3.3", CredentialsEnvPrefix: "B_"},
		{Name: "dr", URL: closed, Version: "auto"},
	}, fleet.Config{Getenv: getenv})
}

func TestFleetReports(t *testing.T) {
	rep := fleetRun(t)
	if got := []fleet.Verdict{rep.Targets[0].Verdict, rep.Targets[1].Verdict, rep.Targets[2].Verdict}; !cmp.Equal(got, []fleet.Verdict{fleet.Conformant, fleet.NotConformant, fleet.Unreachable}) {
		t.Fatalf("verdicts %v", got)
	}
	// A server's line says what SummaryLine says of its report.
	prod := rep.Targets[0]
	if got, want := strings.TrimPrefix(prod.Line(), "prod (ghes-3.8): "), strings.TrimPrefix(reports.SummaryLine(prod.Report), "ghes-3.8 (live): "); got != want || !strings.Contains(want, "cannot be provoked") {
		t.Errorf("prod's line says %q, the summary line %q", got, want)
	}
	var out = map[reports.Format]string{}
	for _, f := range reports.Formats {
		var b bytes.Buffer
		if err := reports.WriteFleet(&b, f, rep); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = b.String()
	}
	t.Run("json", func(t *testing.T) {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		c.AssertFormat = true
		for id, s := range map[string][]byte{reports.SchemaID: reports.JSONSchema, reports.FleetSchemaID: reports.FleetJSONSchema} {
			if err := c.AddResource(id, bytes.NewReader(s)); err != nil {
				t.Fatal(err)
			}
		}
		sch, err := c.Compile(reports.FleetSchemaID)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		dec := json.NewDecoder(strings.NewReader(out[reports.JSON]))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("the fleet report.json does not match its schema: %#v", err)
		}
		var got struct {
			ExitCode int `json:"exit_code"`
			Targets  []struct {
				Name, Verdict, Error string
				Report               *struct {
					Version string
					Cases   []any
				}
			}
		}
		json.Unmarshal([]byte(out[reports.JSON]), &got)
		if got.ExitCode != 2 || len(got.Targets) != 3 || got.Targets[0].Report == nil || len(got.Targets[0].Report.Cases) == 0 || got.Targets[2].Report != nil || got.Targets[2].Error == "" {
			t.Errorf("report.json: %+v", got)
		}
	})
	t.Run("html", func(t *testing.T) {
		html := out[reports.HTML]
		checkLinks(t, html)
		if !strings.Contains(html, `id="verdict"`) || !strings.Contains(html, rep.Line()) {
			t.Error("index.html does not start with the run's verdict")
		}
		// Each matrix cell links to that server's cases of the operation.
		for _, want := range []string{`<th>prod</th>`, `<th>legacy</th>`, `<th>dr (unreachable)</th>`, `href="#prod-post-applications-client-id-token"`, `href="#legacy-get-applications-client-id-tokens-access-token"`, "connection refused"} {
			if !strings.Contains(html, want) {
				t.Errorf("index.html lacks %s", want)
			}
		}
		selfContained(t, html)
	})
	t.Run("md", func(t *testing.T) {
		md := out[reports.Markdown]
		first, _, _ := strings.Cut(md, "\n")
		if first != "❌ **"+rep.Line()+"**" {
			t.Errorf("first line %q", first)
		}
		for _, want := range []string{"| prod | ghes-3.8 (detected) | ✅ conformant |", "### legacy: failures", "endpoint-removed", "| dr | — | ⚠️ unreachable: cannot reach"} {
			if !strings.Contains(md, want) {
				t.Errorf("report.md lacks %q", want)
			}
		}
	})
	t.Run("junit", func(t *testing.T) {
		var doc reports.JUnitSuites
		if err := xml.Unmarshal([]byte(out[reports.JUnit]), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Suites) != 3 || doc.Suites[2].Errors != 1 || doc.Suites[2].Cases[0].Error == nil || doc.Suites[1].Failures == 0 {
			t.Errorf("suites: %+v", doc.Suites)
		}
	})
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := reports.WriteFleetFiles(dir, rep, reports.Formats); err != nil {
			t.Fatal(err)
		}
		var names []string
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				names = append(names, filepath.ToSlash(rel))
			}
			return nil
		})
		sort.Strings(names)
		want := []string{"index.html", "legacy/report.html", "legacy/report.json", "legacy/report.md", "legacy/report.xml", "prod/report.html", "prod/report.json", "prod/report.md", "prod/report.xml", "report.json", "report.md", "report.xml"}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
	})
}

var (
	idAttr   = regexp.MustCompile(`\sid="([^"]+)"`)
	hrefAttr = regexp.MustCompile(`\shref="([^"]*)"`)
)

// checkLinks fails when an id is used twice, or a link within the page
// names no element.
func checkLinks(t *testing.T, html string) {
	t.Helper()
	ids := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
		if ids[m[1]] {
			t.Errorf("id %q is used twice", m[1])
		}
		ids[m[1]] = true
	}
	links := 0
	for _, m := range hrefAttr.FindAllStringSubmatch(html, -1) {
		frag, ok := strings.CutPrefix(m[1], "#")
		if !ok {
			t.Errorf("link %q leaves the page", m[1])
			continue
		}
		links++
		if !ids[frag] {
			t.Errorf("link %q names no element", m[1])
		}
	}
	if links < 10 {
		t.Errorf("only %d links within the page", links)
	}
}

// selfContained fails when the page would load anything.
func selfContained(t *testing.T, html string) {
	t.Helper()
	for _, bad := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(html, bad) {
			t.Errorf("the page uses %q: it must stand alone", bad)
		}
	}
}

// TestFleetNoSecrets: no format of a fleet report holds a credential of
// the run.
func TestFleetNoSecrets(t *testing.T) {
	rep := fleetRun(t)
	c := creds(reference.DefaultFixtures())
	for _, f := range reports.Formats {
		var b bytes.Buffer
		if err := reports.WriteFleet(&b, f, rep); err != nil {
			t.Fatal(err)
		}
		for _, s := range append([]string{c.ClientSecret, c.Password}, c.Tokens...) {
			if strings.Contains(b.String(), s) {
				t.Errorf("fleet %s report holds a secret (%.8s…)", f, s)
			}
		}
	}
}
