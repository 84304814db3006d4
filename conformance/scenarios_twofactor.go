package conformance

import (
	"fmt"
	"net/http"
	"strings"
)

// maxLockoutAttempts bounds the wrong one-time passwords the lockout case
// sends before it gives up waiting for 403.
const maxLockoutAttempts = 10

// twoFactorDefs are the scenarios of a user with two-factor authentication
// (OAUTHCOMPAT_OTP set): a Basic login without the one-time password, or
// with a wrong one, is answered 401 with "X-GitHub-OTP: required; app" (or
// sms). Every other case of the user sends the password in X-GitHub-OTP
// (docs/fidelity.md, "Two-factor authentication"). A wrong code counts
// toward GitHub's login lockout, so that case runs only with
// OAUTHCOMPAT_ALLOW_LOCKOUT=yes; a run without it sends at most one failed
// login of the user besides the wrong-password case.
func twoFactorDefs() []def {
	return []def{
		{keyListAuthz, 401, "two-factor authentication: no one-time password", func(c *caseRun) {
			c.needOTP()
			r := c.req(keyListAuthz).withUser()
			r.noOTP = true
			c.otpRefused(c.subject(r))
		}},
		{keyListAuthz, 401, "two-factor authentication: a wrong one-time password", func(c *caseRun) {
			c.needOTP()
			c.needLockout("would send a wrong one-time password, which counts toward the user's login lockout")
			r := c.req(keyListAuthz).withUser().withHeader(OTPHeader, c.wrongOTP())
			r.noOTP = true
			c.otpRefused(c.subject(r))
		}},
	}
}

// finalDefs run after the cleanup, last: they may leave the user locked
// out.
func finalDefs() []def {
	return []def{
		{keyListAuthz, 403, "two-factor authentication: login attempts exceeded", func(c *caseRun) {
			c.needOTP()
			c.needLockout("would lock the user out by failing their one-time password until the server refuses every login")
			var ex *exchange
			for i := 0; i < maxLockoutAttempts; i++ {
				r := c.req(keyListAuthz).withUser().withHeader(OTPHeader, c.wrongOTP())
				r.noOTP = true
				ex = c.send(r, 403)
				if ex.dry || ex.status == http.StatusForbidden {
					break
				}
			}
			c.exercised, c.res.Got = true, ex.status
			if ex.dry {
				return
			}
			c.checkResponse(ex)
			if ex.status == http.StatusForbidden && !containsFold(str(ex.object(), "message"), "login attempts") {
				c.note("the 403 says %q, not GitHub's \"Maximum number of login attempts exceeded\"", str(ex.object(), "message"))
			}
		}},
	}
}

// needOTP ends the case unless the user has two-factor authentication.
func (c *caseRun) needOTP() {
	c.needUser()
	if c.s.creds.OTP == "" {
		c.skip("needs a user with two-factor authentication: set %s to the user's current one-time password", EnvOTP)
	}
}

// needLockout ends the case, saying why (what it would do), unless the
// run may lock the user out.
func (c *caseRun) needLockout(why string) {
	if !c.s.creds.AllowLockout {
		c.skip("%s: set %s=yes for a user you can spare", why, EnvAllowLockout)
	}
}

// wrongOTP is a one-time password that is not the user's.
func (c *caseRun) wrongOTP() string {
	if c.s.creds.OTP == "000000" {
		return "999999"
	}
	return "000000"
}

// otpRefused checks that a 401 for a missing or wrong one-time password
// says one is required, and how it is delivered.
func (c *caseRun) otpRefused(ex *exchange) {
	if ex.dry || ex.status != http.StatusUnauthorized {
		return
	}
	h := ex.header.Get(OTPHeader)
	if !strings.HasPrefix(strings.ToLower(h), "required;") {
		c.fail(RuleOTPRequired, "", fmt.Sprintf("a login without a valid one-time password answered 401 with %s %q, want \"required; app\" or \"required; sms\"", OTPHeader, h), ex)
	}
}
