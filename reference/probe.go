package reference

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// probe renders sample bodies for each success status of rt and checks
// them against the version's schemas, once per version and operation. An
// unset note, note_url or fingerprint renders null, as GitHub answers,
// also where an old description types them as plain strings
// (schemas.Tolerated; docs/fidelity.md, "note, note_url and
// fingerprint"). A route whose bodies do not fit is a bug, reported by New.
func (s *Server) probe(rt *route) error {
	if rt.body == bodyNone {
		return nil
	}
	key := probeKey{s.v, rt.op}
	if err, ok := probed.Load(key); ok {
		return err.(probeResult).err
	}
	e := &env{apiBase: "http://probe.invalid/api/v3", webBase: "http://probe.invalid", status: s.status, f: rt.fields}
	var err error
	for _, body := range sampleBodies(rt.body, e) {
		for _, r := range rt.op.Responses {
			if r.Status < 200 || r.Status > 299 || r.Schema == "" {
				continue
			}
			rest, _ := schemas.Tolerated(s.v.Validate(rt.op.ID, r.Status, body))
			err = errors.Join(err, rest)
		}
	}
	if err != nil {
		err = fmt.Errorf("reference: %s %s: the rendered body does not fit the documented schema: %w", s.v.Name, rt.op.ID, err)
	}
	probed.Store(key, probeResult{err})
	return err
}

// probed caches the outcome of probe per version and operation; the
// catalog is immutable, so the answer never changes.
var probed sync.Map // probeKey -> probeResult

type probeKey struct {
	v  *schemas.Version
	op *schemas.Operation
}

type probeResult struct{ err error }

func sampleBodies(kind bodyKind, e *env) [][]byte {
	st := newState(DefaultFixtures(), func() time.Time { return DefaultTime }, 1)
	u := st.users["octocat"]
	a := st.apps[DefaultFixtures().Apps[0].ClientID]
	scoped := &record{id: 99, token: "ghu_sample", hashed: hashToken("ghu_sample"), user: u, app: a, scopes: []string{},
		created: DefaultTime, updated: DefaultTime, expires: DefaultTime.Add(userToServerLifetime),
		inst: &installation{account: u, selection: "selected", permissions: defaultPermissions}}
	plain := st.userRecords(u, a)[0]
	pat := st.userRecords(u, nil)
	switch kind {
	case bodyAuthorization:
		return [][]byte{appendAuthorization(nil, e, scoped, true), appendAuthorization(nil, e, plain, true), appendAuthorization(nil, e, pat[0], false)}
	case bodyAuthorizationList:
		b := []byte{'['}
		for _, r := range append(pat, scoped) {
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = appendAuthorization(b, e, r, false)
		}
		return [][]byte{append(b, ']'), []byte("[]")}
	case bodyGrant:
		return [][]byte{appendGrant(nil, e, st, st.userGrants(u, nil)[0])}
	case bodyGrantList:
		b := []byte{'['}
		for _, g := range st.userGrants(u, nil) {
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = appendGrant(b, e, st, g)
		}
		return [][]byte{append(b, ']')}
	}
	return nil
}
