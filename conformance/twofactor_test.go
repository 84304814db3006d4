package conformance_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/reference"
)

// loginCounter wraps a server and counts the Basic logins of one user
// that it refused (401 or 403) and the lockouts (403) it answered.
type loginCounter struct {
	next  http.Handler
	login string

	mu               sync.Mutex
	failed, lockouts int
	sent             int
}

func (l *loginCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	l.next.ServeHTTP(rec, r)
	if l.isUser(r) {
		l.mu.Lock()
		l.sent++
		switch rec.Code {
		case http.StatusUnauthorized:
			l.failed++
		case http.StatusForbidden:
			l.failed++
			l.lockouts++
		}
		l.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (l *loginCounter) isUser(r *http.Request) bool {
	a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return false
	}
	b, _ := base64.StdEncoding.DecodeString(a)
	return strings.HasPrefix(string(b), l.login+":")
}

// runCounted runs the suite against a reference server of version name, with
// the fixtures' credentials changed by edit, counting the user's logins.
func runCounted(t *testing.T, name string, edit func(*conformance.Credentials)) (*conformance.Report, *loginCounter) {
	t.Helper()
	v := version(t, name)
	f := reference.DefaultFixtures()
	ref, err := reference.New(v, f)
	if err != nil {
		t.Fatal(err)
	}
	creds := fixtureCreds(f)
	edit(&creds)
	counter := &loginCounter{next: ref, login: creds.Username}
	ts := httptest.NewServer(counter)
	t.Cleanup(ts.Close)
	return runLive(t, v, ts.URL, nil, creds), counter
}

// TestTwoFactorWithoutOTP: a user with two-factor authentication and no
// OAUTHCOMPAT_OTP given: the suite stops using the user at the first 401
// that asks for a one-time password, reports that case and every later
// case of the user not exercised with the reason (set OAUTHCOMPAT_OTP),
// and never sends a server the repeated failing logins that would lock the
// user out (docs/fidelity.md, "Two-factor authentication").
func TestTwoFactorWithoutOTP(t *testing.T) {
	for _, name := range []string{"ghes-2.19", "ghes-3.8", "ghes-3.19"} {
		t.Run(name, func(t *testing.T) {
			rep, counter := runCounted(t, name, func(c *conformance.Credentials) { c.OTP, c.AllowLockout = "", false })
			if rep.Failed() {
				t.Errorf("a 2FA user without OAUTHCOMPAT_OTP fails the run:%s", describe(rep))
			}
			// The wrong-password case, and the first login that learns the
			// user needs a one-time password.
			if counter.failed > 2 || counter.lockouts > 0 {
				t.Errorf("the suite sent %d failing logins (%d answered 403) of %d; want at most 2, none locked out", counter.failed, counter.lockouts, counter.sent)
			}
			otpSkips := 0
			for _, c := range rep.Cases {
				if c.Result == conformance.NotExercised && strings.Contains(c.Reason, conformance.EnvOTP) {
					otpSkips++
				}
				if c.Result == conformance.Pass && strings.Contains(c.ID, "/authorizations") && c.Status < 400 {
					t.Errorf("%s passed without the user's one-time password", c.ID)
				}
			}
			if otpSkips < 5 {
				t.Errorf("%d cases not exercised for want of %s; want every case of the user:%s", otpSkips, conformance.EnvOTP, describe(rep))
			}
		})
	}
}

// TestTwoFactorWithOTP: with OAUTHCOMPAT_OTP and without
// OAUTHCOMPAT_ALLOW_LOCKOUT, the suite sends at most one login without the
// one-time password and never a wrong one (a wrong code counts toward the
// lockout on GitHub); the wrong-code case is not exercised, with the
// reason.
func TestTwoFactorWithOTP(t *testing.T) {
	rep, counter := runCounted(t, "ghes-3.19", func(c *conformance.Credentials) { c.AllowLockout = false })
	if rep.Failed() {
		t.Fatalf("not conformant:%s", describe(rep))
	}
	if counter.failed > 2 || counter.lockouts > 0 {
		t.Errorf("the suite sent %d failing logins (%d answered 403); want at most 2 (a wrong password, no code)", counter.failed, counter.lockouts)
	}
	found := false
	for _, c := range rep.Cases {
		if strings.Contains(c.Name, "wrong one-time password") {
			found = true
			if c.Result != conformance.NotExercised || !strings.Contains(c.Reason, conformance.EnvAllowLockout) {
				t.Errorf("%s: %s (%s); want not exercised, naming %s", c.ID, c.Result, c.Reason, conformance.EnvAllowLockout)
			}
		}
	}
	if !found {
		t.Error("no wrong one-time password case")
	}
}
