package reference

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// page is a parsed per_page/page pair.
type page struct{ per, num int }

// pageOf reads per_page (1-100, default 30) and page (from 1). Values that
// are not numbers fall back to the defaults, as GitHub's do.
func pageOf(q url.Values) page {
	p := page{per: 30, num: 1}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		p.per = min(n, 100)
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		p.num = n
	}
	return p
}

// bounds returns the slice bounds of the page in a list of n items and
// the number of the last page.
func (p page) bounds(n int) (lo, hi, last int) {
	last = max(1, (n+p.per-1)/p.per)
	lo = min(n, (p.num-1)*p.per)
	hi = min(n, lo+p.per)
	return lo, hi, last
}

// link sets GitHub's Link header: prev, next, last and first, each when
// it applies, keeping the request's other query parameters.
func (c *call) link(p page, last int) {
	if last <= 1 && p.num == 1 {
		return
	}
	q := c.r.URL.Query()
	ref := func(n int) string {
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(p.per))
		return "<" + c.env.webBase + c.r.URL.Path + "?" + q.Encode() + ">"
	}
	var parts []string
	if p.num > 1 {
		parts = append(parts, ref(min(p.num-1, last))+`; rel="prev"`)
	}
	if p.num < last {
		parts = append(parts, ref(p.num+1)+`; rel="next"`, ref(last)+`; rel="last"`)
	}
	if p.num > 1 {
		parts = append(parts, ref(1)+`; rel="first"`)
	}
	c.w.Header().Set("Link", strings.Join(parts, ", "))
}

// filterApp reads the client_id query filter of the list endpoints. An
// unknown client_id answers 404.
func (c *call) filterApp() (a *app, ok bool) {
	id := c.r.URL.Query().Get("client_id")
	if id == "" {
		return nil, true
	}
	if a = c.s.st.apps[id]; a == nil {
		c.notFound()
		return nil, false
	}
	return a, true
}

// listGrants: GET /applications/grants. 200 (paginated, ETag), 304, 401,
// 403, 404 for an unknown client_id filter.
func (s *Server) listGrants(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	a, ok := c.filterApp()
	if !ok {
		return
	}
	p := pageOf(c.r.URL.Query())
	s.st.mu.RLock()
	gs := s.st.userGrants(u, a)
	lo, hi, last := p.bounds(len(gs))
	c.buf = append(c.buf[:0], '[')
	for i, g := range gs[lo:hi] {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = appendGrant(c.buf, &c.env, s.st, g)
	}
	c.buf = append(c.buf, ']')
	s.st.mu.RUnlock()
	c.link(p, last)
	c.writeGET(c.buf)
}

// listAuthorizations: GET /authorizations, the same rules as listGrants.
func (s *Server) listAuthorizations(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	a, ok := c.filterApp()
	if !ok {
		return
	}
	p := pageOf(c.r.URL.Query())
	s.st.mu.RLock()
	c.buf = s.renderAuthorizations(c.buf[:0], &c.env, u, a, p)
	last := lastPage(len(s.st.userRecords(u, a)), p)
	s.st.mu.RUnlock()
	c.link(p, last)
	c.writeGET(c.buf)
}

func lastPage(n int, p page) int {
	_, _, last := p.bounds(n)
	return last
}

// renderAuthorizations renders a page of u's authorizations. The caller
// holds mu (read).
func (s *Server) renderAuthorizations(b []byte, e *env, u *user, a *app, p page) []byte {
	rs := s.st.userRecords(u, a)
	lo, hi, _ := p.bounds(len(rs))
	b = append(b, '[')
	for i, r := range rs[lo:hi] {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendAuthorization(b, e, r, false)
	}
	return append(b, ']')
}

// grantByID finds the grant in the path if it is u's. The caller holds mu.
func (s *Server) grantByID(c *call, u *user) *grant {
	id, err := strconv.ParseInt(c.param("grant_id"), 10, 64)
	if err != nil {
		return nil
	}
	g := s.st.grantsByID[id]
	if g == nil || g.user != u {
		return nil
	}
	return g
}

// getGrant: GET /applications/grants/{grant_id}. 200 with ETag, 304, 401,
// 403; another user's or an unknown grant is 404.
func (s *Server) getGrant(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	s.st.mu.RLock()
	g := s.grantByID(c, u)
	if g != nil {
		c.buf = appendGrant(c.buf[:0], &c.env, s.st, g)
	}
	s.st.mu.RUnlock()
	if g == nil {
		c.notFound()
		return
	}
	c.writeGET(c.buf)
}

