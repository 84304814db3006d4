package diff

import (
	"encoding/json"
	"io"
)

// WriteJSON renders the report in the stable JSON shape docs/diff.md
// documents: two-space indentation, changes in [Report.Sort] order, empty
// fields omitted, and "changes" always an array.
func (r *Report) WriteJSON(w io.Writer) error {
	out := *r
	if out.Changes == nil {
		out.Changes = []Change{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
