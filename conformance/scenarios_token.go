package conformance

import (
	"fmt"
	"strings"
)

// tokenDefs are the scenarios of the app token endpoints (token in the
// body, scoped, legacy path-token) that destroy nothing: checks, unknown
// and malformed tokens, missing and wrong credentials.
func tokenDefs() []def {
	return []def{
		{keyCheck, 200, "valid token", func(c *caseRun) {
			c.needApp()
			t := c.peekToken()
			ex := c.subject(c.req(keyCheck).withApp().withJSON(map[string]string{"access_token": t.value}))
			c.tokenAnswer(ex, t, t.value)
		}},
		{keyCheck, 404, "unknown token", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyCheck).withApp().withJSON(map[string]string{"access_token": c.s.unknownToken()}))
		}},
		{keyCheck, 422, "missing access_token", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyCheck).withApp().withJSON(map[string]any{}))
		}},
		{keyCheck, 422, "access_token not a string", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyCheck).withApp().withJSON(map[string]any{"access_token": 12345}))
		}},
		{keyLegacyCheck, 200, "valid token, same answer as the body endpoint", func(c *caseRun) {
			c.needApp()
			t := c.peekToken()
			ex := c.subject(c.req(keyLegacyCheck).withApp().param("access_token", t.value))
			c.tokenAnswer(ex, t, t.value)
			if ex.status != 200 || ex.dry || !c.s.has(keyCheck) {
				return
			}
			body := c.send(c.req(keyCheck).withApp().withJSON(map[string]string{"access_token": t.value}), 200)
			if body.status != 200 {
				c.fail(RuleLegacyBodyDisagree, "", fmt.Sprintf("the legacy endpoint accepts the token but POST /applications/{client_id}/token answered %d", body.status), body)
				return
			}
			a, b := ex.object(), body.object()
			for _, f := range []string{"id", "token", "hashed_token", "token_last_eight", "scopes"} {
				if fmt.Sprint(a[f]) != fmt.Sprint(b[f]) {
					c.fail(RuleLegacyBodyDisagree, "/"+f, fmt.Sprintf("the legacy and body endpoints answer different %s for the same token", f), body)
				}
			}
			if nested(a, "user", "login") != nested(b, "user", "login") {
				c.fail(RuleLegacyBodyDisagree, "/user/login", "the legacy and body endpoints answer different users for the same token", body)
			}
		}},
		{keyLegacyCheck, 404, "unknown token", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyLegacyCheck).withApp().param("access_token", c.s.unknownToken()))
		}},
		{keyScope, 401, "no credentials", func(c *caseRun) {
			c.needApp() // the path names the app
			c.subject(c.req(keyScope).withJSON(map[string]any{"access_token": c.s.unknownToken(), "target": "oauthcompat"}))
		}},
		{keyScope, 403, "a token where Basic is required", func(c *caseRun) {
			c.needApp() // the path names the app
			tok := c.s.unknownToken()
			if t := c.s.pool.peek(); t != nil {
				tok = t.value
				c.useToken(t)
			}
			c.subject(c.req(keyScope).withToken(tok).withJSON(map[string]any{"access_token": tok, "target": "oauthcompat"}))
		}},
		{keyScope, 422, "missing access_token", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyScope).withApp().withJSON(map[string]any{"target": c.login()}))
		}},
		{keyScope, 404, "unknown token", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyScope).withApp().withJSON(map[string]any{"access_token": c.s.unknownToken(), "target": c.login()}))
		}},
		{keyScope, 200, "scoped to the token's owner", func(c *caseRun) {
			c.needApp()
			t := c.peekToken()
			login := c.login()
			ex := c.subject(c.req(keyScope).withApp().withJSON(map[string]any{
				"access_token": t.value, "target": login, "permissions": map[string]string{"metadata": "read"},
			}))
			if ex.status != 200 || ex.dry {
				return
			}
			obj := ex.object()
			c.checkTokenFields(ex, obj, "")
			c.checkAppClientID(ex, obj)
			if c.s.sameToken(t.value, str(obj, "token")) {
				c.fail(RuleResetTokenUnchanged, "/token", "the scoped token is the token it was made from", ex)
			}
		}},
		{keyReset, 422, "missing access_token", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyReset).withApp().withJSON(map[string]any{}))
		}},
		{keyDelete, 422, "missing access_token", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyDelete).withApp().withJSON(map[string]any{}))
		}},
		{keyDeleteGrant, 422, "missing access_token", func(c *caseRun) {
			c.needApp()
			c.subject(c.req(keyDeleteGrant).withApp().withJSON(map[string]any{}))
		}},
	}
}

