package conformance

import (
	"fmt"
	"strconv"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// def is a scenario definition, before it is bound to a version.
type def struct {
	key    string
	status int
	name   string
	run    func(c *caseRun)
}

// plan lists the cases of the run in the order they run: probes of the
// operations the version does not document first (they must not meet a
// destroyed token), then the OAuth Authorizations API, the checks that
// destroy nothing, the resets, deletions and grant revocations, and last,
// after the cleanup, the cases that may lock the user out (finalDefs).
// Every documented (operation, status) with no scenario gets a case that
// says so, or that it cannot be provoked (Unprovokable).
func (s *suite) plan() []*scenario {
	var out []*scenario
	for _, op := range s.cat.Operations() {
		if s.has(op.Key()) || !s.selected(op) {
			continue
		}
		out = append(out, s.probe(op))
	}
	covered := map[string]bool{}
	var final []*scenario
	add := func(d def, last bool) {
		op := s.op(d.key)
		if op == nil || !s.selected(op) {
			return
		}
		if _, ok := op.Response(d.status); !ok {
			return
		}
		if _, ok := Unprovokable(op, d.status); ok {
			return
		}
		covered[d.key+" "+strconv.Itoa(d.status)] = true
		sc := &scenario{key: d.key, status: d.status, name: d.name, op: op, run: d.run, final: last}
		if last {
			final = append(final, sc)
		} else {
			out = append(out, sc)
		}
	}
	for _, d := range definitions() {
		add(d, false)
	}
	for _, d := range finalDefs() {
		add(d, true)
	}
	for _, op := range s.v.Operations {
		if !s.selected(op) {
			continue
		}
		for _, st := range op.Statuses() {
			if covered[op.Key()+" "+strconv.Itoa(st)] {
				continue
			}
			st := st
			if reason, ok := Unprovokable(op, st); ok {
				out = append(out, &scenario{key: op.Key(), status: st, name: "cannot be provoked", op: op, unprovokable: reason})
				continue
			}
			out = append(out, &scenario{key: op.Key(), status: st, name: "no scenario", op: op, run: func(c *caseRun) {
				c.skip("the suite has no scenario that provokes %d from %s", st, op.ID)
			}})
		}
	}
	return append(out, final...)
}

// definitions is the scenario table, in run order.
func definitions() []def {
	var d []def
	d = append(d, authorizationsDefs()...)
	d = append(d, twoFactorDefs()...)
	d = append(d, tokenDefs()...)
	d = append(d, destructiveDefs()...)
	return d
}

// probe makes the case for an operation the version does not document:
// one safe request, with no credentials, so nothing can be destroyed. A
// version that removed the operation answers 404; anything else means the
// endpoint is still live. For the legacy check, which destroys nothing, a
// 404 is confirmed with the app's credentials and a valid token.
func (s *suite) probe(op *schemas.Operation) *scenario {
	return &scenario{key: op.Key(), status: 404, name: "undocumented in " + s.v.Name, probe: true, op: op, run: func(c *caseRun) {
		r := c.req(op.Key())
		if r.params["client_id"] == "" {
			r.param("client_id", "oauthcompat-probe")
		}
		r.param("access_token", s.unknownToken()).param("fingerprint", s.name("probe")).
			param("grant_id", "1").param("authorization_id", "1")
		if op.Method != "GET" && op.Method != "DELETE" {
			r.withJSON(map[string]any{})
		}
		ex := c.send(r, 404)
		c.exercised, c.res.Got = true, ex.status
		if ex.status != 404 {
			c.fail(RuleUndocumentedLive, "", fmt.Sprintf("%s does not document %s %s, but it answered %d without credentials instead of 404: the endpoint is still live", s.v.Name, op.Method, op.Path, ex.status), ex)
			return
		}
		if op.Key() != keyLegacyCheck || !s.creds.HasApp() || s.pool.peek() == nil {
			return
		}
		t := c.peekToken()
		ex = c.send(c.req(op.Key()).withApp().param("access_token", t.value), 404)
		c.res.Got = ex.status
		if ex.status != 404 {
			c.fail(RuleUndocumentedLive, "", fmt.Sprintf("%s does not document %s %s, but it answered %d to the app's credentials and a valid token: the endpoint is still live", s.v.Name, op.Method, op.Path, ex.status), ex)
		}
	}}
}
