package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// Classes of a lost success, as conform tells them apart.
const (
	ClassRemoved        = "removed"         // the server no longer has the endpoint
	ClassBadToken       = "bad-token"       // the endpoint is there; the token was rejected
	ClassBadCredentials = "bad-credentials" // the app's Basic credentials were rejected (401)
	ClassOther          = "other"           // nothing tells
)

// opCalls is the calls of one operation in one recording.
type opCalls struct {
	op       *schemas.Operation
	id       string
	calls    []Call // as kept (see [Recording.Calls])
	byStatus map[int][]Call
	traffic  *OpTraffic // counts them all, when the recording was read whole
}

func group(rec *Recording) map[string]*opCalls {
	m := map[string]*opCalls{}
	for _, c := range rec.Calls {
		g := m[c.Key()]
		if g == nil {
			g = &opCalls{op: c.Operation, id: c.OperationID, byStatus: map[int][]Call{}, traffic: rec.ops[c.Key()]}
			m[c.Key()] = g
		}
		g.calls = append(g.calls, c)
		g.byStatus[c.Status] = append(g.byStatus[c.Status], c)
	}
	return m
}

// n is how many calls of the operation were recorded.
func (g *opCalls) n() int {
	if g.traffic != nil && g.traffic.Calls >= len(g.calls) {
		return g.traffic.Calls
	}
	return len(g.calls)
}

// nStatus is how many calls were answered st.
func (g *opCalls) nStatus(st int) int {
	if g.traffic != nil && g.traffic.Statuses[st] >= len(g.byStatus[st]) {
		return g.traffic.Statuses[st]
	}
	return len(g.byStatus[st])
}

func (g *opCalls) statuses() []int { return sortedStatuses(g.byStatus) }

// sortedStatuses returns the statuses m has entries for, sorted.
func sortedStatuses[V any](m map[int]V) []int {
	s := make([]int, 0, len(m))
	for st := range m {
		s = append(s, st)
	}
	sort.Ints(s)
	return s
}

func (g *opCalls) hasSuccess() bool {
	for st := range g.byStatus {
		if st >= 200 && st < 300 {
			return true
		}
	}
	return false
}

// mainFailure is the most frequent non-success status (lowest on a tie).
func (g *opCalls) mainFailure() int {
	best, n := 0, 0
	for _, st := range g.statuses() {
		if (st < 200 || st >= 300) && g.nStatus(st) > n {
			best, n = st, g.nStatus(st)
		}
	}
	return best
}

// Observed compares two recordings, usually of the same client or the same
// conform run before and after an upgrade. Per operation seen in both it
// reports statuses that appear or disappear (an operation that answered
// with success and now fails is classified: removed, bad token, bad
// credentials or other) and response shapes that change (fields appearing,
// disappearing, changing type or becoming null), and it lists operations
// seen in one recording only.
func (d *Differ) Observed(from, to *Recording) (*Report, error) {
	rep := &Report{Kind: KindObserved, From: from.label(), To: to.label()}
	rep.noteLeftovers(from, to)
	gf, gt := group(from), group(to)
	keys := map[string]bool{}
	for k := range gf {
		keys[k] = true
	}
	for k := range gt {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		f, t := gf[k], gt[k]
		switch {
		case t == nil:
			c := callChange(f, "observed-operation-only-before", fmt.Sprintf("called in %s only (%d calls)", from.label(), f.n()))
			c.Evidence = evidence(f, nil, f.calls[0])
			rep.add(c)
		case f == nil:
			c := callChange(t, "observed-operation-only-after", fmt.Sprintf("called in %s only (%d calls)", to.label(), t.n()))
			c.Evidence = evidence(nil, t, t.calls[0])
			rep.add(c)
		default:
			d.compareCalls(rep, from, to, f, t)
		}
	}
	rep.Traffic = to.Traffic()
	rep.Sort()
	return rep, nil
}

func (d *Differ) compareCalls(rep *Report, from, to *Recording, f, t *opCalls) {
	explained := 0
	if f.hasSuccess() && !t.hasSuccess() {
		st := t.mainFailure()
		class, reason := classify(to, t.op, t.byStatus[st])
		rule := "observed-status-changed"
		if class == ClassRemoved {
			rule = "observed-endpoint-removed"
		}
		c := callChange(t, rule, fmt.Sprintf("answered %s in %s, answers %s in %s: %s",
			joinStatuses(f.statuses()), from.label(), joinStatuses(t.statuses()), to.label(), reason))
		c.Status = st
		c.Before, c.After = joinStatuses(f.statuses()), joinStatuses(t.statuses())
		c.Evidence = evidence(f, t, t.byStatus[st][0])
		c.Evidence.Class, c.Evidence.Reason = class, reason
		if class == ClassRemoved {
			_, c.Migration = removal(t.op, to.Version)
		}
		rep.add(c)
		explained = st
	}
	for _, st := range t.statuses() {
		if _, ok := f.byStatus[st]; ok || st == explained {
			continue
		}
		c := callChange(t, "observed-status-added", fmt.Sprintf("answers %d in %s, which %s never shows", st, to.label(), from.label()))
		c.Status, c.After = st, fmt.Sprint(st)
		c.Evidence = evidence(f, t, t.byStatus[st][0])
		rep.add(c)
	}
	for _, st := range f.statuses() {
		if _, ok := t.byStatus[st]; ok || (explained != 0 && st >= 200 && st < 300) {
			continue
		}
		c := callChange(t, "observed-status-gone", fmt.Sprintf("answered %d in %s, never in %s", st, from.label(), to.label()))
		c.Status, c.Before = st, fmt.Sprint(st)
		c.Evidence = evidence(f, t, f.byStatus[st][0])
		rep.add(c)
	}
	for _, st := range f.statuses() {
		tc, ok := t.byStatus[st]
		if !ok {
			continue
		}
		sf, okf := valueShape(bodies(f.byStatus[st]))
		stt, okt := valueShape(bodies(tc))
		if !okf || !okt {
			continue
		}
		for _, c := range shapeChanges(structural(sf, stt), sf, stt, observedRules) {
			c.Operation, c.Method, c.Path, c.Status = t.id, t.op.Method, t.op.Path, st
			c.Message = strings.Replace(c.Message, "response property", "response field", 1)
			c.Evidence = &Evidence{Calls: t.nStatus(st), Example: example(tc[0]), Cassette: tc[0].Cassette}
			rep.add(c)
		}
	}
}

