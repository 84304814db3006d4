package diff

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// OpTraffic summarises the recorded calls of one operation: how many, with
// which statuses, when, and by which clients. A recording of any size is
// summarised in constant memory, and summaries of parts of a recording
// merge into the summary of the whole ([MergeTraffic]).
type OpTraffic struct {
	Operation string      `json:"operation"` // the recorded (or matched) operation id
	Method    string      `json:"method"`
	Path      string      `json:"path"`     // path template, without /api/v3
	Calls     int         `json:"calls"`    // recorded calls
	Statuses  map[int]int `json:"statuses"` // calls by response status
	// FirstSeen and LastSeen are the earliest and latest Date header of
	// the answers (RFC 3339), "" when none had one.
	FirstSeen string `json:"first_seen,omitempty"`
	LastSeen  string `json:"last_seen,omitempty"`
	// Clients counts the calls by User-Agent: at most [MaxClients]
	// distinct ones, the rest under [OtherClients].
	Clients map[string]int `json:"clients"`
	// Example and Cassette are the first call: "METHOD /path" and the
	// cassette it is in, relative to the recording.
	Example  string `json:"example"`
	Cassette string `json:"cassette"`
}

// MaxClients is how many distinct User-Agents a summary tells apart per
// operation; the calls of the others are counted under [OtherClients].
const MaxClients = 50

// OtherClients counts the calls of the User-Agents beyond [MaxClients].
const OtherClients = "(other clients)"

// Key is the operation's identity across versions, "METHOD /path".
func (t *OpTraffic) Key() string { return t.Method + " " + t.Path }

// statuses returns the statuses seen, sorted.
func (t *OpTraffic) statuses() []int { return sortedStatuses(t.Statuses) }

// addCall counts one call answered at date (zero: unknown) by agent.
func (t *OpTraffic) addCall(c Call, date time.Time, agent string) {
	if t.Calls == 0 {
		t.Example, t.Cassette = example(c), c.Cassette
	}
	t.Calls++
	if t.Statuses == nil {
		t.Statuses = map[int]int{}
	}
	t.Statuses[c.Status]++
	if !date.IsZero() {
		d := date.UTC().Format(time.RFC3339)
		if t.FirstSeen == "" || d < t.FirstSeen {
			t.FirstSeen = d
		}
		if d > t.LastSeen {
			t.LastSeen = d
		}
	}
	t.addClient(agent, 1)
}

func (t *OpTraffic) addClient(agent string, n int) {
	if t.Clients == nil {
		t.Clients = map[string]int{}
	}
	if agent == "" {
		agent = "(no User-Agent)"
	}
	if _, ok := t.Clients[agent]; !ok && len(t.Clients) >= MaxClients {
		agent = OtherClients
	}
	t.Clients[agent] += n
}

// merge adds u, a summary of calls recorded after t's, to t.
func (t *OpTraffic) merge(u *OpTraffic) {
	if t.Calls == 0 {
		t.Example, t.Cassette = u.Example, u.Cassette
	}
	t.Calls += u.Calls
	if t.Statuses == nil {
		t.Statuses = map[int]int{}
	}
	for st, n := range u.Statuses {
		t.Statuses[st] += n
	}
	if u.FirstSeen != "" && (t.FirstSeen == "" || u.FirstSeen < t.FirstSeen) {
		t.FirstSeen = u.FirstSeen
	}
	if u.LastSeen > t.LastSeen {
		t.LastSeen = u.LastSeen
	}
	agents := make([]string, 0, len(u.Clients))
	for a := range u.Clients {
		agents = append(agents, a)
	}
	sort.Strings(agents)
	for _, a := range agents {
		t.addClient(a, u.Clients[a])
	}
}

// MergeTraffic merges summaries of consecutive parts of one recording, in
// the order the parts were recorded, into the summary of the whole:
// counts add up, the first and last seen span them all, and the example
// is the first part's.
func MergeTraffic(parts ...[]OpTraffic) []OpTraffic {
	byKey := map[string]*OpTraffic{}
	var keys []string
	for _, p := range parts {
		for i := range p {
			u := &p[i]
			t := byKey[u.Key()]
			if t == nil {
				t = &OpTraffic{Operation: u.Operation, Method: u.Method, Path: u.Path}
				byKey[u.Key()] = t
				keys = append(keys, u.Key())
			}
			t.merge(u)
		}
	}
	sort.Strings(keys)
	out := make([]OpTraffic, len(keys))
	for i, k := range keys {
		out[i] = *byKey[k]
	}
	return out
}

// Traffic returns the recording's summary by operation, sorted by key.
func (r *Recording) Traffic() []OpTraffic {
	keys := make([]string, 0, len(r.ops))
	for k := range r.ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]OpTraffic, len(keys))
	for i, k := range keys {
		out[i] = *r.ops[k]
	}
	return out
}

