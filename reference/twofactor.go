package reference

import (
	"net/http"
	"sync"
)

// MaxLoginAttempts is how many failed logins in a row (a wrong password, or
// a missing or wrong one-time password) a user may make before every
// further Basic login of theirs is answered 403 "Maximum number of login
// attempts exceeded". A successful login resets the count; a locked user
// stays locked until the server restarts. GitHub does not publish its
// number (docs/fidelity.md, "Two-factor authentication").
const MaxLoginAttempts = 5

// OTPHeader is the header of a one-time password, and of GitHub's answer
// that one is required ("required; app" or "required; sms").
const OTPHeader = "X-GitHub-OTP"

// logins counts failed Basic logins per user.
type logins struct {
	mu     sync.Mutex
	failed map[string]int
}

// locked reports whether login has no attempts left.
func (l *logins) locked(login string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed[login] >= MaxLoginAttempts
}

func (l *logins) fail(login string) {
	l.mu.Lock()
	l.failed[login]++
	l.mu.Unlock()
}

func (l *logins) succeed(login string) {
	l.mu.Lock()
	delete(l.failed, login)
	l.mu.Unlock()
}

// otpDocs is where GitHub's 2FA answers point.
const otpDocs = "https://docs.github.com/rest/overview/other-authentication-methods#working-with-two-factor-authentication"

// secondFactor checks the one-time password of a user with two-factor
// authentication whose password was right. ok is false when a response
// was written: 401 with X-GitHub-OTP: required; <delivery> when the
// header is missing or wrong (the failure counts toward the lockout).
func (c *call) secondFactor(u *user) bool {
	if u.OTP == "" {
		return true
	}
	got := c.r.Header.Get(OTPHeader)
	if got != "" && secretEqual(u.OTP, got) {
		return true
	}
	c.s.logins.fail(u.Login)
	delivery := u.OTPDelivery
	if delivery == "" {
		delivery = "app"
	}
	c.w.Header().Set(OTPHeader, "required; "+delivery)
	c.buf = appendBasicError(c.buf[:0], &c.env, http.StatusUnauthorized, "Must specify two-factor authentication OTP code.", otpDocs)
	c.write(http.StatusUnauthorized, c.buf)
	return false
}

// lockedOut answers 403 for a user with no login attempts left.
func (c *call) lockedOut() {
	c.fail(http.StatusForbidden, "Maximum number of login attempts exceeded. Please try again later.")
}
