package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/fleet"
	"github.com/oauthcompat/oauthcompat/internal/htmlstyle"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"summary": SummaryLine,
	"seconds": seconds,
}).Parse(htmlSource))

// Cell is one (operation, column) of the HTML matrix.
type Cell struct {
	Result string // "pass", "fail", "not-exercised", "probe-pass", "probe-fail", or "" (not documented, not probed); cases that cannot be provoked count for none
	Text   string
	Title  string
	Href   string // "#anchor" of the operation's cases in that column; "" when it has none
}

// Row is one operation of the matrix.
type Row struct {
	Key   string // "METHOD /path"
	ID    string
	Cells []Cell
	OK    bool // no cell failed
}

// Matrix is the column × operation matrix of one or more reports.
type Matrix struct {
	Versions []string // the columns' labels
	Rows     []Row
}

// MatrixOf builds the matrix: one column per report, one row per operation
// any of them covers. A cell is the worst result of the operation's cases:
// fail, then not exercised, then pass. Cells link to the cases as
// [WriteHTML] anchors them.
func MatrixOf(reps ...*conformance.Report) Matrix {
	reps = maskedAll(reps)
	cols := make([]column, len(reps))
	for i, r := range reps {
		cols[i] = column{Label: r.Version + " (" + r.Mode + ")", Report: r}
	}
	anchors(cols)
	return matrixOf(cols)
}

func matrixOf(cols []column) Matrix {
	type agg struct {
		pass, fail, skip, unprov int
		probe                    bool
	}
	var m Matrix
	var unchecked []int // columns without a report
	rows := map[string]*Row{}
	cells := map[string][]agg{}
	for i, col := range cols {
		m.Versions = append(m.Versions, col.Label)
		if col.Report == nil {
			unchecked = append(unchecked, i)
			continue
		}
		for _, c := range col.Report.Cases {
			key := c.Method + " " + c.Path
			if rows[key] == nil {
				rows[key] = &Row{Key: key, ID: c.Operation}
				cells[key] = make([]agg, len(cols))
			}
			a := &cells[key][i]
			a.probe = c.Probe
			switch c.Result {
			case conformance.Pass:
				a.pass++
			case conformance.Fail:
				a.fail++
			case conformance.CannotProvoke:
				a.unprov++
			default:
				a.skip++
			}
		}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row := rows[k]
		row.OK = true
		for i, a := range cells[k] {
			var c Cell
			total := a.pass + a.fail + a.skip
			switch {
			case total == 0 && a.unprov > 0:
				c = Cell{Result: "cannot-provoke", Text: "–", Title: "documented, but no request can provoke it"}
			case total == 0:
			case a.probe && a.fail > 0:
				c = Cell{Result: "probe-fail", Text: "live", Title: "not documented, but the endpoint still answers"}
			case a.probe:
				c = Cell{Result: "probe-pass", Text: "404", Title: "not documented, and it answers 404"}
			case a.fail > 0:
				c = Cell{Result: "fail", Text: strconv.Itoa(a.fail) + "/" + strconv.Itoa(total) + " fail", Title: "some cases failed"}
			case a.skip > 0:
				c = Cell{Result: "not-exercised", Text: strconv.Itoa(a.pass) + "/" + strconv.Itoa(total), Title: "some cases were not exercised"}
			default:
				c = Cell{Result: "pass", Text: strconv.Itoa(a.pass) + "/" + strconv.Itoa(total), Title: "every case passed"}
			}
			if total+a.unprov > 0 {
				c.Href = "#" + cols[i].groupIDs[k]
			}
			if a.fail > 0 {
				row.OK = false
			}
			if slices.Contains(unchecked, i) {
				c = Cell{Result: "not-checked", Text: "—", Title: "not checked: see the server's section", Href: "#" + cols[i].Anchor}
			}
			row.Cells = append(row.Cells, c)
		}
		m.Rows = append(m.Rows, *row)
	}
	return m
}

// column is one report on a page: a version's run, or a server of a
// fleet run (whose Report is nil when it could not be checked).
type column struct {
	Label  string // matrix heading
	Anchor string // unique id prefix on the page
	Title  string // section heading
	Detail string // what was checked, how
	Line   string // verdict line
	OK     bool
	Error  string
	Notes  []string
	Report *conformance.Report
	Groups []group

	groupIDs map[string]string // operation key ("METHOD /path") -> its group's anchor
}

// group is the cases of one operation, in run order.
type group struct {
	Anchor string
	Key    string
	ID     string
	Probe  bool
	OK     bool
	Cases  []caseRow
}

type caseRow struct {
	conformance.Case
	Anchor string
}

