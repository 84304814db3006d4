package conformance_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// TestConformAgainstRealGitHub runs the suite, recording, against the
// reference server wrapped in reference.RealGitHub, which answers the way
// the evidence says GitHub does where the reference server is free to
// choose (docs/fidelity.md, "A server that is not ours"): conditionals on
// unsafe methods ignored, 422s without "errors", 404 on legacy endpoints
// without credentials, GitHub's header set (its own behaviour is
// reference.TestRealGitHubShim).
// The run must be conformant, with the documented 304s of unsafe methods
// reported as cannot be provoked (none is sent), and the recording must
// hold no one-time password.
func TestConformAgainstRealGitHub(t *testing.T) {
	for _, name := range []string{"api.github.com", "ghec", "github.ae", "ghes-2.19", "ghes-3.2", "ghes-3.8", "ghes-3.19"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v := version(t, name)
			f := reference.DefaultFixtures()
			ref, err := reference.New(v, f)
			if err != nil {
				t.Fatal(err)
			}
			var conditionalUnsafe int
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != "GET" && r.Method != "HEAD" && r.Header.Get("If-None-Match") != "" {
					conditionalUnsafe++
				}
				reference.RealGitHub(ref).ServeHTTP(w, r)
			}))
			t.Cleanup(ts.Close)
			dir := t.TempDir()
			creds := fixtureCreds(f)
			rep := record(t, v, ts.URL, dir, creds)
			if rep.Failed() || !rep.Conformant {
				t.Fatalf("not conformant against the real-GitHub shim:%s", describe(rep))
			}
			if conditionalUnsafe > 0 {
				t.Errorf("the suite sent %d conditional POST, PUT, PATCH or DELETE requests", conditionalUnsafe)
			}
			for _, c := range rep.Coverage {
				_, unprovokable := conformance.Unprovokable(mustOp(t, v, c.Operation), c.Status)
				switch {
				case unprovokable && c.Result != conformance.CannotProvoke:
					t.Errorf("%s %d: %s, want %s", c.Operation, c.Status, c.Result, conformance.CannotProvoke)
				case !unprovokable && c.Result == conformance.Fail:
					t.Errorf("%s %d failed", c.Operation, c.Status)
				}
			}
			for _, c := range rep.Cases {
				if c.Reason == "" {
					t.Errorf("%s (%s) has no reason", c.ID, c.Result)
				}
			}
			if creds.OTP == "" {
				return
			}
			b, err := os.ReadFile(filepath.Join(dir, v.Name, "conform.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), creds.OTP) {
				t.Errorf("the recording holds the one-time password")
			}
			findings, err := replay.Lint(filepath.Join(dir, v.Name), replay.LintOptions{Redactor: redact.New(testKey, redact.Options{})})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				if f.Kind == "unredacted-secret" {
					t.Errorf("cassette lint: interaction %d %s %s: %s", f.Interaction, f.Method, f.Path, f.Message)
				}
			}
		})
	}
}

func mustOp(t *testing.T, v *schemas.Version, id string) *schemas.Operation {
	t.Helper()
	op, err := v.Operation(id)
	if err != nil {
		t.Fatal(err)
	}
	return op
}
