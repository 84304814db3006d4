package diff

import (
	"html/template"
	"io"
	"strconv"

	"github.com/oauthcompat/oauthcompat/internal/htmlstyle"
)

// WriteHTML renders the report as one self-contained HTML page: inline
// CSS, no scripts, no external assets. The verdict comes first; every
// change has an anchor; a "breaking only" switch hides the rest. Every
// value is escaped by html/template.
func (r *Report) WriteHTML(w io.Writer) error {
	type row struct {
		Change
		Anchor string
	}
	groups := []struct {
		Severity Severity
		Title    string
		Anchor   string
		Changes  []row
	}{{SeverityBreaking, "Breaking", "breaking", nil}, {SeverityWarning, "Warnings", "warnings", nil}, {SeverityInfo, "Info", "info", nil}}
	for i, c := range r.Changes {
		for g := range groups {
			if groups[g].Severity == c.Severity {
				groups[g].Changes = append(groups[g].Changes, row{c, "change-" + strconv.Itoa(i+1)})
			}
		}
	}
	return htmlPage.Execute(w, map[string]any{"R": r, "Groups": groups, "CSS": htmlstyle.CSS, "Breaking": r.Breaking()})
}

var htmlPage = template.Must(template.New("diff").Funcs(template.FuncMap{
	"statuses": joinStatuses,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{.R.Title}}</title>
<style>
{{.CSS}}
</style>
</head>
<body>
<input type="checkbox" id="only" aria-label="show breaking changes only">
<header class="top">
<h1>{{.R.Title}}</h1>
<p id="verdict" class="verdict {{if .Breaking}}bad-text{{else}}ok-text{{end}}">{{if .Breaking}}✘{{else}}✔{{end}} {{.R.Summary}}</p>
{{range .R.Notes}}<p class="note bad-text">⚠ {{.}}</p>
{{end -}}
<nav class="toc">{{range .Groups}}{{if .Changes}}<a href="#{{.Anchor}}"><span class="pill {{.Severity}}">{{len .Changes}} {{.Severity}}</span></a>{{end}}{{end}}<label for="only" class="toggle">breaking only</label></nav>
</header>
<main>
{{- if not .R.Changes}}
<p>No changes.</p>
{{- else}}
<p class="if-only">{{if .Breaking}}Showing only the breaking changes.{{else}}Nothing breaks.{{end}}</p>
{{- end}}
{{- range .Groups}}{{if .Changes}}
<section id="{{.Anchor}}"{{if ne .Severity "breaking"}} class="ok"{{end}}>
<h2>{{.Title}} ({{len .Changes}})</h2>
<table class="cases full">
<thead><tr><th>Rule</th><th>Where</th><th>Change</th></tr></thead>
<tbody>
{{- range .Changes}}
<tr id="{{.Anchor}}" class="row-{{.Severity}}">
<td data-label="rule"><a href="#{{.Anchor}}"><span class="pill {{.Severity}}">{{.Rule}}</span></a></td>
<td data-label="where"><code>{{.Where}}</code>{{if .Operation}}<br><small>{{.Operation}}</small>{{end}}</td>
<td>{{.Message}}
{{- with .Migration}}<div class="mig"><strong>Migration:</strong> {{if .Method}}use <code>{{.Method}} {{.Path}}</code>{{if .Body}} with body <code>{{.Body}}</code>{{end}}. {{end}}{{.Note}}</div>{{end}}
{{- with .Evidence}}<div class="ev">{{if .Calls}}Calls: {{.Calls}}. {{end}}{{if .StatusesBefore}}Before: {{statuses .StatusesBefore}}. {{end}}{{if .StatusesAfter}}After: {{statuses .StatusesAfter}}. {{end}}{{if .Class}}Classified {{.Class}}: {{.Reason}}. {{end}}{{if .Example}}E.g. <code>{{.Example}}</code>{{end}}{{if .Cassette}} in <code>{{.Cassette}}</code>{{end}}</div>{{end}}
</td>
</tr>
{{- end}}
</tbody>
</table>
</section>
{{- end}}{{end}}
{{- if .R.Traffic}}
<section id="traffic" class="ok">
<h2>Traffic by operation ({{len .R.Traffic}})</h2>
<table class="cases full">
<thead><tr><th>Operation</th><th>Calls</th><th>Statuses</th><th>Seen</th><th>Clients</th></tr></thead>
<tbody>
{{- range .R.Traffic}}
<tr>
<td data-label="operation"><code>{{.Key}}</code><br><small>{{.Operation}}</small></td>
<td data-label="calls">{{.Calls}}</td>
<td data-label="statuses">{{.StatusLine}}</td>
<td data-label="seen">{{.Seen}}</td>
<td data-label="clients">{{.ClientLine}}</td>
</tr>
{{- end}}
</tbody>
</table>
</section>
{{- end}}
</main>
</body>
</html>
`))
