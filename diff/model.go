package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Severity says how much a change can hurt a client.
type Severity string

// The severities, from worst to mildest.
const (
	// SeverityBreaking: a client that works today can fail after the change.
	SeverityBreaking Severity = "breaking"
	// SeverityWarning: strict or unusual clients can fail; review it.
	SeverityWarning Severity = "warning"
	// SeverityInfo: nothing a client relies on changes.
	SeverityInfo Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityBreaking:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// Kinds of report.
const (
	KindDocumented   = "documented"
	KindObserved     = "observed"
	KindUpgradeCheck = "upgrade-check"
)

// Report is the outcome of a diff or an upgrade check. Its JSON encoding is
// the stable shape docs/diff.md documents; Changes are sorted (see
// [Report.Sort]).
type Report struct {
	Kind    string   `json:"kind"`    // KindDocumented, KindObserved or KindUpgradeCheck
	From    string   `json:"from"`    // version name, or the recording's version and directory
	To      string   `json:"to"`      // version name, or the recording's version and directory
	Summary Summary  `json:"summary"` // counts by severity
	Changes []Change `json:"changes"` // never null in JSON
	// Notes say what the report could not see: journals beside the
	// recordings compared, whose interactions are in no cassette yet.
	Notes []string `json:"notes,omitempty"`
	// Traffic summarises the recorded calls by operation (upgrade checks
	// and observed diffs): the partial summary a map step emits and a
	// merge reads (see [MergeTraffic]). Observed diffs summarise the
	// recording after.
	Traffic []OpTraffic `json:"traffic,omitempty"`
}

// noteLeftovers adds the leftover journals of the recordings as notes.
func (r *Report) noteLeftovers(recs ...*Recording) {
	for _, rec := range recs {
		r.note(rec.leftovers())
	}
}

// note adds a note once.
func (r *Report) note(n string) {
	if n != "" && !slices.Contains(r.Notes, n) {
		r.Notes = append(r.Notes, n)
	}
}

// Summary counts the changes of a report by severity.
type Summary struct {
	Breaking int `json:"breaking"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
}

// String is the summary line every rendering starts with:
// "3 breaking, 1 warning, 12 info".
func (s Summary) String() string {
	plural := func(n int, word string) string {
		if n == 1 || word == "info" {
			return fmt.Sprintf("%d %s", n, word)
		}
		return fmt.Sprintf("%d %ss", n, word)
	}
	return strings.Join([]string{fmt.Sprintf("%d breaking", s.Breaking), plural(s.Warning, "warning"), plural(s.Info, "info")}, ", ")
}

// Breaking reports whether the report holds at least one breaking change.
func (r *Report) Breaking() bool { return r.Summary.Breaking > 0 }

// Change is one difference, typed: a rule id, a severity, where it is and
// what it was before and after.
type Change struct {
	Rule      string   `json:"rule"`                // stable kebab-case id, see [Rules]
	Severity  Severity `json:"severity"`            // the rule's severity
	Operation string   `json:"operation,omitempty"` // catalog operation id ("apps/check-token")
	Method    string   `json:"method,omitempty"`
	Path      string   `json:"path,omitempty"`     // path template, without /api/v3
	Status    int      `json:"status,omitempty"`   // the response status the change is about
	Location  string   `json:"location,omitempty"` // "request" or "response" for body changes
	Pointer   string   `json:"pointer,omitempty"`  // JSON pointer into the body; "*" is any array element
	Before    string   `json:"before,omitempty"`   // the value before (type, status, enum value...)
	After     string   `json:"after,omitempty"`    // the value after
	Message   string   `json:"message"`            // one sentence for humans

	Migration *Migration `json:"migration,omitempty"` // how to stop depending on a removed operation
	Evidence  *Evidence  `json:"evidence,omitempty"`  // observed diffs and upgrade checks: what the recordings show
}

// Migration says what a client should call instead of a removed operation.
type Migration struct {
	Method string `json:"method,omitempty"` // the replacement's method, "" when there is none
	Path   string `json:"path,omitempty"`   // the replacement's path template
	Body   string `json:"body,omitempty"`   // the JSON body to send, with placeholders
	Note   string `json:"note"`             // what changes for the client
}

// String renders the migration on one line.
func (m *Migration) String() string {
	var b strings.Builder
	if m.Method != "" {
		fmt.Fprintf(&b, "use %s %s", m.Method, m.Path)
		if m.Body != "" {
			fmt.Fprintf(&b, " with body %s", m.Body)
		}
		b.WriteString(". ")
	}
	b.WriteString(m.Note)
	return b.String()
}

// Evidence is what recordings show for a change.
type Evidence struct {
	Calls          int    `json:"calls,omitempty"`           // recorded calls the change concerns
	StatusesBefore []int  `json:"statuses_before,omitempty"` // statuses seen in the first recording
	StatusesAfter  []int  `json:"statuses_after,omitempty"`  // statuses seen in the second recording
	Class          string `json:"class,omitempty"`           // for a lost success: "removed", "bad-token", "bad-credentials", "other"
	Reason         string `json:"reason,omitempty"`          // why it was classified so
	Example        string `json:"example,omitempty"`         // one recorded request, "METHOD /path" (a legacy path's token as {access_token})
	Cassette       string `json:"cassette,omitempty"`        // the cassette it came from, relative to the recording
}

// add appends a change of rule, taking its severity from the rule table.
func (r *Report) add(c Change) {
	rule, ok := ruleByID[c.Rule]
	if !ok {
		panic("diff: unknown rule " + c.Rule) // a programming error, caught by the tests
	}
	c.Severity = rule.Severity
	r.Changes = append(r.Changes, c)
}

var methodRank = map[string]int{"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}

// Sort orders the changes deterministically (severity, path, method,
// status, location, pointer, rule, values) and recounts the summary.
func (r *Report) Sort() {
	sort.SliceStable(r.Changes, func(i, j int) bool {
		a, b := r.Changes[i], r.Changes[j]
		switch {
		case a.Severity.rank() != b.Severity.rank():
			return a.Severity.rank() < b.Severity.rank()
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Method != b.Method:
			return methodRank[a.Method] < methodRank[b.Method]
		case a.Status != b.Status:
			return a.Status < b.Status
		case a.Location != b.Location:
			return a.Location < b.Location
		case a.Pointer != b.Pointer:
			return a.Pointer < b.Pointer
		case a.Rule != b.Rule:
			return a.Rule < b.Rule
		case a.Before != b.Before:
			return a.Before < b.Before
		}
		return a.After < b.After
	})
	r.Summary = Summary{}
	for _, c := range r.Changes {
		switch c.Severity {
		case SeverityBreaking:
			r.Summary.Breaking++
		case SeverityWarning:
			r.Summary.Warning++
		default:
			r.Summary.Info++
		}
	}
	if r.Changes == nil {
		r.Changes = []Change{}
	}
}

// Where names the place of a change for humans: "GET /applications/{client_id}/tokens/{access_token}",
// with " → 200 response /app/url" when it is about a body.
func (c Change) Where() string {
	if c.Method == "" {
		return ""
	}
	s := c.Method + " " + c.Path
	switch {
	case c.Location == "response" && c.Status != 0:
		s += fmt.Sprintf(" → %d response", c.Status)
	case c.Location == "request":
		s += " → request body"
	case c.Status != 0:
		s += fmt.Sprintf(" → %d", c.Status)
	}
	if c.Pointer != "" {
		s += " " + c.Pointer
	}
	return s
}