// anchors gives each column a unique anchor prefix, and its cases, grouped
// by operation, unique anchors under it.
func anchors(cols []column) {
	used := map[string]bool{}
	unique := func(s string) string {
		if s == "" {
			s = "r"
		}
		a := s
		for n := 2; used[a]; n++ {
			a = s + "-" + strconv.Itoa(n)
		}
		used[a] = true
		return a
	}
	for i := range cols {
		col := &cols[i]
		col.Anchor = unique(slug(col.Label))
		col.groupIDs = map[string]string{}
		if col.Report == nil {
			continue
		}
		idx := map[string]int{}
		for _, c := range col.Report.Cases {
			key := c.Method + " " + c.Path
			g, ok := idx[key]
			if !ok {
				g = len(col.Groups)
				idx[key] = g
				a := unique(col.Anchor + "-" + slug(key))
				col.groupIDs[key] = a
				col.Groups = append(col.Groups, group{Anchor: a, Key: key, ID: c.Operation, Probe: c.Probe, OK: true})
			}
			col.Groups[g].Cases = append(col.Groups[g].Cases, caseRow{Case: c, Anchor: unique(col.Anchor + "--" + slug(c.ID))})
			if c.Result == conformance.Fail {
				col.Groups[g].OK = false
			}
		}
	}
}

// slug makes an HTML id from s: lower-case letters, digits and single
// hyphens ("GET /applications/{client_id}" is "get-applications-client-id").
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
			if r == '.' {
				r = '-'
			}
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// page is what the template renders.
type page struct {
	Title   string
	CSS     template.CSS
	Heading string
	Verdict string
	OK      bool
	Lines   bool // list each column's verdict line under the verdict
	Matrix  Matrix
	Columns []column
	Failed  bool // some case failed somewhere
}

// WriteHTML writes a single self-contained HTML page (no scripts, no
// external resources): the version × operation matrix coloured by result,
// each cell linking to its cases, then every case of each report, anchored
// and grouped by operation, with its findings and redacted evidence. A
// "failures only" switch hides what passed.
func WriteHTML(w io.Writer, reps ...*conformance.Report) error {
	reps = maskedAll(reps)
	cols := make([]column, len(reps))
	p := page{Heading: "oauthcompat conform", OK: true, CSS: htmlstyle.CSS, Lines: len(reps) > 1}
	var names []string
	for i, r := range reps {
		cols[i] = column{Label: r.Version + " (" + r.Mode + ")", Title: r.Version + " (" + r.Mode + ") — " + r.Target, Line: SummaryLine(r), OK: r.Conformant, Report: r}
		cols[i].Detail = detail(r)
		p.OK = p.OK && r.Conformant
		names = append(names, r.Version)
	}
	p.Title = "oauthcompat conform · " + strings.Join(names, " · ")
	switch len(reps) {
	case 1:
		p.Verdict = SummaryLine(reps[0])
	default:
		n := 0
		for _, r := range reps {
			if r.Conformant {
				n++
			}
		}
		p.Verdict = strconv.Itoa(n) + " of " + strconv.Itoa(len(reps)) + " reports conformant"
	}
	return render(w, p, cols)
}

// WriteFleetHTML writes the report of a run over many servers as one
// self-contained page: the verdict of the run and of each server, the
// servers × operations matrix with each cell linking to that server's
// cases of the operation, and each server's cases.
func WriteFleetHTML(w io.Writer, r *fleet.Report) error {
	r = maskedFleet(r)
	p := page{Heading: "oauthcompat conform — fleet", Title: "oauthcompat conform · fleet of " + strconv.Itoa(len(r.Targets)), CSS: htmlstyle.CSS,
		Verdict: r.Line(), OK: r.Verdict == fleet.Conformant, Lines: true}
	cols := make([]column, len(r.Targets))
	for i, t := range r.Targets {
		cols[i] = column{Label: t.Name, Title: t.Name + " — " + t.URL, Line: t.Line(), OK: t.Verdict == fleet.Conformant, Error: t.Error, Notes: t.Notes, Report: t.Report}
		version := t.Version
		if version == "" {
			version = "version unknown"
		}
		cols[i].Detail = version + " (" + t.VersionFrom + ")"
		if t.VersionFrom == "" {
			cols[i].Detail = version
		}
		if t.Report != nil {
			cols[i].Detail += "; " + detail(t.Report)
		}
		if t.Report == nil {
			cols[i].Label += " (" + string(t.Verdict) + ")"
		}
	}
	return render(w, p, cols)
}

func render(w io.Writer, p page, cols []column) error {
	anchors(cols)
	p.Columns = cols
	p.Matrix = matrixOf(cols)
	for _, c := range cols {
		if c.Report != nil && c.Report.Failed() {
			p.Failed = true
		}
	}
	return htmlTmpl.Execute(w, p)
}

// detail is "65 cases in 1.2s: 64 passed, ...".
func detail(r *conformance.Report) string {
	s := r.Summary
	return fmt.Sprintf("%d cases in %ss: %d passed, %d failed, %d not exercised, %d cannot be provoked; %d of %d documented (operation, status) pairs exercised, %d cannot be provoked",
		s.Cases, seconds(r.Duration), s.Passed, s.Failed, s.NotExercised, s.CannotProvoke, s.Exercised, s.Documented, s.Unprovokable)
}

// Op is the anchor of the cases of operation "METHOD /path" in the column,
// or "" when it has none.
func (c column) Op(method, path string) string { return c.groupIDs[method+" "+path] }
