package reference

import (
	"net/http"
	"sort"
	"time"
)

// bodyKind is what an operation's success body is, for the probe in New.
type bodyKind int

const (
	bodyNone bodyKind = iota
	bodyAuthorization
	bodyAuthorizationList
	bodyGrant
	bodyGrantList
)

type handler struct {
	fn   func(*Server, *call)
	body bodyKind
}

// handlers maps "METHOD /path/template" to its implementation. Operation
// ids differ between versions (oauth-authorizations/check-authorization in
// GHES 2.18 is apps/check-authorization from 2.20); the key does not.
var handlers = map[string]handler{
	// Token in the body.
	"POST /applications/{client_id}/token":        {(*Server).checkToken, bodyAuthorization},
	"PATCH /applications/{client_id}/token":       {(*Server).resetToken, bodyAuthorization},
	"DELETE /applications/{client_id}/token":      {(*Server).deleteToken, bodyNone},
	"DELETE /applications/{client_id}/grant":      {(*Server).deleteGrantByToken, bodyNone},
	"POST /applications/{client_id}/token/scoped": {(*Server).scopeToken, bodyAuthorization},
	// Legacy: the token in the path, same state.
	"GET /applications/{client_id}/tokens/{access_token}":    {(*Server).checkToken, bodyAuthorization},
	"POST /applications/{client_id}/tokens/{access_token}":   {(*Server).resetToken, bodyAuthorization},
	"DELETE /applications/{client_id}/tokens/{access_token}": {(*Server).deleteToken, bodyNone},
	"DELETE /applications/{client_id}/grants/{access_token}": {(*Server).deleteGrantByToken, bodyNone},
	// OAuth Authorizations API.
	"GET /applications/grants":                              {(*Server).listGrants, bodyGrantList},
	"GET /applications/grants/{grant_id}":                   {(*Server).getGrant, bodyGrant},
	"DELETE /applications/grants/{grant_id}":                {(*Server).deleteGrant, bodyNone},
	"GET /authorizations":                                   {(*Server).listAuthorizations, bodyAuthorizationList},
	"POST /authorizations":                                  {(*Server).createAuthorization, bodyAuthorization},
	"PUT /authorizations/clients/{client_id}":               {(*Server).getOrCreate, bodyAuthorization},
	"PUT /authorizations/clients/{client_id}/{fingerprint}": {(*Server).getOrCreate, bodyAuthorization},
	"GET /authorizations/{authorization_id}":                {(*Server).getAuthorization, bodyAuthorization},
	"PATCH /authorizations/{authorization_id}":              {(*Server).updateAuthorization, bodyAuthorization},
	"DELETE /authorizations/{authorization_id}":             {(*Server).deleteAuthorization, bodyNone},
}

// pathToken is the token of a legacy path-token route, or "" when the
// route takes it in the body.
func (c *call) pathToken() (string, bool) {
	if t := c.param("access_token"); t != "" {
		return t, true
	}
	return "", false
}

// token reads the token from the path (legacy) or the body.
func (c *call) token() (string, bool) {
	if t, ok := c.pathToken(); ok {
		return t, true
	}
	return c.accessToken()
}

// appToken authenticates the app and reads the token the request names
// (in the path or the body). ok is false when a response was written.
func (c *call) appToken() (a *app, tok string, ok bool) {
	if a, ok = c.appAuth(); !ok {
		return nil, "", false
	}
	if tok, ok = c.token(); !ok {
		return nil, "", false
	}
	return a, tok, true
}

// checkToken: POST /applications/{client_id}/token and the legacy GET.
// 200 with the token, 404 for a token this app does not hold.
func (s *Server) checkToken(c *call) {
	a, tok, ok := c.appToken()
	if !ok {
		return
	}
	s.st.mu.RLock()
	r := s.st.appToken(a, tok)
	if r != nil {
		c.buf = appendAuthorization(c.buf[:0], &c.env, r, true)
	}
	s.st.mu.RUnlock()
	if r == nil {
		c.notFound()
		return
	}
	if c.r.Method == http.MethodGet || c.r.Method == http.MethodHead {
		c.writeGET(c.buf)
		return
	}
	c.writeTagged(http.StatusOK, c.buf)
}

// resetToken: PATCH /applications/{client_id}/token and the legacy POST.
// 200 with a new token and an ETag; the old one stops working and
// updated_at advances (docs/fidelity.md, "Reset token"). An unknown token
// gets 404, which GitHub's prose promises but its descriptions do not
// document.
func (s *Server) resetToken(c *call) {
	a, tok, ok := c.appToken()
	if !ok {
		return
	}
	s.st.mu.Lock()
	r := s.st.appToken(a, tok)
	if r != nil {
		s.st.reset(r)
		c.buf = appendAuthorization(c.buf[:0], &c.env, r, true)
	}
	s.st.mu.Unlock()
	if r == nil {
		c.notFound()
		return
	}
	c.writeTagged(http.StatusOK, c.buf)
}

