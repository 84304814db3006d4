package reports

import (
	_ "embed"
	"encoding/json"
	"io"

	"github.com/oauthcompat/oauthcompat/conformance"
)

// SchemaID is the $schema every JSON report names: the JSON Schema of its
// shape, [JSONSchema].
const SchemaID = "https://oauthcompat.invalid/schemas/conform-report-v1.json"

// JSONSchema is the JSON Schema (draft 2020-12) of report.json. The shape
// is stable: fields may be added, never renamed or removed, within v1.
//
//go:embed conform-report.schema.json
var JSONSchema []byte

// jsonReport is report.json: the report with the schema it follows.
type jsonReport struct {
	Schema string `json:"$schema"`
	*conformance.Report
	Findings []conformance.Finding `json:"findings"`
}

// WriteJSON writes r as report.json: the report's fields, "$schema", and
// every finding of every case flattened into "findings".
func WriteJSON(w io.Writer, r *conformance.Report) error {
	r = masked(r)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonOf(r))
}
