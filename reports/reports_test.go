package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/internal/testenv"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/reports"
	"github.com/oauthcompat/oauthcompat/schemas"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

var update = flag.Bool("update", false, "rewrite golden files")

const fixedHost = "http://127.0.0.1:8080"

// creds are the first app's, with the user that has two-factor
// authentication, so every case runs.
func creds(f reference.Fixtures) conformance.Credentials {
	u := f.Users[0]
	for _, x := range f.Users {
		if x.OTP != "" {
			u = x
		}
	}
	c := conformance.Credentials{ClientID: f.Apps[0].ClientID, ClientSecret: f.Apps[0].ClientSecret, Username: u.Login, Password: u.Password, OTP: u.OTP, AllowLockout: u.OTP != ""}
	for _, t := range f.Tokens {
		if t.ClientID == c.ClientID {
			c.Tokens = append(c.Tokens, t.Value)
		}
	}
	return c
}

// run runs the suite for version against the reference server; with
// removeLegacy the legacy path-token endpoints answer 404 as if removed,
// so the report has failures and findings. Times are zeroed and the
// server's address fixed, so the rendered reports are stable.
func run(t *testing.T, version string, removeLegacy bool) *conformance.Report {
	t.Helper()
	v, err := schemas.Default().Version(version)
	if err != nil {
		t.Fatal(err)
	}
	f := reference.DefaultFixtures()
	var h http.Handler
	if removeLegacy {
		h = legacyRemoved(t, version)
	} else if h, err = reference.New(v, f); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = strings.TrimPrefix(fixedHost, "http://")
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	base := ts.URL
	rep, err := conformance.Run(context.Background(), conformance.Config{Version: v, BaseURL: base, Credentials: creds(f), Nonce: "golden", Target: fixedHost})
	if err != nil {
		t.Fatal(err)
	}
	rep.Started = time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)
	rep.Duration = conformance.Duration(123 * time.Millisecond)
	for i := range rep.Cases {
		rep.Cases[i].Duration = conformance.Duration(time.Millisecond)
	}
	return rep
}

// legacyRemoved is the reference server of version with the legacy
// path-token endpoints answering 404 as if removed.
func legacyRemoved(t *testing.T, version string) http.Handler {
	return testenv.LegacyRemoved(t, version)
}

func render(t *testing.T, f reports.Format, rep *conformance.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := reports.Write(&b, f, rep); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	reps := map[string]*conformance.Report{
		"ghes-3.8-pass":           run(t, "ghes-3.8", false),
		"ghes-3.3-legacy-removed": run(t, "ghes-3.3", true),
	}
	for name, rep := range reps {
		for _, f := range reports.Formats {
			t.Run(name+"/"+string(f), func(t *testing.T) {
				got := render(t, f, rep)
				path := filepath.Join("testdata", name+"."+strings.TrimPrefix(filepath.Ext(f.File()), "."))
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./reports -update)", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", path, diff)
				}
			})
		}
	}
}

func TestNoSecrets(t *testing.T) {
	rep := run(t, "ghes-3.3", true)
	c := creds(reference.DefaultFixtures())
	for _, f := range reports.Formats {
		out := string(render(t, f, rep))
		for _, s := range append([]string{c.ClientSecret, c.Password}, c.Tokens...) {
			if strings.Contains(out, s) {
				t.Errorf("%s report holds a secret (%.8s…)", f, s)
			}
		}
		if strings.Contains(out, "gho_") && !strings.Contains(out, "gho_***") {
			t.Errorf("%s report holds an unmasked token", f)
		}
	}
}

func TestJUnitParsesAndCounts(t *testing.T) {
	for _, rep := range []*conformance.Report{run(t, "ghes-3.8", false), run(t, "ghes-3.3", true)} {
		var doc reports.JUnitSuites
		if err := xml.Unmarshal(render(t, reports.JUnit, rep), &doc); err != nil {
			t.Fatalf("%s: JUnit does not parse: %v", rep.Version, err)
		}
		if len(doc.Suites) != 1 {
			t.Fatalf("%s: %d suites, want 1", rep.Version, len(doc.Suites))
		}
		s := doc.Suites[0]
		var failures, skipped int
		for _, c := range s.Cases {
			if c.Failure != nil {
				failures++
				if c.Failure.Message == "" || c.Failure.Type == "" {
					t.Errorf("%s: failure of %s has no message or type", rep.Version, c.Name)
				}
			}
			if c.Skipped != nil {
				skipped++
			}
		}
		got := []int{doc.Tests, s.Tests, len(s.Cases), s.Failures, failures, s.Skipped, skipped}
		skips := rep.Summary.NotExercised + rep.Summary.CannotProvoke
		want := []int{rep.Summary.Cases, rep.Summary.Cases, rep.Summary.Cases, rep.Summary.Failed, rep.Summary.Failed, skips, skips}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: counts [tests suite.tests cases failures failed skipped skippedCases] (-want +got):\n%s", rep.Version, diff)
		}
	}
}

func TestJSONMatchesSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	if err := c.AddResource(reports.SchemaID, bytes.NewReader(reports.JSONSchema)); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(reports.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	for _, rep := range []*conformance.Report{run(t, "ghes-3.8", false), run(t, "ghes-3.3", true), run(t, "github.ae", false)} {
		var doc any
		dec := json.NewDecoder(bytes.NewReader(render(t, reports.JSON, rep)))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s: report.json does not match its schema: %#v", rep.Version, err)
		}
	}
	// The schema must reject what it does not describe.
	var bad any
	json.Unmarshal([]byte(`{"$schema":"`+reports.SchemaID+`","version":"x"}`), &bad)
	if sch.Validate(bad) == nil {
		t.Error("the schema accepts a report without its required fields")
	}
}

func TestMarkdownStartsWithSummary(t *testing.T) {
	rep := run(t, "ghes-3.3", true)
	first, _, _ := strings.Cut(string(render(t, reports.Markdown, rep)), "\n")
	if !strings.Contains(first, reports.SummaryLine(rep)) || !strings.HasPrefix(first, "❌") {
		t.Errorf("first line %q, want the summary line with ❌", first)
	}
}

func TestHTMLSelfContained(t *testing.T) {
	out := string(render(t, reports.HTML, run(t, "ghes-3.3", true)))
	for _, bad := range []string{"<script", "<link", "src=", "@import"} {
		if strings.Contains(out, bad) {
			t.Errorf("report.html uses %q: it must stand alone", bad)
		}
	}
	checkLinks(t, out)
	for _, want := range []string{`class="cell fail"`, `class="cell pass"`, "endpoint-removed", `id="verdict"`,
		// a failing cell links to its cases, and each case has an anchor
		`<td class="cell fail" title="some cases failed"><a href="#ghes-3-3-live-get-applications-client-id-tokens-access-token">`,
		`<tr id="ghes-3-3-live--apps-check-authorization-404-unknown-token" class="pass ok">`} {
		if !strings.Contains(out, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if out := string(render(t, reports.HTML, run(t, "ghes-3.8", false))); !strings.Contains(out, `class="cell probe-pass"`) {
		t.Error("the ghes-3.8 report.html does not show the removed legacy endpoints as probes answering 404")
	}
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		in   string
		want []reports.Format
		err  bool
	}{
		{"", reports.Formats, false},
		{"junit,json,md,html", reports.Formats, false},
		{"markdown, xml,md", []reports.Format{reports.Markdown, reports.JUnit}, false},
		{"pdf", nil, true},
	}
	for _, tc := range tests {
		got, err := reports.ParseFormats(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("ParseFormats(%q) error %v, want error %v", tc.in, err, tc.err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseFormats(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	paths, err := reports.WriteFiles(filepath.Join(dir, "r"), run(t, "github.ae", false), reports.Formats)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	if diff := cmp.Diff([]string{"report.xml", "report.json", "report.md", "report.html"}, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

// TestEveryClassificationHasItsReason: every case, whatever its result
// (pass, fail, not exercised, cannot be provoked), has a reason, and every
// format shows it (docs/fidelity.md, "Classifications").
func TestEveryClassificationHasItsReason(t *testing.T) {
	rep := run(t, "ghes-3.3", true)
	seen := map[conformance.Outcome]bool{}
	out := map[reports.Format]string{}
	for _, f := range reports.Formats {
		out[f] = string(render(t, f, rep))
	}
	escape := map[reports.Format]func(string) string{
		reports.JUnit: func(s string) string {
			var b bytes.Buffer
			xml.EscapeText(&b, []byte(s))
			return strings.ReplaceAll(b.String(), "&#xA;", "\n")
		},
		reports.JSON: func(s string) string { b, _ := json.Marshal(s); return strings.Trim(string(b), `"`) },
		reports.Markdown: func(s string) string {
			return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "`", "'").Replace(s)
		},
		reports.HTML: func(s string) string { return template.HTMLEscapeString(s) },
	}
	for _, c := range rep.Cases {
		seen[c.Result] = true
		if c.Reason == "" {
			t.Errorf("%s (%s) has no reason", c.ID, c.Result)
			continue
		}
		for _, f := range reports.Formats {
			if f == reports.Markdown && c.Result == conformance.Fail {
				continue // the failures table quotes the findings, which the reason summarises
			}
			if !strings.Contains(out[f], escape[f](c.Reason)) {
				t.Errorf("%s: the reason of %s (%s) is missing: %q", f, c.ID, c.Result, c.Reason)
			}
		}
	}
	for _, o := range []conformance.Outcome{conformance.Pass, conformance.Fail, conformance.NotExercised, conformance.CannotProvoke} {
		if !seen[o] {
			t.Errorf("the report has no %s case to check", o)
		}
	}
}
