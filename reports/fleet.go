package reports

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/fleet"
)

// FleetSchemaID is the $schema of the JSON report of a run over many
// servers: [FleetJSONSchema]. Each server's "report" is a report.json
// document ([SchemaID]).
const FleetSchemaID = "https://oauthcompat.invalid/schemas/conform-fleet-report-v1.json"

// FleetJSONSchema is the JSON Schema (draft 2020-12) of a fleet run's
// report.json. It refers to [JSONSchema] for each server's report.
//
//go:embed conform-fleet-report.schema.json
var FleetJSONSchema []byte

// FleetIndex is the file name of a fleet run's HTML report.
const FleetIndex = "index.html"

type fleetJSON struct {
	Schema string `json:"$schema"`
	*fleet.Report
	Targets []fleetTargetJSON `json:"targets"`
}

type fleetTargetJSON struct {
	fleet.Result
	Report *jsonReport `json:"report,omitempty"`
}

// WriteFleetJSON writes the report of a run over many servers: the run's
// verdict, exit code and counts, and for each server its verdict, the
// version and where it came from, why it was not checked, and its full
// report as report.json has it.
func WriteFleetJSON(w io.Writer, r *fleet.Report) error {
	r = maskedFleet(r)
	doc := fleetJSON{Schema: FleetSchemaID, Report: r, Targets: []fleetTargetJSON{}}
	for _, t := range r.Targets {
		ft := fleetTargetJSON{Result: t}
		if t.Report != nil {
			ft.Report = jsonOf(t.Report)
		}
		doc.Targets = append(doc.Targets, ft)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// WriteFleetMarkdown writes the run over many servers as Markdown: the
// verdict first, a table of the servers, each failing server's failures,
// and the servers × operations coverage folded away.
func WriteFleetMarkdown(w io.Writer, r *fleet.Report) error {
	r = maskedFleet(r)
	var b strings.Builder
	icon := "✅"
	if r.Verdict != fleet.Conformant {
		icon = "❌"
	}
	fmt.Fprintf(&b, "%s **%s**\n\n", icon, mdEscape(r.Line()))
	b.WriteString("| server | version | verdict | passed | failed | not exercised | documented statuses exercised |\n|---|---|---|---|---|---|---|\n")
	for _, t := range r.Targets {
		version := t.Version
		if version == "" {
			version = "—"
		} else if strings.HasPrefix(t.VersionFrom, "detected") {
			version += " (detected)"
		}
		if t.Report == nil || t.Error != "" {
			fmt.Fprintf(&b, "| %s | %s | %s %s: %s | | | | |\n", mdEscape(t.Name), version, verdictIcon(t.Verdict), t.Verdict, mdEscape(t.Error))
			continue
		}
		s := t.Report.Summary
		fmt.Fprintf(&b, "| %s | %s | %s %s | %d | %d | %d | %d/%d |\n", mdEscape(t.Name), version, verdictIcon(t.Verdict), t.Verdict, s.Passed, s.Failed, s.NotExercised, s.Exercised, s.Documented)
	}
	for _, t := range r.Targets {
		if t.Report != nil && t.Report.Failed() {
			fmt.Fprintf(&b, "\n### %s: failures\n\n", mdEscape(t.Name))
			writeFailures(&b, t.Report)
		}
	}
	m := matrixOf(fleetColumns(r))
	b.WriteString("\n<details><summary>Coverage: operation × server</summary>\n\n| operation |")
	for _, v := range m.Versions {
		fmt.Fprintf(&b, " %s |", mdEscape(v))
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(m.Versions)) + "\n")
	for _, row := range m.Rows {
		fmt.Fprintf(&b, "| `%s` |", row.Key)
		for _, c := range row.Cells {
			fmt.Fprintf(&b, " %s |", cellMarkdown(c))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n</details>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func cellMarkdown(c Cell) string {
	switch c.Result {
	case "":
		return ""
	case "pass", "probe-pass":
		return "✅ " + c.Text
	case "fail", "probe-fail":
		return "❌ " + c.Text
	}
	return "⚪ " + c.Text
}

func verdictIcon(v fleet.Verdict) string {
	switch v {
	case fleet.Conformant:
		return "✅"
	case fleet.NotConformant:
		return "❌"
	}
	return "⚠️"
}

// fleetColumns are the servers of r as matrix columns.
func fleetColumns(r *fleet.Report) []column {
	cols := make([]column, len(r.Targets))
	for i, t := range r.Targets {
		cols[i] = column{Label: t.Name, Report: t.Report}
	}
	anchors(cols)
	return cols
}

// WriteFleetJUnit writes one JUnit suite per server; a server that could
// not be checked is a suite with one errored test case saying why.
func WriteFleetJUnit(w io.Writer, r *fleet.Report) error {
	r = maskedFleet(r)
	doc := JUnitSuites{Name: "oauthcompat conform fleet"}
	for _, t := range r.Targets {
		if t.Report == nil {
			doc.Suites = append(doc.Suites, JUnitSuite{
				Name: "oauthcompat conform " + t.Name, Tests: 1, Errors: 1, Time: "0.000",
				Properties: []JUnitProperty{{Name: "target", Value: t.URL}, {Name: "verdict", Value: string(t.Verdict)}},
				Cases:      []JUnitCase{{Name: "check " + t.Name, Classname: "oauthcompat.fleet." + t.Name, Time: "0.000", Error: &JUnitFailure{Message: t.Error, Type: string(t.Verdict)}}},
			})
			doc.Tests++
			continue
		}
		s := JUnitOf(t.Report).Suites[0]
		s.Name = "oauthcompat conform " + t.Name + " " + t.Report.Version
		s.Properties = append([]JUnitProperty{{Name: "server", Value: t.Name}, {Name: "verdict", Value: string(t.Verdict)}}, s.Properties...)
		if t.VersionFrom != "" {
			s.Properties = append(s.Properties, JUnitProperty{Name: "version_from", Value: t.VersionFrom})
		}
		for i := range s.Cases {
			s.Cases[i].Classname = "oauthcompat." + t.Name + "." + t.Report.Version + "." + s.Cases[i].Classname[strings.LastIndex(s.Cases[i].Classname, ".")+1:]
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = seconds(r.Duration)
	return encodeJUnit(w, doc)
}

// WriteFleet renders r in format f: the fleet's report.json, index.html,
// report.md or report.xml.
func WriteFleet(w io.Writer, f Format, r *fleet.Report) error {
	switch f {
	case JUnit:
		return WriteFleetJUnit(w, r)
	case JSON:
		return WriteFleetJSON(w, r)
	case Markdown:
		return WriteFleetMarkdown(w, r)
	case HTML:
		return WriteFleetHTML(w, r)
	}
	return fmt.Errorf("unknown report format %q", f)
}

// FleetFile is the file name format f is written to for a fleet run:
// index.html for HTML, else as [Format.File].
func FleetFile(f Format) string {
	if f == HTML {
		return FleetIndex
	}
	return f.File()
}

// WriteFleetFiles writes the run's combined reports into dir (report.json,
// index.html, report.md, report.xml, as formats selects) and each checked
// server's own reports into dir/<name>/, every file atomically, and
// returns the paths written.
func WriteFleetFiles(dir string, r *fleet.Report, formats []Format) ([]string, error) {
	paths, err := writeFormats(dir, formats, FleetFile, func(w io.Writer, f Format) error { return WriteFleet(w, f, r) })
	if err != nil {
		return paths, err
	}
	for _, t := range r.Targets {
		if t.Report == nil {
			continue
		}
		ps, err := WriteFiles(filepath.Join(dir, t.Name), t.Report, formats)
		paths = append(paths, ps...)
		if err != nil {
			return paths, err
		}
	}
	return paths, nil
}

// jsonOf is r as report.json has it.
func jsonOf(r *conformance.Report) *jsonReport {
	f := r.Findings()
	if f == nil {
		f = []conformance.Finding{}
	}
	c := *r
	if c.Cases == nil {
		c.Cases = []conformance.Case{}
	}
	if c.Coverage == nil {
		c.Coverage = []conformance.Coverage{}
	}
	return &jsonReport{Schema: SchemaID, Report: &c, Findings: f}
}