// count adds a call of the recording to its summary.
func (r *Recording) count(c Call, respHeader, reqHeader http.Header) {
	if r.ops == nil {
		r.ops = map[string]*OpTraffic{}
	}
	t := r.ops[c.Key()]
	if t == nil {
		t = &OpTraffic{Operation: c.OperationID, Method: c.Operation.Method, Path: c.Operation.Path}
		r.ops[c.Key()] = t
	}
	var date time.Time
	if d := respHeader.Get("Date"); d != "" {
		date, _ = http.ParseTime(d)
	}
	t.addCall(c, date, reqHeader.Get("User-Agent"))
}

// SampleCalls is how many calls of each operation and status a
// [Recording] keeps whole (with their bodies), for the comparisons of
// [Differ.Observed]; the others are counted in its summary only, so
// memory stays bounded whatever the size of the recording.
const SampleCalls = 200

// operation returns the catalog operation of a summary's key.
func (d *Differ) operation(t *OpTraffic) (*schemas.Operation, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ops == nil {
		d.ops = map[string]*schemas.Operation{}
		for _, op := range d.cat.Operations() {
			d.ops[op.Key()] = op
		}
	}
	op, ok := d.ops[t.Key()]
	if !ok {
		return nil, fmt.Errorf("the summary names %s, which no version of the catalog documents", t.Key())
	}
	return op, nil
}

// StatusLine renders the calls by status: "200 ×12, 404 ×1".
func (t OpTraffic) StatusLine() string {
	parts := make([]string, 0, len(t.Statuses))
	for _, st := range t.statuses() {
		parts = append(parts, fmt.Sprintf("%d ×%d", st, t.Statuses[st]))
	}
	return strings.Join(parts, ", ")
}

// ClientLine renders the clients, most calls first: "gh/2.40.0 ×10,
// curl/8.5.0 ×2" (five at most, then how many more).
func (t OpTraffic) ClientLine() string {
	agents := make([]string, 0, len(t.Clients))
	for a := range t.Clients {
		agents = append(agents, a)
	}
	sort.Slice(agents, func(i, j int) bool {
		if t.Clients[agents[i]] != t.Clients[agents[j]] {
			return t.Clients[agents[i]] > t.Clients[agents[j]]
		}
		return agents[i] < agents[j]
	})
	var parts []string
	for i, a := range agents {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(agents)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", a, t.Clients[a]))
	}
	return strings.Join(parts, ", ")
}

// Seen renders when the calls were made: "2026-01-01T00:00:00Z to
// 2026-01-02T00:00:00Z", or "" when unknown.
func (t OpTraffic) Seen() string {
	switch {
	case t.FirstSeen == "":
		return ""
	case t.FirstSeen == t.LastSeen:
		return t.FirstSeen
	}
	return t.FirstSeen + " to " + t.LastSeen
}

// writeMarkdownTraffic writes the summary by operation as a table.
func writeMarkdownTraffic(w io.Writer, r *Report) {
	if len(r.Traffic) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Traffic by operation (%d)\n\n| Operation | Calls | Statuses | Seen | Clients |\n|---|---|---|---|---|\n", len(r.Traffic))
	for _, t := range r.Traffic {
		fmt.Fprintf(w, "| `%s` (%s) | %d | %s | %s | %s |\n", t.Key(), mdCell(t.Operation), t.Calls, t.StatusLine(), mdCell(t.Seen()), mdCell(t.ClientLine()))
	}
}

// mdCell escapes s for a Markdown table cell.
func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }

// ReadReport decodes a report written in JSON ([Report.Write] with
// "json"), such as the partial summary of an upgrade check.
func ReadReport(r io.Reader) (*Report, error) {
	var rep Report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	return &rep, nil
}

// MergeUpgradeChecks is the reduce step of an upgrade check split by
// cassette: it merges the summaries the upgrade checks of consecutive
// parts of one recording carry (see [MergeTraffic]; parts in the order
// recorded) and checks the whole, which gives the report the check of
// the whole recording gives. The parts must be upgrade checks between the
// same two versions.
func (d *Differ) MergeUpgradeChecks(parts []*Report) (*Report, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge upgrade checks: no partial reports")
	}
	traffic := make([][]OpTraffic, len(parts))
	for i, p := range parts {
		if p.Kind != KindUpgradeCheck {
			return nil, fmt.Errorf("merge upgrade checks: part %d is a %q report, not an upgrade check (want the output of 'upgrade-check --format json')", i+1, p.Kind)
		}
		if p.From != parts[0].From || p.To != parts[0].To {
			return nil, fmt.Errorf("merge upgrade checks: part %d checks %s to %s, part 1 %s to %s; merge the checks of one recording to one version", i+1, p.From, p.To, parts[0].From, parts[0].To)
		}
		traffic[i] = p.Traffic
	}
	from, err := d.cat.Version(parts[0].From)
	if err != nil {
		return nil, fmt.Errorf("merge upgrade checks: %w", err)
	}
	to, err := d.cat.Version(parts[0].To)
	if err != nil {
		return nil, fmt.Errorf("merge upgrade checks: %w", err)
	}
	rep, err := d.UpgradeCheckTraffic(MergeTraffic(traffic...), from, to)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		for _, n := range p.Notes {
			rep.note(n) // leftover journals beside any part
		}
	}
	return rep, nil
}
