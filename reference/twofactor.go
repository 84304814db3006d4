package reference

import (
	"net/http"
	"sync"
	"time"
)

// MaxLoginAttempts is how many failed logins in a row (a wrong password, or
// a missing or wrong one-time password) a user may make before every
// further Basic login of theirs is answered 403 "Maximum number of login
// attempts exceeded". A successful login resets the count. The lockout is
// per user and lasts [LoginLockout]. GitHub publishes neither number
// (docs/fidelity.md, "Two-factor authentication").
const MaxLoginAttempts = 5

// LoginLockout is how long a user stays locked out after
// [MaxLoginAttempts] failed logins, measured on the server's wall clock
// (not the fixed clock of its answers); the count starts again after it.
const LoginLockout = 5 * time.Minute

// OTPHeader is the header of a one-time password, and of GitHub's answer
// that one is required ("required; app" or "required; sms").
const OTPHeader = "X-GitHub-OTP"

// logins counts failed Basic logins per user.
type logins struct {
	mu     sync.Mutex
	now    func() time.Time // the wall clock the lockout expires by
	failed map[string]int
	since  map[string]time.Time // when the user was locked out
}

func (l *logins) init() {
	l.now, l.failed, l.since = time.Now, map[string]int{}, map[string]time.Time{}
}

// locked reports whether login has no attempts left; a lockout older than
// LoginLockout is lifted, and the count starts again.
func (l *logins) locked(login string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failed[login] < MaxLoginAttempts {
		return false
	}
	if l.now().Sub(l.since[login]) >= LoginLockout {
		delete(l.failed, login)
		delete(l.since, login)
		return false
	}
	return true
}

func (l *logins) fail(login string) {
	l.mu.Lock()
	l.failed[login]++
	if l.failed[login] == MaxLoginAttempts {
		l.since[login] = l.now()
	}
	l.mu.Unlock()
}

func (l *logins) succeed(login string) {
	l.mu.Lock()
	delete(l.failed, login)
	delete(l.since, login)
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