// deleteToken: DELETE /applications/{client_id}/token and the legacy
// DELETE .../tokens/{access_token}. 204; check answers 404 afterwards.
func (s *Server) deleteToken(c *call) {
	a, tok, ok := c.appToken()
	if !ok {
		return
	}
	s.st.mu.Lock()
	r := s.st.appToken(a, tok)
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

// deleteGrantByToken: DELETE /applications/{client_id}/grant and the
// legacy DELETE .../grants/{access_token}. 204; every token of that user
// for that app is gone.
func (s *Server) deleteGrantByToken(c *call) {
	a, tok, ok := c.appToken()
	if !ok {
		return
	}
	s.st.mu.Lock()
	r := s.st.appToken(a, tok)
	if r != nil {
		s.st.revokeGrant(r.user, a)
	}
	s.st.mu.Unlock()
	if r == nil {
		c.notFound()
		return
	}
	c.write(http.StatusNoContent, nil)
}

// userToServerLifetime is how long a ghu_ token lives, as GitHub's
// expiring user-to-server tokens do.
const userToServerLifetime = 8 * time.Hour

// defaultPermissions are a scoped token's permissions when the request
// names none.
var defaultPermissions = [][2]string{{"contents", "read"}, {"metadata", "read"}}

// scopeToken: POST /applications/{client_id}/token/scoped. 200 with a new
// ghu_ token limited to an account (target or target_id) and optionally
// repositories and permissions; 404 for a token this app does not hold;
// 422 for a body that does not fit the schema, no target, an unknown
// target, target and target_id naming different accounts, or both
// repositories and repository_ids.
func (s *Server) scopeToken(c *call) {
	a, ok := c.appAuth()
	if !ok {
		return
	}
	var in struct {
		AccessToken   string            `json:"access_token"`
		Target        *string           `json:"target"`
		TargetID      *int64            `json:"target_id"`
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if _, ok := c.decodeBody(&in, true); !ok {
		return
	}
	if in.AccessToken == "" {
		c.invalid("Invalid request.\n\n\"access_token\" wasn't supplied.", fieldError{Resource: "OauthAccess", Field: "access_token", Code: "missing_field"})
		return
	}
	var target *user
	switch {
	case in.Target == nil && in.TargetID == nil:
		c.invalid("Validation Failed", fieldError{Resource: "ScopedToken", Field: "target", Code: "missing_field", Message: "target or target_id is required"})
		return
	case in.Target != nil:
		target = s.st.users[*in.Target]
		if target == nil || (in.TargetID != nil && target.ID != *in.TargetID) {
			c.invalid("Validation Failed", fieldError{Resource: "ScopedToken", Field: "target", Code: "invalid", Message: "target does not name an account the app is installed on, or disagrees with target_id"})
			return
		}
	default:
		target = s.st.usersByID[*in.TargetID]
		if target == nil {
			c.invalid("Validation Failed", fieldError{Resource: "ScopedToken", Field: "target_id", Code: "invalid", Message: "target_id does not name an account the app is installed on"})
			return
		}
	}
	if in.Repositories != nil && in.RepositoryIDs != nil {
		c.invalid("Validation Failed", fieldError{Resource: "ScopedToken", Field: "repositories", Code: "invalid", Message: "give repositories or repository_ids, not both"})
		return
	}
	inst := &installation{account: target, selection: "all", repositories: in.Repositories, repoIDs: in.RepositoryIDs}
	if in.Repositories != nil || in.RepositoryIDs != nil {
		inst.selection = "selected"
	}
	if len(in.Permissions) == 0 {
		inst.permissions = defaultPermissions
	} else {
		for k, v := range in.Permissions {
			inst.permissions = append(inst.permissions, [2]string{k, v})
		}
		sort.Slice(inst.permissions, func(i, j int) bool { return inst.permissions[i][0] < inst.permissions[j][0] })
	}
	s.st.mu.Lock()
	r := s.st.appToken(a, in.AccessToken)
	var n *record
	if r != nil {
		now := s.st.now()
		n = &record{token: s.st.mint(PrefixUserToServer), user: r.user, app: a, scopes: append([]string{}, r.scopes...),
			created: now, updated: now, expires: now.Add(userToServerLifetime), inst: inst}
		s.st.add(n)
		c.buf = appendAuthorization(c.buf[:0], &c.env, n, true)
	}
	s.st.mu.Unlock()
	if r == nil {
		c.notFound()
		return
	}
	c.write(http.StatusOK, c.buf)
}
