package diff

import (
	"html/template"
	"io"
)

// WriteHTML renders the report as one self-contained HTML page: inline
// CSS, no scripts, no external assets. Every value is escaped by
// html/template.
func (r *Report) WriteHTML(w io.Writer) error {
	groups := []struct {
		Severity Severity
		Title    string
		Changes  []Change
	}{{SeverityBreaking, "Breaking", nil}, {SeverityWarning, "Warnings", nil}, {SeverityInfo, "Info", nil}}
	for _, c := range r.Changes {
		for i := range groups {
			if groups[i].Severity == c.Severity {
				groups[i].Changes = append(groups[i].Changes, c)
			}
		}
	}
	return htmlPage.Execute(w, map[string]any{"R": r, "Groups": groups})
}

var htmlPage = template.Must(template.New("diff").Funcs(template.FuncMap{
	"statuses": joinStatuses,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.R.Title}}</title>
<style>
body{font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;margin:2rem auto;max-width:78rem;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem;margin-bottom:.25rem}
.summary{font-size:1.1rem;margin:.5rem 0 1.5rem}
.pill{display:inline-block;border-radius:1rem;padding:.1rem .7rem;margin-right:.4rem;font-weight:600}
.breaking{background:#ffebe9;color:#a40e26}.warning{background:#fff8c5;color:#7d4e00}.info{background:#ddf4ff;color:#0a3069}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:.05rem .25rem;border-radius:4px}
.mig{margin-top:.3rem;color:#1a7f37}.ev{margin-top:.3rem;color:#57606a;font-size:12px}
</style>
</head>
<body>
<h1>{{.R.Title}}</h1>
<p class="summary"><span class="pill breaking">{{.R.Summary.Breaking}} breaking</span><span class="pill warning">{{.R.Summary.Warning}} warning</span><span class="pill info">{{.R.Summary.Info}} info</span></p>
{{- if not .R.Changes}}
<p>No changes.</p>
{{- end}}
{{- range .Groups}}{{if .Changes}}
<h2>{{.Title}} ({{len .Changes}})</h2>
<table>
<thead><tr><th>Rule</th><th>Where</th><th>Change</th></tr></thead>
<tbody>
{{- range .Changes}}
<tr class="row-{{.Severity}}">
<td><span class="pill {{.Severity}}">{{.Rule}}</span></td>
<td><code>{{.Where}}</code>{{if .Operation}}<br><small>{{.Operation}}</small>{{end}}</td>
<td>{{.Message}}
{{- with .Migration}}<div class="mig"><strong>Migration:</strong> {{if .Method}}use <code>{{.Method}} {{.Path}}</code>{{if .Body}} with body <code>{{.Body}}</code>{{end}}. {{end}}{{.Note}}</div>{{end}}
{{- with .Evidence}}<div class="ev">{{if .Calls}}Calls: {{.Calls}}. {{end}}{{if .StatusesBefore}}Before: {{statuses .StatusesBefore}}. {{end}}{{if .StatusesAfter}}After: {{statuses .StatusesAfter}}. {{end}}{{if .Class}}Classified {{.Class}}: {{.Reason}}. {{end}}{{if .Example}}E.g. <code>{{.Example}}</code>{{end}}{{if .Cassette}} in <code>{{.Cassette}}</code>{{end}}</div>{{end}}
</td>
</tr>
{{- end}}
</tbody>
</table>
{{- end}}{{end}}
</body>
</html>
`))
