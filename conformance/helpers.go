package conformance

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Operation keys the scenarios and helpers use.
const (
	keyCheck        = "POST /applications/{client_id}/token"
	keyReset        = "PATCH /applications/{client_id}/token"
	keyDelete       = "DELETE /applications/{client_id}/token"
	keyDeleteGrant  = "DELETE /applications/{client_id}/grant"
	keyScope        = "POST /applications/{client_id}/token/scoped"
	keyLegacyCheck  = "GET /applications/{client_id}/tokens/{access_token}"
	keyLegacyReset  = "POST /applications/{client_id}/tokens/{access_token}"
	keyLegacyRevoke = "DELETE /applications/{client_id}/tokens/{access_token}"
	keyLegacyGrant  = "DELETE /applications/{client_id}/grants/{access_token}"
	keyListGrants   = "GET /applications/grants"
	keyGetGrant     = "GET /applications/grants/{grant_id}"
	keyDelGrantA    = "DELETE /applications/grants/{grant_id}"
	keyListAuthz    = "GET /authorizations"
	keyCreateAuthz  = "POST /authorizations"
	keyGetOrCreate  = "PUT /authorizations/clients/{client_id}"
	keyGetOrCreateF = "PUT /authorizations/clients/{client_id}/{fingerprint}"
	keyGetAuthz     = "GET /authorizations/{authorization_id}"
	keyUpdateAuthz  = "PATCH /authorizations/{authorization_id}"
	keyDeleteAuthz  = "DELETE /authorizations/{authorization_id}"
)

// req starts a request for an operation key, with client_id filled in.
func (c *caseRun) req(key string) *request {
	method, path, _ := strings.Cut(key, " ")
	r := newRequest(method, path)
	r.param("client_id", c.s.creds.ClientID)
	return r
}

// needApp ends the case unless the app's credentials are set.
func (c *caseRun) needApp() {
	if !c.s.creds.HasApp() {
		c.skip("needs the OAuth app's credentials: set %s and %s", EnvClientID, EnvClientSecret)
	}
}

// needUser ends the case unless a user's credentials are set.
func (c *caseRun) needUser() {
	if !c.s.creds.HasUser() {
		c.skip("needs a user's credentials for the OAuth Authorizations API: set %s and %s", EnvUsername, EnvPassword)
	}
	if c.s.otpChallenge != "" {
		c.skip("%s", c.s.otpMissingReason())
	}
}

func (c *caseRun) noTokenReason() string {
	if c.s.canMint() {
		return "no token left and minting one through the Authorizations API failed"
	}
	return fmt.Sprintf("no token left that the suite may use: list more of the app's tokens in %s (the Authorizations API, which could mint them, is not available)", EnvTokens)
}

// peekToken returns a token for a case that does not destroy it.
func (c *caseRun) peekToken() *poolToken {
	if t := c.s.pool.peek(); t != nil {
		c.useToken(t)
		return t
	}
	if t := c.mint(); t != nil {
		c.useToken(t)
		return t
	}
	c.skip("%s", c.noTokenReason())
	return nil
}

// takeToken returns a token the case may destroy, removed from the pool.
func (c *caseRun) takeToken() *poolToken {
	if c.s.pool.peek() == nil {
		c.mint()
	}
	t := c.s.pool.take()
	if t == nil {
		c.skip("%s", c.noTokenReason())
	}
	c.useToken(t)
	return t
}

func (c *caseRun) useToken(t *poolToken) {
	if c.res.Token == "" {
		c.res.Token = t.label
	}
}

// canMint reports whether the suite can mint OAuth tokens of the app
// through the Authorizations API.
func (s *suite) canMint() bool {
	return s.creds.HasApp() && s.creds.HasUser() && s.otpChallenge == "" && (s.has(keyGetOrCreateF) || s.has(keyGetOrCreate))
}

// mint creates a token of the app for the user through the Authorizations
// API and adds it to the pool; nil when it cannot.
func (c *caseRun) mint() *poolToken {
	s := c.s
	if !s.canMint() {
		return nil
	}
	fp := s.name("mint")
	var r *request
	if s.has(keyGetOrCreateF) {
		r = c.req(keyGetOrCreateF).withUser().param("fingerprint", fp).
			withJSON(map[string]any{"client_secret": s.creds.ClientSecret, "scopes": []string{"read:user"}, "note": fp})
	} else {
		r = c.req(keyGetOrCreate).withUser().
			withJSON(map[string]any{"client_secret": s.creds.ClientSecret, "scopes": []string{"read:user"}, "note": fp, "fingerprint": fp})
	}
	ex := c.send(r, 201)
	tok := ex.str("token")
	if ex.status != 201 || tok == "" {
		return nil
	}
	s.minted++
	return s.pool.put(tok, fmt.Sprintf("minted:%d", s.minted), s.creds.Username)
}

// check asks the target whether tok is valid, through the body endpoint
// or else the legacy one. It returns the status, or 0 when the version
// documents no way to check.
func (c *caseRun) check(tok string) (int, *exchange) {
	var r *request
	switch {
	case c.s.has(keyCheck):
		r = c.req(keyCheck).withApp().withJSON(map[string]string{"access_token": tok})
	case c.s.has(keyLegacyCheck):
		r = c.req(keyLegacyCheck).withApp().param("access_token", tok)
	default:
		return 0, nil
	}
	ex := c.send(r, 200)
	if ex.status == 200 {
		if login := nested(ex.object(), "user", "login"); login != "" {
			c.s.users[tok] = login
		}
	}
	return ex.status, ex
}

