package schemas

import "fmt"

// NoteKind classifies a disagreement between GitHub's documentation pages and
// its official OpenAPI descriptions, or within a description.
type NoteKind string

// The kinds of note.
const (
	// NoteExampleDefect: the description's example body fails its own schema.
	NoteExampleDefect NoteKind = "example-defect"
	// NoteProseContradiction: the prose says one thing, the documented responses another.
	NoteProseContradiction NoteKind = "prose-contradiction"
	// NoteDocsPageDefect: the rendered docs page disagrees with the description.
	NoteDocsPageDefect NoteKind = "docs-page-defect"
)

// Note records where the sources disagree, so that reports can say so
// rather than guess. The catalog always follows the official description.
type Note struct {
	Kind      NoteKind `json:"kind"`
	Operation string   `json:"operation"`        // operation id
	Status    int      `json:"status,omitempty"` // 0: the operation as a whole
	Text      string   `json:"text"`
	Match     string   `json:"-"` // for example defects: the validation message it produces

	applies func(v *Version) bool
}

func ghesFrom(major, minor int) func(*Version) bool {
	return func(v *Version) bool {
		var a, b int
		if v.Kind() != KindGHES {
			return false
		}
		if _, err := sscanRelease(v.Release(), &a, &b); err != nil {
			return false
		}
		return a > major || a == major && b >= minor
	}
}

func ghesUpTo(major, minor int) func(*Version) bool {
	from := ghesFrom(major, minor+1)
	return func(v *Version) bool { return v.Kind() == KindGHES && !from(v) }
}

func anyVersion(*Version) bool { return true }

var notes = []Note{
	{
		Kind: NoteExampleDefect, Operation: "oauth-authorizations/list-authorizations", Status: 200,
		Text:    "the description's example omits expires_at, which its authorization schema requires; real servers send it (null when the token does not expire), so the catalog keeps it required",
		Match:   "missing properties: 'expires_at'",
		applies: ghesFrom(3, 4),
	},
	{
		Kind: NoteProseContradiction, Operation: "apps/reset-token", Status: 0,
		Text:    "the description says invalid tokens return 404 but documents only 200 and 422; expect an undocumented 404",
		applies: anyVersion,
	},
	{
		Kind: NoteProseContradiction, Operation: "apps/reset-authorization", Status: 0,
		Text:    "the description says invalid tokens return 404 but documents only 200; expect an undocumented 404",
		applies: anyVersion,
	},
	{
		Kind: NoteProseContradiction, Operation: "oauth-authorizations/get-or-create-authorization-for-app", Status: 201,
		Text:    "the 201 response is described by the deprecation notice (naming GitHub, not GitHub Enterprise Server), and the notice is printed twice",
		applies: anyVersion,
	},
	{
		Kind: NoteDocsPageDefect, Operation: "apps/delete-token", Status: 0,
		Text:    "the GHES 3.2 docs page's curl sample has no -X DELETE, so curl would send POST (because of -d); the same holds for delete-authorization (-X DELETE), reset-token (-X PATCH), check-token and scope-token (-X POST)",
		applies: ghesUpTo(3, 3),
	},
	{
		Kind: NoteDocsPageDefect, Operation: "apps/scope-token", Status: 0,
		Text:    "missing from the GHES 3.4–3.7 OAuth applications docs page although the 3.4–3.7 descriptions put it there; from 3.8 it is on the Apps page",
		applies: func(v *Version) bool { return ghesFrom(3, 4)(v) && ghesUpTo(3, 7)(v) },
	},
	{
		Kind: NoteDocsPageDefect, Operation: "apps/check-token", Status: 422,
		Text:    "GitHub AE's docs page describes 422 as \"Validation failed\"; the description says \"Validation failed, or the endpoint has been spammed.\"",
		applies: func(v *Version) bool { return v.Kind() == KindAE },
	},
}

// Notes returns the disagreements that concern operations v documents.
func (v *Version) Notes() []Note {
	var out []Note
	for _, n := range notes {
		if _, documented := v.byID[n.Operation]; documented && n.applies(v) {
			out = append(out, n)
		}
	}
	return out
}

func sscanRelease(r string, a, b *int) (int, error) {
	return fmt.Sscanf(r, "%d.%d", a, b)
}
