package reports

import (
	_ "embed"
	"html/template"
	"io"
	"sort"
	"strconv"

	"github.com/oauthcompat/oauthcompat/conformance"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"summary": SummaryLine,
	"seconds": seconds,
}).Parse(htmlSource))

// Cell is one (operation, version) of the HTML matrix.
type Cell struct {
	Result string // "pass", "fail", "not-exercised", "probe-pass", "probe-fail", or "" (not documented, not probed); cases that cannot be provoked count for none
	Text   string
	Title  string
}

// Row is one operation of the matrix.
type Row struct {
	Key   string // "METHOD /path"
	ID    string
	Cells []Cell
}

// Matrix is the version × operation matrix of one or more reports.
type Matrix struct {
	Versions []string
	Rows     []Row
}

// MatrixOf builds the matrix: one column per report, one row per operation
// any of them covers. A cell is the worst result of the operation's cases:
// fail, then not exercised, then pass.
func MatrixOf(reps ...*conformance.Report) Matrix {
	type agg struct {
		pass, fail, skip, unprov int
		probe                    bool
	}
	var m Matrix
	rows := map[string]*Row{}
	cells := map[string][]agg{}
	for i, r := range reps {
		m.Versions = append(m.Versions, r.Version+" ("+r.Mode+")")
		for _, c := range r.Cases {
			key := c.Method + " " + c.Path
			if rows[key] == nil {
				rows[key] = &Row{Key: key, ID: c.Operation}
				cells[key] = make([]agg, len(reps))
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
		for _, a := range cells[k] {
			var c Cell
			total := a.pass + a.fail + a.skip
			switch {
			case total == 0 && a.unprov > 0:
				c = Cell{"cannot-provoke", "–", "documented, but no request can provoke it"}
			case total == 0:
			case a.probe && a.fail > 0:
				c = Cell{"probe-fail", "live", "not documented, but the endpoint still answers"}
			case a.probe:
				c = Cell{"probe-pass", "404", "not documented, and it answers 404"}
			case a.fail > 0:
				c = Cell{"fail", strconv.Itoa(a.fail) + "/" + strconv.Itoa(total) + " fail", "some cases failed"}
			case a.skip > 0:
				c = Cell{"not-exercised", strconv.Itoa(a.pass) + "/" + strconv.Itoa(total), "some cases were not exercised"}
			default:
				c = Cell{"pass", strconv.Itoa(a.pass) + "/" + strconv.Itoa(total), "every case passed"}
			}
			row.Cells = append(row.Cells, c)
		}
		m.Rows = append(m.Rows, *row)
	}
	return m
}

// WriteHTML writes a single self-contained HTML page (no scripts, no
// external resources): the version × operation matrix coloured by result,
// then every case of each report with its findings and redacted evidence.
func WriteHTML(w io.Writer, reps ...*conformance.Report) error {
	return htmlTmpl.Execute(w, struct {
		Matrix  Matrix
		Reports []*conformance.Report
	}{MatrixOf(reps...), reps})
}