// deleteGrant: DELETE /applications/grants/{grant_id}. 204 revokes every
// token of the grant; 401; 403. If-None-Match is ignored, as HTTP allows on
// a DELETE and as GitHub does (docs/fidelity.md): the documented 304 cannot
// be provoked.
func (s *Server) deleteGrant(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	s.st.mu.Lock()
	g := s.grantByID(c, u)
	if g != nil {
		s.st.revokeGrant(g.user, g.app)
	}
	s.st.mu.Unlock()
	if g == nil {
		c.notFound()
		return
	}
	c.write(http.StatusNoContent, nil)
}

// recordByID finds the authorization in the path if it is u's. The caller
// holds mu.
func (s *Server) recordByID(c *call, u *user) *record {
	id, err := strconv.ParseInt(c.param("authorization_id"), 10, 64)
	if err != nil {
		return nil
	}
	r := s.st.byID[id]
	if r == nil || r.user != u {
		return nil
	}
	return r
}

// getAuthorization: GET /authorizations/{authorization_id}. 200 (token
// "") with ETag, 304, 401, 403; another user's or unknown id is 404.
func (s *Server) getAuthorization(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	s.st.mu.RLock()
	r := s.recordByID(c, u)
	if r != nil {
		c.buf = appendAuthorization(c.buf[:0], &c.env, r, false)
	}
	s.st.mu.RUnlock()
	if r == nil {
		c.notFound()
		return
	}
	c.writeGET(c.buf)
}

// deleteAuthorization: DELETE /authorizations/{authorization_id}. 204,
// 401, 403. If-None-Match is ignored (docs/fidelity.md).
func (s *Server) deleteAuthorization(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	s.st.mu.Lock()
	r := s.recordByID(c, u)
	if r != nil {
		s.st.remove(r)
	}
	s.st.mu.Unlock()
	if r == nil {
		c.notFound()
		return
	}
	c.write(http.StatusNoContent, nil)
}

// authzInput is the body of create, get-or-create and update.
type authzInput struct {
	Scopes       *[]string `json:"scopes"`
	AddScopes    *[]string `json:"add_scopes"`
	RemoveScopes *[]string `json:"remove_scopes"`
	Note         *string   `json:"note"`
	NoteURL      *string   `json:"note_url"`
	ClientID     *string   `json:"client_id"`
	ClientSecret *string   `json:"client_secret"`
	Fingerprint  *string   `json:"fingerprint"`

	// present records which keys the body has, null or not.
	present map[string]bool
}

func (c *call) authzInput() (in authzInput, ok bool) {
	b, ok := c.decodeBody(&in, true)
	if !ok {
		return in, false
	}
	var keys map[string]json.RawMessage
	json.Unmarshal(b, &keys) // b is a JSON object: decodeBody checked

	in.present = map[string]bool{}
	for k := range keys {
		in.present[k] = true
	}
	for _, f := range []string{"note_url"} {
		if in.NoteURL != nil && *in.NoteURL != "" {
			if u, err := url.Parse(*in.NoteURL); err != nil || u.Scheme == "" {
				c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: f, Code: "invalid"})
				return in, false
			}
		}
	}
	return in, true
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func scopesOf(p *[]string) []string {
	if p == nil || *p == nil {
		return []string{}
	}
	return dedupe(*p)
}

func dedupe(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// createAuthorization: POST /authorizations. 201 with the new token (ghp_
// without client_id, gho_ with one); 401; 403; 410 while the API is
// disabled; 422 for a body that does not fit the schema, a missing or duplicate note
// of a personal token, an unknown client_id, a missing or wrong
// client_secret, or a fingerprint already used. If-None-Match is ignored
// (docs/fidelity.md).
func (s *Server) createAuthorization(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	if s.st.disabled {
		c.fail(http.StatusGone, "The OAuth Authorizations API has been disabled on this server: create tokens with the web application flow or a personal access token")
		return
	}
	in, ok := c.authzInput()
	if !ok {
		return
	}
	var a *app
	if id := str(in.ClientID); id != "" {
		if a = s.st.apps[id]; a == nil {
			c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "client_id", Code: "invalid"})
			return
		}
		if in.ClientSecret == nil || *in.ClientSecret == "" {
			c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "client_secret", Code: "missing_field"})
			return
		}
		if !secretEqual(a.ClientSecret, *in.ClientSecret) {
			c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "client_secret", Code: "invalid"})
			return
		}
	} else if str(in.Note) == "" {
		c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "note", Code: "missing_field", Message: "a personal access token needs a note"})
		return
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	for _, r := range s.st.byID {
		if r.user != u || r.app != a {
			continue
		}
		if a == nil && r.note == str(in.Note) {
			c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "description", Code: "already_exists"})
			return
		}
		if fp := str(in.Fingerprint); fp != "" && r.fingerprint == fp {
			c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "fingerprint", Code: "already_exists"})
			return
		}
	}
	prefix := PrefixPersonal
	if a != nil {
		prefix = PrefixOAuth
	}
	now := s.st.now()
	r := &record{token: s.st.mint(prefix), user: u, app: a, scopes: scopesOf(in.Scopes), note: str(in.Note),
		noteURL: str(in.NoteURL), fingerprint: str(in.Fingerprint), created: now, updated: now}
	s.st.add(r)
	c.buf = appendAuthorization(c.buf[:0], &c.env, r, true)
	c.w.Header().Set("Location", c.env.apiBase+"/authorizations/"+strconv.FormatInt(r.id, 10))
	c.writeTagged(http.StatusCreated, c.buf)
}