// tokenAnswer checks the answer to a check or reset of t: the token fields
// agree, app.client_id is the path's, and when the version answers 404
// where success was due, classifies why.
func (c *caseRun) tokenAnswer(ex *exchange, t *poolToken, sent string) {
	if ex.dry {
		return
	}
	if ex.status == 404 || ex.status == 410 {
		c.classify(ex, t)
		return
	}
	obj := ex.object()
	c.checkTokenFields(ex, obj, sent)
	c.checkAppClientID(ex, obj)
	if ex.status == 200 {
		if u := nested(obj, "user", "login"); u != "" {
			c.s.users[t.value] = u
			if t.user == "" {
				t.user = u
			}
		}
	}
}

// classify tells why an app token endpoint answered 404 (or 410) where the
// version documents success: the endpoint is removed or disabled, the
// token is not known, or the credentials are rejected. Two control probes
// decide: the same token on the other check endpoint, and a path that
// cannot exist.
func (c *caseRun) classify(ex *exchange, t *poolToken) {
	var ctrl *exchange
	ctrlName := ""
	switch {
	case c.sc.key != keyCheck && c.s.has(keyCheck):
		ctrl = c.send(c.req(keyCheck).withApp().withJSON(map[string]string{"access_token": t.value}), 200)
		ctrlName = "POST /applications/{client_id}/token"
	case c.sc.key != keyLegacyCheck && c.s.has(keyLegacyCheck):
		ctrl = c.send(c.req(keyLegacyCheck).withApp().param("access_token", t.value), 200)
		ctrlName = "GET /applications/{client_id}/tokens/{access_token}"
	}
	bogus := c.send(newRequest("GET", "/applications/{client_id}/oauthcompat-no-such-endpoint-"+c.s.nonce).withApp().param("client_id", c.s.creds.ClientID), 404)
	routeLike := bogus.status == ex.status && str(bogus.object(), "message") == str(ex.object(), "message")
	msg := str(ex.object(), "message")
	switch {
	case ex.status == 410 || containsFold(msg, "disabled"):
		c.fail(RuleEndpointDisabled, "", fmt.Sprintf("%s answered %d %q: the endpoint is disabled on this target", c.op.Key(), ex.status, msg), ex)
	case ctrl != nil && ctrl.status == 200:
		how := "its 404 differs from that of a path that cannot exist"
		if routeLike {
			how = "it answers like a path that cannot exist"
		}
		c.fail(RuleEndpointRemoved, "", fmt.Sprintf("the endpoint looks removed: the same token and credentials work on %s, and %s", ctrlName, how), ex)
	case ctrl != nil && (ctrl.status == 401 || ctrl.status == 403):
		c.fail(RuleCredentialRejected, "", fmt.Sprintf("the app's credentials are rejected: %s answered %d too", ctrlName, ctrl.status), ex)
	case ctrl != nil && ctrl.status == 404:
		c.fail(RuleTokenRejected, "", fmt.Sprintf("the token is not known to this app (%s answers 404 too): give tokens of %s in %s", ctrlName, c.s.creds.ClientID, EnvTokens), ex)
	case routeLike:
		c.fail(RuleEndpointRemoved, "", "the endpoint looks removed: it answers like a path that cannot exist (no other endpoint checks the token on this version)", ex)
	default:
		c.fail(RuleTokenRejected, "", "the token looks rejected: the 404 differs from that of a path that cannot exist", ex)
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
