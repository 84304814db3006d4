package conformance

import (
	"fmt"
	"slices"
)

// authorizationsDefs are the scenarios of the OAuth Authorizations API
// (/authorizations*, /applications/grants*), authenticated with the user's
// Basic credentials. They create what they change and destroy nothing else.
func authorizationsDefs() []def {
	var d []def
	// Authentication, on every operation that documents 401 and 403.
	for _, key := range []string{keyListAuthz, keyCreateAuthz, keyGetAuthz, keyDeleteAuthz, keyGetOrCreate, keyListGrants, keyGetGrant, keyDelGrantA} {
		key := key
		d = append(d,
			def{key, 401, "no credentials", func(c *caseRun) {
				c.subject(c.authzReq(key))
			}},
			def{key, 403, "a token where Basic is required", func(c *caseRun) {
				tok := c.s.unknownToken()
				if t := c.s.pool.peek(); t != nil {
					tok = t.value
					c.useToken(t)
				}
				c.subject(c.authzReq(key).withToken(tok))
			}},
		)
	}
	d = append(d,
		def{keyListAuthz, 401, "wrong password", func(c *caseRun) {
			c.needUser()
			c.subject(c.req(keyListAuthz).withBasic(c.s.creds.Username, "oauthcompat-wrong-password-"+c.s.nonce))
		}},
		def{keyListAuthz, 404, "unknown client_id filter", func(c *caseRun) {
			c.needUser()
			c.subject(c.req(keyListAuthz).withUser().withQuery("client_id", "oauthcompat-no-such-app-"+c.s.nonce))
		}},
		def{keyCreateAuthz, 422, "personal token without a note", func(c *caseRun) {
			c.needUser()
			ex := c.subject(c.req(keyCreateAuthz).withUser().withJSON(map[string]any{"scopes": []string{"gist"}}))
			c.trackCreated(ex)
			c.disabledSkip(ex)
		}},
		def{keyCreateAuthz, 201, "personal token with a note", func(c *caseRun) {
			c.needUser()
			ex := c.subject(c.req(keyCreateAuthz).withUser().withJSON(map[string]any{"note": c.s.name("create"), "scopes": []string{"gist"}}))
			c.trackCreated(ex)
			c.disabledSkip(ex)
			c.checkTokenFields(ex, ex.object(), "")
			if ex.status == 201 && !ex.dry && ex.str("token") == "" {
				c.fail(RuleTokenEcho, "/token", "a created authorization must carry its token", ex)
			}
		}},
		def{keyCreateAuthz, 410, "Authorizations API disabled", func(c *caseRun) {
			c.needUser()
			ex := c.send(c.req(keyCreateAuthz).withUser().withJSON(map[string]any{"note": c.s.name("disabled"), "scopes": []string{"gist"}}), 410)
			if ex.status == 201 {
				c.trackCreated(ex)
				c.skip("the Authorizations API is enabled on this target (POST /authorizations answered 201); 410 needs a server where it is disabled")
			}
			c.exercised, c.res.Got = true, ex.status
			if !ex.dry {
				c.checkResponse(ex)
			}
		}},
		def{keyListAuthz, 200, "lists the suite's authorization", func(c *caseRun) {
			c.needUser()
			id := c.authzID()
			ex := c.subject(c.req(keyListAuthz).withUser().withQuery("per_page", "100"))
			if ex.status == 200 && !ex.dry && !slices.ContainsFunc(ex.list(), func(m map[string]any) bool { return idOf(m) == id }) {
				c.fail(RuleDeletedStillThere, "", fmt.Sprintf("the list does not hold authorization %s, which the suite just created", id), ex)
			}
		}},
		def{keyListAuthz, 200, "paginated", func(c *caseRun) {
			c.needUser()
			c.authzID()
			c.paginate(keyListAuthz)
		}},
		def{keyListAuthz, 304, "If-None-Match", func(c *caseRun) {
			c.needUser()
			tag := c.etagOf(c.req(keyListAuthz).withUser(), "listing the authorizations for their ETag")
			c.subject(c.req(keyListAuthz).withUser().withHeader("If-None-Match", tag))
		}},
		def{keyGetAuthz, 200, "the suite's authorization", func(c *caseRun) {
			c.needUser()
			id := c.authzID()
			ex := c.subject(c.req(keyGetAuthz).withUser().param("authorization_id", id))
			if ex.status == 200 && !ex.dry && ex.id() != id {
				c.fail(RuleStatusMismatch, "/id", fmt.Sprintf("asked for authorization %s, got %q", id, ex.id()), ex)
			}
		}},
		def{keyGetAuthz, 304, "If-None-Match", func(c *caseRun) {
			c.needUser()
			id := c.authzID()
			tag := c.etagOf(c.req(keyGetAuthz).withUser().param("authorization_id", id), "getting the authorization for its ETag")
			c.subject(c.req(keyGetAuthz).withUser().param("authorization_id", id).withHeader("If-None-Match", tag))
		}},
		def{keyUpdateAuthz, 200, "add_scopes", func(c *caseRun) {
			c.needUser()
			id := c.authzID()
			ex := c.subject(c.req(keyUpdateAuthz).withUser().param("authorization_id", id).withJSON(map[string]any{"add_scopes": []string{"read:org"}}))
			if ex.status == 200 && !ex.dry {
				scopes, _ := ex.object()["scopes"].([]any)
				if !slices.Contains(scopes, any("read:org")) {
					c.fail(RuleScopes, "/scopes", "add_scopes [read:org] answered scopes without read:org", ex)
				}
			}
		}},
		def{keyUpdateAuthz, 422, "scopes and add_scopes together", func(c *caseRun) {
			c.needUser()
			id := c.authzID()
			c.subject(c.req(keyUpdateAuthz).withUser().param("authorization_id", id).
				withJSON(map[string]any{"scopes": []string{"gist"}, "add_scopes": []string{"repo"}}))
		}},
	)
	for _, key := range []string{keyGetOrCreate, keyGetOrCreateF} {
		key := key
		d = append(d,
			def{key, 422, "missing client_secret", func(c *caseRun) {
				c.needUser()
				c.needApp()
				c.subject(c.getOrCreate(key, c.s.name("fp"), false))
			}},
			def{key, 201, "new fingerprint", func(c *caseRun) {
				c.needUser()
				c.needApp()
				ex := c.subject(c.getOrCreate(key, c.s.name("fp"), true))
				c.afterGetOrCreate(ex)
			}},
			def{key, 200, "same fingerprint again", func(c *caseRun) {
				c.needUser()
				c.needApp()
				fp := c.s.name("fp")
				first := c.send(c.getOrCreate(key, fp, true), 201)
				c.need(first, 201, "creating the authorization")
				c.afterGetOrCreate(first)
				ex := c.subject(c.getOrCreate(key, fp, true))
				if ex.status == 200 && !ex.dry && ex.id() != first.id() {
					c.fail(RuleGetOrCreate, "/id", fmt.Sprintf("the second call answered authorization %s, the first created %s", ex.id(), first.id()), ex)
				}
				c.checkAppClientID(ex, ex.object())
			}},
		)
	}
	d = append(d,
		def{keyListGrants, 404, "unknown client_id filter", func(c *caseRun) {
			c.needUser()
			c.subject(c.req(keyListGrants).withUser().withQuery("client_id", "oauthcompat-no-such-app-"+c.s.nonce))
		}},
		def{keyListGrants, 200, "holds the app's grant", func(c *caseRun) {
			c.needUser()
			c.needApp()
			c.grantID()
			ex := c.subject(c.req(keyListGrants).withUser().withQuery("per_page", "100"))
			if ex.status == 200 && !ex.dry && !slices.ContainsFunc(ex.list(), func(m map[string]any) bool {
				return nested(m, "app", "client_id") == c.s.creds.ClientID
			}) {
				c.fail(RuleDeletedStillThere, "", fmt.Sprintf("the list holds no grant of app %s, which the user has authorized", c.s.creds.ClientID), ex)
			}
		}},
		def{keyListGrants, 200, "paginated", func(c *caseRun) {
			c.needUser()
			c.paginate(keyListGrants)
		}},
		def{keyListGrants, 304, "If-None-Match", func(c *caseRun) {
			c.needUser()
			tag := c.etagOf(c.req(keyListGrants).withUser(), "listing the grants for their ETag")
			c.subject(c.req(keyListGrants).withUser().withHeader("If-None-Match", tag))
		}},
		def{keyGetGrant, 200, "the app's grant", func(c *caseRun) {
			c.needUser()
			c.needApp()
			id := c.grantID()
			ex := c.subject(c.req(keyGetGrant).withUser().param("grant_id", id))
			c.checkAppClientID(ex, ex.object())
		}},
		def{keyGetGrant, 304, "If-None-Match", func(c *caseRun) {
			c.needUser()
			c.needApp()
			id := c.grantID()
			tag := c.etagOf(c.req(keyGetGrant).withUser().param("grant_id", id), "getting the grant for its ETag")
			c.subject(c.req(keyGetGrant).withUser().param("grant_id", id).withHeader("If-None-Match", tag))
		}},
	)
	return d
}