// getOrCreate: PUT /authorizations/clients/{client_id}[/{fingerprint}].
// 201 with a new gho_ token the first time; 200 (token "") when the user
// already has an authorization of the app with that fingerprint (or none);
// 401; 403; 422
// for a body that does not fit the schema, an unknown client_id or a wrong
// client_secret.
func (s *Server) getOrCreate(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	a := s.st.apps[c.param("client_id")]
	in, ok := c.authzInput()
	if !ok {
		return
	}
	if a == nil {
		c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "client_id", Code: "invalid"})
		return
	}
	if in.ClientSecret == nil || *in.ClientSecret == "" {
		c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "client_secret", Code: "missing_field"})
		return
	}
	if !secretEqual(a.ClientSecret, *in.ClientSecret) {
		c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "client_secret", Code: "invalid"})
		return
	}
	fp := str(in.Fingerprint)
	if p := c.param("fingerprint"); p != "" {
		fp = p
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	for _, r := range s.st.userRecords(u, a) {
		if r.fingerprint != fp || r.inst != nil {
			continue
		}
		c.buf = appendAuthorization(c.buf[:0], &c.env, r, false)
		c.writeTagged(http.StatusOK, c.buf)
		return
	}
	now := s.st.now()
	r := &record{token: s.st.mint(PrefixOAuth), user: u, app: a, scopes: scopesOf(in.Scopes), note: str(in.Note),
		noteURL: str(in.NoteURL), fingerprint: fp, created: now, updated: now}
	s.st.add(r)
	c.buf = appendAuthorization(c.buf[:0], &c.env, r, true)
	c.w.Header().Set("Location", c.env.apiBase+"/authorizations/"+strconv.FormatInt(r.id, 10))
	c.writeTagged(http.StatusCreated, c.buf)
}

// updateAuthorization: PATCH /authorizations/{authorization_id}. 200
// (token ""); 422 for a body that does not fit the schema, more than one
// of scopes, add_scopes and remove_scopes, or a note another personal
// token of the user already has. Unknown ids are 404, bad credentials 401
// and tokens 403, none of them documented here.
func (s *Server) updateAuthorization(c *call) {
	u, ok := c.userAuth()
	if !ok {
		return
	}
	in, ok := c.authzInput()
	if !ok {
		return
	}
	n := 0
	for _, k := range []string{"scopes", "add_scopes", "remove_scopes"} {
		if in.present[k] {
			n++
		}
	}
	if n > 1 {
		c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "scopes", Code: "invalid", Message: "give only one of scopes, add_scopes and remove_scopes"})
		return
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	r := s.recordByID(c, u)
	if r == nil {
		c.notFound()
		return
	}
	if r.app == nil && in.Note != nil {
		if *in.Note == "" {
			c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "note", Code: "missing_field", Message: "a personal access token needs a note"})
			return
		}
		for _, o := range s.st.byID {
			if o != r && o.user == u && o.app == nil && o.note == *in.Note {
				c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "description", Code: "already_exists"})
				return
			}
		}
	}
	switch {
	case in.present["scopes"]:
		r.scopes = scopesOf(in.Scopes)
	case in.AddScopes != nil:
		r.scopes = dedupe(append(slices.Clone(r.scopes), *in.AddScopes...))
	case in.RemoveScopes != nil:
		r.scopes = slices.DeleteFunc(slices.Clone(r.scopes), func(s string) bool { return slices.Contains(*in.RemoveScopes, s) })
	}
	if in.Note != nil {
		r.note = *in.Note
	}
	if in.NoteURL != nil {
		r.noteURL = *in.NoteURL
	}
	if in.Fingerprint != nil {
		r.fingerprint = *in.Fingerprint
	}
	r.updated = s.st.later(r.updated)
	c.buf = appendAuthorization(c.buf[:0], &c.env, r, false)
	c.write(http.StatusOK, c.buf)
}
