package diff

import (
	"fmt"
	"io"
	"strings"
)

// Formats lists the output formats [Report.Write] accepts.
var Formats = []string{"md", "json", "html"}

// Write renders the report in format: "md" (or "markdown"), "json" or
// "html".
func (r *Report) Write(w io.Writer, format string) error {
	switch strings.ToLower(format) {
	case "md", "markdown":
		return r.WriteMarkdown(w)
	case "json":
		return r.WriteJSON(w)
	case "html":
		return r.WriteHTML(w)
	}
	return fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats, ", "))
}

// AtLeast reports whether the report holds a change of severity s or worse.
func (r *Report) AtLeast(s Severity) bool {
	for _, c := range r.Changes {
		if c.Severity.rank() <= s.rank() {
			return true
		}
	}
	return false
}
