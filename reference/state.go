package reference

import (
	"slices"
	"sort"
	"sync"
	"time"
)

type app struct {
	App
}

type user struct {
	User
}

// installation is the account and permissions a scoped (user-to-server)
// token is limited to.
type installation struct {
	account      *user
	permissions  [][2]string // name, level; sorted by name
	selection    string      // "all" or "selected"
	repositories []string
	repoIDs      []int64
}

// record is one token and what GitHub knows about it: an OAuth token of an
// app, a personal access token or a scoped token. The Authorizations API
// calls each of them an authorization.
type record struct {
	id          int64
	token       string
	hashed      string
	user        *user
	app         *app // nil for a personal access token
	scopes      []string
	note        string
	noteURL     string
	fingerprint string
	created     time.Time
	updated     time.Time
	expires     time.Time // zero: never
	inst        *installation
}

type grantKey struct {
	login    string
	clientID string
}

// grant is a user's authorization of an app. It exists while the user holds
// at least one token of the app.
type grant struct {
	id      int64
	user    *user
	app     *app
	created time.Time
}

// state is the server's memory. The maps of apps and users never change
// after newState; everything else is guarded by mu.
type state struct {
	apps      map[string]*app
	users     map[string]*user
	usersByID map[int64]*user
	disabled  bool

	mu         sync.RWMutex
	byToken    map[string]*record
	byID       map[int64]*record
	grants     map[grantKey]*grant
	grantsByID map[int64]*grant
	nextID     int64
	nextGrant  int64
	tokens     *tokenSource
	now        func() time.Time
}

func newState(f Fixtures, now func() time.Time, seed uint64) *state {
	s := &state{
		apps:       map[string]*app{},
		users:      map[string]*user{},
		usersByID:  map[int64]*user{},
		disabled:   f.AuthorizationsAPIDisabled,
		byToken:    map[string]*record{},
		byID:       map[int64]*record{},
		grants:     map[grantKey]*grant{},
		grantsByID: map[int64]*grant{},
		tokens:     newTokenSource(seed),
		now:        now,
	}
	for _, a := range f.Apps {
		s.apps[a.ClientID] = &app{a}
	}
	for _, u := range f.Users {
		uu := &user{u}
		s.users[u.Login] = uu
		s.usersByID[u.ID] = uu
	}
	t := now()
	for _, tk := range f.Tokens {
		s.add(&record{token: tk.Value, user: s.users[tk.User], app: s.apps[tk.ClientID], scopes: slices.Clone(tk.Scopes), created: t, updated: t})
	}
	for _, a := range f.Authorizations {
		s.add(&record{token: a.Token, user: s.users[a.User], app: s.apps[a.ClientID], scopes: slices.Clone(a.Scopes),
			note: a.Note, noteURL: a.NoteURL, fingerprint: a.Fingerprint, created: t, updated: t})
	}
	return s
}

// add stores r, giving it an id and a hash, and makes its grant. The
// caller holds mu (or owns s exclusively).
func (s *state) add(r *record) {
	s.nextID++
	r.id = s.nextID
	r.hashed = hashToken(r.token)
	if r.scopes == nil {
		r.scopes = []string{}
	}
	s.byToken[r.token] = r
	s.byID[r.id] = r
	if r.app != nil {
		k := grantKey{r.user.Login, r.app.ClientID}
		if s.grants[k] == nil {
			s.nextGrant++
			g := &grant{id: s.nextGrant, user: r.user, app: r.app, created: r.created}
			s.grants[k] = g
			s.grantsByID[g.id] = g
		}
	}
}

// remove deletes r and, when it was the user's last token of the app, the
// grant. The caller holds mu.
func (s *state) remove(r *record) {
	delete(s.byToken, r.token)
	delete(s.byID, r.id)
	if r.app == nil {
		return
	}
	for _, o := range s.byID {
		if o.app == r.app && o.user == r.user {
			return
		}
	}
	k := grantKey{r.user.Login, r.app.ClientID}
	if g := s.grants[k]; g != nil {
		delete(s.grantsByID, g.id)
		delete(s.grants, k)
	}
}

// revokeGrant deletes every token of u for a, and the grant. The caller
// holds mu.
func (s *state) revokeGrant(u *user, a *app) {
	for _, r := range s.byID {
		if r.app == a && r.user == u {
			delete(s.byToken, r.token)
			delete(s.byID, r.id)
		}
	}
	k := grantKey{u.Login, a.ClientID}
	if g := s.grants[k]; g != nil {
		delete(s.grantsByID, g.id)
		delete(s.grants, k)
	}
}

// reset gives r a new token of the same kind; the old one stops working.
// The caller holds mu.
func (s *state) reset(r *record) {
	delete(s.byToken, r.token)
	r.token = s.tokens.next(r.token[:4])
	r.hashed = hashToken(r.token)
	r.updated = s.later(r.updated)
	s.byToken[r.token] = r
}

// later is the updated_at of a change made now to something last updated
// at prev: the clock, or a second after prev when the clock has not moved
// past it (the fixed clock of recordings), so a reset or an update always
// advances updated_at, as GitHub's does (docs/fidelity.md, "Reset token").
func (s *state) later(prev time.Time) time.Time {
	if t := s.now(); t.After(prev) {
		return t
	}
	return prev.Add(time.Second)
}

// mint makes a new token with prefix. The caller holds mu.
func (s *state) mint(prefix string) string {
	for {
		t := s.tokens.next(prefix)
		if s.byToken[t] == nil {
			return t
		}
	}
}

// appToken finds a token issued to a. The caller holds mu (read).
func (s *state) appToken(a *app, tok string) *record {
	r := s.byToken[tok]
	if r == nil || r.app != a {
		return nil
	}
	return r
}

// userRecords lists u's authorizations by id, optionally only those of
// app a. The caller holds mu (read).
func (s *state) userRecords(u *user, a *app) []*record {
	var out []*record
	for _, r := range s.byID {
		if r.user == u && (a == nil || r.app == a) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// userGrants lists u's grants by id, optionally only those of app a. The
// caller holds mu (read).
func (s *state) userGrants(u *user, a *app) []*grant {
	var out []*grant
	for _, g := range s.grants {
		if g.user == u && (a == nil || g.app == a) {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// grantScopes is the union of the scopes of u's tokens of a, sorted. The
// caller holds mu (read).
func (s *state) grantScopes(g *grant) []string {
	set := map[string]bool{}
	for _, r := range s.byID {
		if r.app == g.app && r.user == g.user {
			for _, sc := range r.scopes {
				set[sc] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for sc := range set {
		out = append(out, sc)
	}
	sort.Strings(out)
	return out
}

// grantUpdated is the latest update of the grant's tokens. The caller
// holds mu (read).
func (s *state) grantUpdated(g *grant) time.Time {
	t := g.created
	for _, r := range s.byID {
		if r.app == g.app && r.user == g.user && r.updated.After(t) {
			t = r.updated
		}
	}
	return t
}
