package conformance_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// describe lists the cases that did not pass, for failure messages.
func describe(rep *conformance.Report) string {
	var b strings.Builder
	for _, c := range rep.Cases {
		if c.Result == conformance.Pass {
			continue
		}
		fmt.Fprintf(&b, "\n  %s %s: %s", c.Result, c.ID, c.Reason)
		for _, f := range c.Findings {
			fmt.Fprintf(&b, "\n    %s %s: %s", f.Rule, f.Pointer, f.Message)
		}
	}
	return b.String()
}

// TestReferenceEveryVersion runs the suite against the reference server of
// every catalog version, live through the recorder and then from the
// cassettes. Every documented (operation, status) is exercised and passes,
// the replay gives the same results as the live run, and the only case not
// exercised is the 410 of POST /authorizations, which needs a server with
// the Authorizations API disabled: a second run against such a server
// exercises it. The documented 304s of POST, PUT and DELETE are reported
// as cannot be provoked (docs/fidelity.md). The user has two-factor
// authentication, so its cases, lockout included, run too.
func TestReferenceEveryVersion(t *testing.T) {
	for _, v := range schemas.Default().Versions() {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			f := reference.DefaultFixtures()
			ts := reference.NewTestServer(t, v.Name, f)
			creds := fixtureCreds(f)
			dir := t.TempDir()
			live := record(t, v, ts.URL, dir, creds)

			var notExercised []string
			for _, c := range live.Coverage {
				if c.Result != conformance.Pass {
					notExercised = append(notExercised, fmt.Sprintf("%s %d %s", c.Operation, c.Status, c.Result))
				}
			}
			var want []string
			for _, op := range v.Operations {
				for _, st := range op.Statuses() {
					switch _, unprovokable := conformance.Unprovokable(op, st); {
					case unprovokable: // docs/fidelity.md, "304 on conditional POST, PUT, PATCH and DELETE"
						want = append(want, fmt.Sprintf("%s %d %s", op.ID, st, conformance.CannotProvoke))
					case op.ID == "oauth-authorizations/create-authorization" && st == 410:
						want = append(want, fmt.Sprintf("%s %d %s", op.ID, st, conformance.NotExercised))
					}
				}
			}
			sort.Strings(want)
			sort.Strings(notExercised)
			if diff := cmp.Diff(want, notExercised, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("documented pairs not passing (-want +got):\n%s%s", diff, describe(live))
			}
			if live.Failed() {
				t.Errorf("findings against the reference server:%s", describe(live))
			}

			replayed := replayRun(t, v, ts.URL, dir, creds)
			if diff := cmp.Diff(live.Cases, replayed.Cases, cmpopts.IgnoreFields(conformance.Case{}, "Duration")); diff != "" {
				t.Errorf("replay differs from the live run (-live +replay):\n%s", diff)
			}
			if diff := cmp.Diff(live.Coverage, replayed.Coverage); diff != "" {
				t.Errorf("replay coverage differs (-live +replay):\n%s", diff)
			}

			if want == nil {
				return
			}
			f.AuthorizationsAPIDisabled = true
			off := reference.NewTestServer(t, v.Name, f)
			rep := runLive(t, v, off.URL, nil, fixtureCreds(f))
			var got conformance.Outcome // stays empty if the coverage has no row for the 410
			for _, c := range rep.Coverage {
				if c.Operation == "oauth-authorizations/create-authorization" && c.Status == 410 {
					got = c.Result
				}
			}
			if got != conformance.Pass {
				t.Errorf("410 of POST /authorizations with the Authorizations API disabled: result %q, want %q%s", got, conformance.Pass, describe(rep))
			}
			if rep.Failed() {
				t.Errorf("findings against the reference server with the Authorizations API disabled:%s", describe(rep))
			}
		})
	}
}

// TestReferenceMissingCredentials runs the suite against the reference
// server of every version with one credential missing at a time (and with
// none). A missing credential is not a finding: the run has none, the
// cases that need it are not exercised and say which variable to set, and
// the cases that need only other credentials still pass.
func TestReferenceMissingCredentials(t *testing.T) {
	f := reference.DefaultFixtures()
	full := fixtureCreds(f)
	sets := []struct {
		name  string
		creds conformance.Credentials
		vars  []string // a case not exercised because of the gap names one of these
		app   bool     // the app's credentials are missing
	}{
		{"no client id and secret", conformance.Credentials{Username: full.Username, Password: full.Password, OTP: full.OTP, AllowLockout: full.AllowLockout, Tokens: full.Tokens},
			[]string{conformance.EnvClientID}, true},
		{"no username and password", conformance.Credentials{ClientID: full.ClientID, ClientSecret: full.ClientSecret, Tokens: full.Tokens},
			[]string{conformance.EnvUsername, conformance.EnvOTP}, false},
		{"no tokens", conformance.Credentials{ClientID: full.ClientID, ClientSecret: full.ClientSecret, Username: full.Username, Password: full.Password, OTP: full.OTP, AllowLockout: full.AllowLockout},
			[]string{conformance.EnvTokens}, false},
		{"nothing", conformance.Credentials{},
			[]string{conformance.EnvClientID, conformance.EnvUsername, conformance.EnvOTP, conformance.EnvTokens}, true},
	}
	for _, v := range schemas.Default().Versions() {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			ts := reference.NewTestServer(t, v.Name, f)
			base := map[string]conformance.Outcome{}
			for _, c := range runLive(t, v, ts.URL, nil, full).Cases {
				base[c.ID] = c.Result
			}
			for _, set := range sets {
				ts := reference.NewTestServer(t, v.Name, f) // fresh tokens for each run
				rep := runLive(t, v, ts.URL, nil, set.creds)
				if fs := rep.Findings(); len(fs) > 0 || rep.Failed() {
					t.Errorf("%s: %d findings, want none:%s", set.name, len(fs), describe(rep))
				}
				for _, c := range rep.Cases {
					if c.Result != conformance.NotExercised {
						continue
					}
					if c.Reason == "" {
						t.Errorf("%s: %s not exercised without a reason", set.name, c.ID)
					}
					if base[c.ID] == conformance.NotExercised {
						continue // not exercised with every credential either
					}
					named := false
					for _, env := range set.vars {
						named = named || strings.Contains(c.Reason, env)
					}
					if !named {
						t.Errorf("%s: %s not exercised for a reason that names none of %v: %s", set.name, c.ID, set.vars, c.Reason)
					}
				}
				if !set.app {
					continue
				}
				// Every case of an app endpoint needs the client id in its
				// path (probes use a made-up one).
				for _, c := range rep.Cases {
					if c.Probe || !strings.HasPrefix(c.Path, "/applications/{client_id}") {
						continue
					}
					if c.Result != conformance.NotExercised || !strings.Contains(c.Reason, conformance.EnvClientID) {
						t.Errorf("%s: %s is %s (%s), want not exercised, naming %s", set.name, c.ID, c.Result, c.Reason, conformance.EnvClientID)
					}
				}
			}
		})
	}
}
