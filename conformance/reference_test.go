package conformance_test

import (
	"fmt"
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
// exercises it.
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
			if op, _ := v.Operation("oauth-authorizations/create-authorization"); op != nil {
				want = []string{"oauth-authorizations/create-authorization 410 not-exercised"}
			}
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
			for _, c := range rep.Coverage {
				if c.Operation == "oauth-authorizations/create-authorization" && c.Status == 410 && c.Result != conformance.Pass {
					t.Errorf("410 with the Authorizations API disabled: %s%s", c.Result, describe(rep))
				}
			}
			if rep.Failed() {
				t.Errorf("findings against the reference server with the Authorizations API disabled:%s", describe(rep))
			}
		})
	}
}