// expectCheck checks tok and records a finding under rule when the answer
// is not want.
func (c *caseRun) expectCheck(tok string, want int, rule, what string) {
	got, ex := c.check(tok)
	if got == 0 || ex.dry || got == want {
		return
	}
	c.fail(rule, "", fmt.Sprintf("%s: checking it answered %d, want %d", what, got, want), ex)
}

// login returns the login of the user the suite acts for: the user
// credentials, or the owner of a pool token.
func (c *caseRun) login() string {
	if c.s.creds.Username != "" {
		return c.s.creds.Username
	}
	t := c.peekToken()
	if u := c.s.users[t.value]; u != "" {
		return u
	}
	st, ex := c.check(t.value)
	if st == 200 {
		if u := nested(ex.object(), "user", "login"); u != "" {
			return u
		}
	}
	if ex != nil && ex.dry {
		return "{login}"
	}
	c.skip("needs the login of a token's owner: set %s, or give a token the app can check", EnvUsername)
	return ""
}

// learnUsers checks every pool token whose owner is unknown, so a grant
// revocation knows which tokens it must take down.
func (c *caseRun) learnUsers() {
	for _, t := range c.s.pool.all() {
		if t.user != "" {
			continue
		}
		if u := c.s.users[t.value]; u != "" {
			t.user = u
			continue
		}
		st, _ := c.check(t.value)
		switch st {
		case 200:
			t.user = c.s.users[t.value]
		case 404:
			c.s.pool.drop(t) // already dead: of no use to later cases
		}
	}
}

// verifyRevoked checks, after a grant of user was revoked through t, that
// every pool token of that user is dead, and drops them from the pool.
func (c *caseRun) verifyRevoked(user string, t *poolToken) {
	c.expectCheck(t.value, 404, RuleRevokedGrantValid, "the token whose grant was revoked still works")
	for _, o := range c.s.pool.all() {
		if user == "" || o.user != user {
			continue
		}
		c.s.pool.drop(o)
		c.expectCheck(o.value, 404, RuleRevokedGrantValid, fmt.Sprintf("another token of the revoked grant (%s) still works", o.label))
	}
}

// authzID returns the id of an authorization the suite created, creating
// one when there is none.
func (c *caseRun) authzID() string {
	if n := len(c.s.authzIDs); n > 0 {
		return c.s.authzIDs[n-1]
	}
	if !c.s.has(keyCreateAuthz) {
		c.skip("needs an authorization the suite created, and %s does not document POST /authorizations", c.s.v.Name)
	}
	ex := c.send(c.req(keyCreateAuthz).withUser().withJSON(map[string]any{"note": c.s.name("authz"), "scopes": []string{"gist"}}), 201)
	if ex.status == 410 {
		c.skip("the Authorizations API is disabled on this target (POST /authorizations answered 410), so the suite cannot create an authorization to work on")
	}
	c.need(ex, 201, "creating an authorization to work on")
	id := ex.id()
	c.s.authzIDs = append(c.s.authzIDs, id)
	return id
}

// grantID returns the id of the user's grant of the app, minting a token
// first when the user has none.
func (c *caseRun) grantID() string {
	find := func() string {
		ex := c.send(c.req(keyListGrants).withUser().withQuery("client_id", c.s.creds.ClientID).withQuery("per_page", "100"), 200)
		if ex.dry {
			return "{grant_id}"
		}
		for _, g := range ex.list() {
			if nested(g, "app", "client_id") == c.s.creds.ClientID {
				return idOf(g)
			}
		}
		return ""
	}
	if id := find(); id != "" {
		return id
	}
	if c.mint() != nil {
		if id := find(); id != "" {
			return id
		}
	}
	c.skip("the user has no grant of the app %s and the suite could not make one", c.s.creds.ClientID)
	return ""
}

// etagOf GETs a resource and returns its ETag.
func (c *caseRun) etagOf(r *request, what string) string {
	ex := c.send(r, 200)
	c.need(ex, 200, what)
	if ex.dry {
		return `"{etag}"`
	}
	tag := ex.header.Get("ETag")
	if tag == "" {
		c.skip("%s: the answer has no ETag, so a conditional request cannot be made", what)
	}
	return tag
}

// link parses a Link header into rel -> URL.
func parseLink(h string) map[string]*url.URL {
	out := map[string]*url.URL{}
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		target, params, _ := strings.Cut(part, ";")
		target = strings.TrimSpace(target)
		if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		u, err := url.Parse(strings.Trim(target, "<>"))
		if err != nil {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.TrimSpace(k) == "rel" {
				for _, rel := range strings.Fields(strings.Trim(v, `"`)) {
					out[rel] = u
				}
			}
		}
	}
	return out
}

func pageNum(u *url.URL) int {
	n, err := strconv.Atoi(u.Query().Get("page"))
	if err != nil {
		return 0
	}
	return n
}
