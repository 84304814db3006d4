package conformance

import (
	"fmt"
)

// destructiveDefs are the scenarios that use tokens up: resets, deletions
// and grant revocations, in that order, each on a token of the pool (one
// from OAUTHCOMPAT_TOKENS, one the suite minted, or a reset's successor).
// Each verifies the change from the outside.
func destructiveDefs() []def {
	return []def{
		{keyReset, 200, "valid token; the old one stops working", func(c *caseRun) {
			c.needApp()
			t := c.takeToken()
			c.resetFlow(t, c.req(keyReset).withApp().withJSON(map[string]string{"access_token": t.value}))
		}},
		{keyLegacyReset, 200, "valid token; the old one stops working", func(c *caseRun) {
			c.needApp()
			t := c.takeToken()
			c.resetFlow(t, c.req(keyLegacyReset).withApp().param("access_token", t.value))
		}},
		{keyDelete, 204, "valid token; check then answers 404", func(c *caseRun) {
			c.needApp()
			t := c.takeToken()
			c.deleteFlow(t, c.req(keyDelete).withApp().withJSON(map[string]string{"access_token": t.value}))
		}},
		{keyLegacyRevoke, 204, "valid token; check then answers 404", func(c *caseRun) {
			c.needApp()
			t := c.takeToken()
			c.deleteFlow(t, c.req(keyLegacyRevoke).withApp().param("access_token", t.value))
		}},
		{keyDeleteAuthz, 204, "the suite's authorization", func(c *caseRun) {
			c.needUser()
			id := c.authzID()
			ex := c.subject(c.req(keyDeleteAuthz).withUser().param("authorization_id", id))
			if ex.status != 204 || ex.dry {
				return
			}
			c.dropCreated(id)
			if c.s.has(keyGetAuthz) {
				after := c.send(c.req(keyGetAuthz).withUser().param("authorization_id", id), 404)
				if after.status != 404 {
					c.fail(RuleDeletedStillThere, "", fmt.Sprintf("authorization %s was deleted, but getting it answered %d, want 404", id, after.status), after)
				}
			}
		}},
		{keyLegacyGrant, 204, "valid token; every token of the grant stops working", func(c *caseRun) {
			c.needApp()
			c.learnUsers()
			t := c.takeToken()
			c.revokeFlow(t, c.req(keyLegacyGrant).withApp().param("access_token", t.value))
		}},
		{keyDeleteGrant, 204, "valid token; every token of the grant stops working", func(c *caseRun) {
			c.needApp()
			c.learnUsers()
			t := c.takeToken()
			c.revokeFlow(t, c.req(keyDeleteGrant).withApp().withJSON(map[string]string{"access_token": t.value}))
		}},
		{keyDelGrantA, 204, "the app's grant; its tokens stop working", func(c *caseRun) {
			c.needUser()
			c.needApp()
			id := c.grantID()
			c.learnUsers()
			ex := c.subject(c.req(keyDelGrantA).withUser().param("grant_id", id))
			if ex.status != 204 || ex.dry {
				return
			}
			if c.s.has(keyGetGrant) {
				after := c.send(c.req(keyGetGrant).withUser().param("grant_id", id), 404)
				if after.status != 404 {
					c.fail(RuleDeletedStillThere, "", fmt.Sprintf("grant %s was deleted, but getting it answered %d, want 404", id, after.status), after)
				}
			}
			for _, o := range c.s.pool.all() {
				if o.user != c.s.creds.Username {
					continue
				}
				c.s.pool.drop(o)
				c.expectCheck(o.value, 404, RuleRevokedGrantValid, fmt.Sprintf("a token of the deleted grant (%s) still works", o.label))
			}
		}},
	}
}

// resetFlow resets t and checks that the answer carries a different token,
// that the old token then fails check and the new one passes it. The new
// token joins the pool.
func (c *caseRun) resetFlow(t *poolToken, r *request) {
	ex := c.subject(r)
	if ex.status != 200 {
		c.tokenAnswer(ex, t, "")
		c.s.pool.live = append(c.s.pool.live, t) // not used up
		return
	}
	c.tokenAnswer(ex, t, "")
	nt := ex.str("token")
	if ex.dry {
		c.s.pool.put(nt, "reset("+t.label+")", t.user)
		return
	}
	if nt == "" {
		c.fail(RuleResetTokenUnchanged, "/token", "the reset answered no token", ex)
		return
	}
	if c.s.sameToken(t.value, nt) {
		c.fail(RuleResetTokenUnchanged, "/token", "the reset answered the same token", ex)
		c.s.pool.live = append(c.s.pool.live, t)
		return
	}
	c.expectCheck(t.value, 404, RuleResetOldTokenValid, "the token was reset")
	n := c.s.pool.put(nt, "reset("+t.label+")", t.user)
	c.expectCheck(n.value, 200, RuleResetNewTokenInvalid, "the token a reset answered")
}

// deleteFlow deletes t and checks that check then answers 404.
func (c *caseRun) deleteFlow(t *poolToken, r *request) {
	ex := c.subject(r)
	if ex.dry {
		return
	}
	if ex.status != 204 {
		if ex.status == 404 || ex.status == 410 {
			c.classify(ex, t)
		}
		c.s.pool.live = append(c.s.pool.live, t)
		return
	}
	c.expectCheck(t.value, 404, RuleDeletedTokenValid, "the token was deleted")
}

// revokeFlow revokes the grant of t and checks that t and every other
// pool token of the same user then fail check.
func (c *caseRun) revokeFlow(t *poolToken, r *request) {
	ex := c.subject(r)
	if ex.dry {
		return
	}
	if ex.status != 204 {
		if ex.status == 404 || ex.status == 410 {
			c.classify(ex, t)
		}
		c.s.pool.live = append(c.s.pool.live, t)
		return
	}
	c.verifyRevoked(t.user, t)
}

// forgetUser drops every pool token of user (their grant went away).
func (c *caseRun) forgetUser(user string) {
	for _, o := range c.s.pool.all() {
		if o.user == user {
			c.s.pool.drop(o)
		}
	}
}

// cleanup deletes the authorizations the suite created and did not delete
// itself. It is not a case; its requests are part of the recording.
func (s *suite) cleanup() {
	if len(s.authzIDs) == 0 || !s.has(keyDeleteAuthz) || !s.creds.HasUser() || s.otpChallenge != "" {
		return
	}
	c := &caseRun{s: s, sc: &scenario{}, op: s.op(keyDeleteAuthz)}
	defer func() {
		switch p := recover().(type) {
		case nil, skipCase, stopCase, abortCase:
		default:
			panic(p)
		}
	}()
	if s.dry != nil {
		fmt.Fprintln(s.dry, "# cleanup: delete the authorizations the suite created")
	}
	for _, id := range s.authzIDs {
		c.send(c.req(keyDeleteAuthz).withUser().param("authorization_id", id), 204)
	}
	s.authzIDs = nil
}