// authzReq builds a request to an Authorizations API operation for the
// authentication scenarios. A DELETE addresses only what the suite may
// destroy (its own authorization, the user's grant of the app), in case a
// target wrongly accepts the request; other operations use harmless ids.
func (c *caseRun) authzReq(key string) *request {
	r := c.req(key)
	if r.params["client_id"] == "" {
		r.param("client_id", "oauthcompat-probe")
	}
	r.param("grant_id", "1").param("authorization_id", "1")
	if r.method == "DELETE" {
		c.needUser()
		switch key {
		case keyDeleteAuthz:
			r.param("authorization_id", c.authzID())
		case keyDelGrantA:
			c.needApp()
			r.param("grant_id", c.grantID())
		}
	}
	switch r.method {
	case "POST":
		r.withJSON(map[string]any{"note": c.s.name("unauthenticated"), "scopes": []string{"gist"}})
	case "PUT":
		r.withJSON(map[string]any{"client_secret": masked, "scopes": []string{"gist"}})
	}
	return r
}

// getOrCreate builds a PUT /authorizations/clients/{client_id}[/{fp}].
func (c *caseRun) getOrCreate(key, fp string, withSecret bool) *request {
	body := map[string]any{"scopes": []string{"read:user"}, "note": fp}
	if withSecret {
		body["client_secret"] = c.s.creds.ClientSecret
	}
	r := c.req(key).withUser()
	if key == keyGetOrCreateF {
		r.param("fingerprint", fp)
	} else {
		body["fingerprint"] = fp
	}
	return r.withJSON(body)
}

