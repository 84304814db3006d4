package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Title names the report for humans: "Documented changes from ghes-3.3 to
// ghes-3.4".
func (r *Report) Title() string {
	switch r.Kind {
	case KindObserved:
		return fmt.Sprintf("Observed changes from %s to %s", r.From, r.To)
	case KindUpgradeCheck:
		return fmt.Sprintf("Upgrade check of recorded traffic from %s to %s", r.From, r.To)
	}
	return fmt.Sprintf("Documented changes from %s to %s", r.From, r.To)
}

// WriteMarkdown renders the report as Markdown that fits a pull-request
// comment. The first line is the summary ("3 breaking, 1 warning, 12
// info"); breaking changes and warnings are listed in full, info changes
// in a collapsed section.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n\n# %s\n", r.Summary, mdText(r.Title()))
	for _, n := range r.Notes {
		fmt.Fprintf(bw, "\n> **Note:** %s\n", mdText(n))
	}
	if len(r.Changes) == 0 {
		switch r.Kind {
		case KindUpgradeCheck:
			fmt.Fprintf(bw, "\nNo recorded call changes in a way that can break the client.\n")
		default:
			fmt.Fprintf(bw, "\nNo changes.\n")
		}
	}
	for _, sev := range []Severity{SeverityBreaking, SeverityWarning, SeverityInfo} {
		var list []Change
		for _, c := range r.Changes {
			if c.Severity == sev {
				list = append(list, c)
			}
		}
		if len(list) == 0 {
			continue
		}
		title := map[Severity]string{SeverityBreaking: "Breaking", SeverityWarning: "Warnings", SeverityInfo: "Info"}[sev]
		fmt.Fprintf(bw, "\n## %s (%d)\n\n", title, len(list))
		if sev == SeverityInfo {
			fmt.Fprintf(bw, "<details><summary>%d info changes</summary>\n\n", len(list))
		}
		for _, c := range list {
			writeMarkdownChange(bw, c)
		}
		if sev == SeverityInfo {
			fmt.Fprintf(bw, "\n</details>\n")
		}
	}
	writeMarkdownTraffic(bw, r)
	return bw.Flush()
}

func writeMarkdownChange(w io.Writer, c Change) {
	fmt.Fprintf(w, "- **%s**", c.Rule)
	if where := c.Where(); where != "" {
		fmt.Fprintf(w, " `%s`", where)
	}
	if c.Operation != "" {
		fmt.Fprintf(w, " (%s)", mdText(c.Operation))
	}
	fmt.Fprintf(w, ": %s\n", mdText(c.Message))
	if m := c.Migration; m != nil {
		fmt.Fprintf(w, "  - Migration: ")
		if m.Method != "" {
			fmt.Fprintf(w, "use `%s %s`", m.Method, m.Path)
			if m.Body != "" {
				fmt.Fprintf(w, " with body `%s`", m.Body)
			}
			fmt.Fprintf(w, ". ")
		}
		fmt.Fprintf(w, "%s\n", mdText(m.Note))
	}
	if e := c.Evidence; e != nil {
		var parts []string
		if e.Calls > 0 {
			parts = append(parts, plural(e.Calls, "call"))
		}
		if len(e.StatusesBefore) > 0 {
			parts = append(parts, "statuses before: "+joinStatuses(e.StatusesBefore))
		}
		if len(e.StatusesAfter) > 0 {
			parts = append(parts, "after: "+joinStatuses(e.StatusesAfter))
		}
		if e.Class != "" {
			parts = append(parts, "classified "+e.Class)
		}
		if e.Example != "" {
			parts = append(parts, "e.g. `"+strings.ReplaceAll(e.Example, "`", "'")+"`")
		}
		if e.Cassette != "" {
			parts = append(parts, "in `"+e.Cassette+"`")
		}
		fmt.Fprintf(w, "  - Evidence: %s\n", strings.Join(parts, "; "))
	}
}

// mdText escapes the characters Markdown would read as markup in running
// text (pointers like /*/installation would turn into emphasis).
func mdText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "|", `\|`, "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