func bodies(calls []Call) [][]byte {
	out := make([][]byte, len(calls))
	for i, c := range calls {
		out[i] = c.ResponseBody
	}
	return out
}

func callChange(g *opCalls, rule, msg string) Change {
	return Change{Rule: rule, Operation: g.id, Method: g.op.Method, Path: g.op.Path, Message: msg}
}

func evidence(f, t *opCalls, call Call) *Evidence {
	e := &Evidence{Example: example(call), Cassette: call.Cassette}
	if f != nil {
		e.StatusesBefore = f.statuses()
		e.Calls = f.n()
	}
	if t != nil {
		e.StatusesAfter = t.statuses()
		e.Calls = t.n()
	}
	return e
}

// example shows a recorded call in a report: "METHOD /path", the token a
// legacy path carries replaced by {access_token} (see
// [schemas.SecretPathParams]): a recording made by another tool may hold
// the real one.
func example(c Call) string {
	return c.Method + " " + schemas.MaskPath(c.Path, "{access_token}")
}

func joinStatuses(s []int) string {
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

// classify tells why an operation that used to answer with success now
// answers failing (calls, all with one status) in rec, the way conform's
// control probes do:
//
//   - 401: the app's Basic credentials were rejected.
//   - 404 on a legacy path-token endpoint, while the token-in-body check
//     endpoint in the same recording accepts the same token (200): the
//     endpoint is removed. If the body endpoint rejects the same token
//     too, the token is bad.
//   - 404 whose body is GitHub's generic {"message": "Not Found"} (a
//     documentation_url without a #fragment names no operation), where
//     the recording's version does not document the operation: removed.
//   - 404 from a version that documents the operation, with an answer
//     that names the operation's documentation: a bad token.
func classify(rec *Recording, op *schemas.Operation, failing []Call) (class, reason string) {
	status := failing[0].Status
	switch {
	case status == 401:
		return ClassBadCredentials, "the app's credentials were rejected (401)"
	case status != 404:
		return ClassOther, fmt.Sprintf("the server answers %d", status)
	}
	if op.Family == schemas.FamilyLegacyPathToken {
		accepted, rejected := 0, 0
		for _, c := range failing {
			tok := op.PathParams(c.Path)["access_token"]
			if tok == "" {
				continue
			}
			for _, b := range rec.Calls {
				if b.Operation.Family != schemas.FamilyTokenInBody || b.Method != "POST" || bodyToken(b.RequestBody) != tok {
					continue
				}
				switch b.Status {
				case 200:
					accepted++
				case 404:
					rejected++
				}
			}
		}
		switch {
		case accepted > 0:
			return ClassRemoved, "POST /applications/{client_id}/token accepts the same token in the same recording, so the endpoint itself is gone"
		case rejected > 0:
			return ClassBadToken, "POST /applications/{client_id}/token rejects the same token too"
		}
	}
	generic := isGenericNotFound(failing[0].ResponseBody)
	documented := false
	if rec.Version != nil {
		if vop, ok := rec.Version.Match(op.Method, op.Path); ok && vop.Key() == op.Key() {
			documented = true
		}
	}
	switch {
	case rec.Version != nil && !documented && generic:
		return ClassRemoved, rec.Version.Name + " does not document the operation and answers GitHub's generic Not Found"
	case rec.Version != nil && !documented:
		return ClassRemoved, rec.Version.Name + " does not document the operation"
	case documented && !generic:
		return ClassBadToken, "the operation is documented and its 404 names the operation: the token or id was not found"
	case generic:
		return ClassOther, "a generic Not Found with no control probe to tell a removed endpoint from a bad token"
	}
	return ClassOther, "a 404 with no control probe to tell a removed endpoint from a bad token"
}

// bodyToken returns the access_token of a JSON request body, or "".
func bodyToken(body []byte) string {
	var v struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.AccessToken
}

// isGenericNotFound reports whether body is GitHub's answer for a route it
// does not have: {"message": "Not Found", "documentation_url":
// "https://docs.github.com/rest"}. A documented operation's 404 links to
// that operation's section (a #fragment).
func isGenericNotFound(body []byte) bool {
	var v struct {
		Message string `json:"message"`
		DocURL  string `json:"documentation_url"`
	}
	if json.Unmarshal(bytes.TrimSpace(body), &v) != nil {
		return false
	}
	return v.Message == "Not Found" && !strings.Contains(v.DocURL, "#")
}