// afterGetOrCreate checks a 201 of get-or-create and adds its token to the
// pool.
func (c *caseRun) afterGetOrCreate(ex *exchange) {
	if ex.status != 201 {
		return
	}
	obj := ex.object()
	c.checkTokenFields(ex, obj, "")
	c.checkAppClientID(ex, obj)
	if tok := ex.str("token"); tok != "" {
		c.s.minted++
		c.s.pool.put(tok, fmt.Sprintf("minted:%d", c.s.minted), c.s.creds.Username)
	}
}

// trackCreated remembers an authorization a create answered, so cleanup
// deletes it.
func (c *caseRun) trackCreated(ex *exchange) {
	if ex.status == 201 && !ex.dry {
		if id := ex.id(); id != "" {
			c.s.authzIDs = append(c.s.authzIDs, id)
		}
	}
}

func (c *caseRun) dropCreated(id string) {
	c.s.authzIDs = slices.DeleteFunc(c.s.authzIDs, func(x string) bool { return x == id })
}

// disabledSkip turns a 410 from POST /authorizations into "not exercised":
// a target with the Authorizations API disabled answers 410 before it
// looks at anything else, which is documented behaviour.
func (c *caseRun) disabledSkip(ex *exchange) {
	if ex.status == 410 && c.sc.status != 410 && !ex.dry {
		c.res.Findings = nil
		c.skip("the Authorizations API is disabled on this target (POST /authorizations answered 410)")
	}
}

// paginate lists with per_page=1 and checks the Link header: next and last
// on the first page when there is more than one item, page numbers that
// follow, per_page kept, and a second page that holds another item.
func (c *caseRun) paginate(key string) {
	ex := c.subject(c.req(key).withUser().withQuery("per_page", "1").withQuery("page", "1"))
	if ex.status != 200 || ex.dry {
		return
	}
	items := ex.list()
	if len(items) > 1 {
		c.fail(RuleLinkHeader, "", fmt.Sprintf("per_page=1 answered %d items", len(items)), ex)
	}
	links := parseLink(ex.header.Get("Link"))
	next, last := links["next"], links["last"]
	if len(items) == 0 || next == nil {
		if next == nil && last != nil && pageNum(last) > 1 {
			c.fail(RuleLinkHeader, "", `the first page has rel="last" beyond page 1 but no rel="next"`, ex)
		}
		return
	}
	if links["prev"] != nil || links["first"] != nil {
		c.fail(RuleLinkHeader, "", `the first page links rel="prev" or rel="first"`, ex)
	}
	if pageNum(next) != 2 {
		c.fail(RuleLinkHeader, "", fmt.Sprintf(`rel="next" of page 1 points at page %q`, next.Query().Get("page")), ex)
	}
	if next.Query().Get("per_page") != "1" {
		c.fail(RuleLinkHeader, "", `rel="next" drops per_page=1`, ex)
	}
	if last == nil || pageNum(last) < 2 {
		c.fail(RuleLinkHeader, "", `rel="next" without a rel="last" of page 2 or more`, ex)
	}
	ex2 := c.send(c.req(key).withUser().withQuery("per_page", "1").withQuery("page", "2"), 200)
	if ex2.status != 200 {
		c.fail(RuleLinkHeader, "", fmt.Sprintf(`following rel="next" answered %d`, ex2.status), ex2)
		return
	}
	items2 := ex2.list()
	if len(items2) != 1 {
		c.fail(RuleLinkHeader, "", fmt.Sprintf("page 2 of per_page=1 holds %d items", len(items2)), ex2)
	} else if idOf(items2[0]) == idOf(items[0]) {
		c.fail(RuleLinkHeader, "", "page 2 repeats the item of page 1", ex2)
	}
	links2 := parseLink(ex2.header.Get("Link"))
	if p := links2["prev"]; p == nil || pageNum(p) != 1 {
		c.fail(RuleLinkHeader, "", `page 2 has no rel="prev" to page 1`, ex2)
	}
	if last != nil && pageNum(last) == 2 && links2["next"] != nil {
		c.fail(RuleLinkHeader, "", `the last page has a rel="next"`, ex2)
	}
}
