package fleet_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/fleet"
	"github.com/oauthcompat/oauthcompat/internal/testenv"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// env holds the reference fixtures' credentials under each prefix.
func env(prefixes ...string) func(string) string { return testenv.Getenv(testenv.Env(prefixes...)) }

// server starts the reference server of version; with removeLegacy the
// legacy path-token endpoints answer 404 as if removed, so its run fails.
func server(t *testing.T, version string, removeLegacy bool) string {
	if removeLegacy {
		return testenv.LegacyRemovedServer(t, version)
	}
	return reference.NewTestServer(t, version, reference.DefaultFixtures()).URL
}

type outcome struct {
	Name, Version string
	Verdict       fleet.Verdict
	Code          int
}

func outcomes(rep *fleet.Report) []outcome {
	var out []outcome
	for _, r := range rep.Targets {
		out = append(out, outcome{r.Name, r.Version, r.Verdict, r.ExitCode})
	}
	return out
}

// TestFleetOfThree is the proof: two reference servers of
// different versions and one unreachable address in one run.
func TestFleetOfThree(t *testing.T) {
	targets := []fleet.Target{
		{Name: "prod", URL: server(t, "ghes-3.8", false) + "/api/v3", Version: "auto", CredentialsEnvPrefix: "PROD_"},
		{Name: "staging", URL: server(t, "ghes-3.2", false), Version: "ghes-3.2", CredentialsEnvPrefix: "STAGING_"},
		{Name: "dr", URL: testenv.ClosedURL(t) + "/api/v3", Version: "auto", CredentialsEnvPrefix: "DR_"},
	}
	var done []string
	rep := fleet.Run(context.Background(), targets, fleet.Config{Getenv: env("PROD_", "STAGING_", "DR_"), Done: func(r fleet.Result) { done = append(done, r.Name) }})
	want := []outcome{
		{"prod", "ghes-3.8", fleet.Conformant, 0},
		{"staging", "ghes-3.2", fleet.Conformant, 0},
		{"dr", "", fleet.Unreachable, 2},
	}
	if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if rep.ExitCode != 2 || rep.Verdict != fleet.NotConformant {
		t.Errorf("run: exit %d, verdict %s; want 2, not-conformant", rep.ExitCode, rep.Verdict)
	}
	if len(done) != 3 {
		t.Errorf("Done called for %v, want every server", done)
	}
	prod, staging, dr := rep.Targets[0], rep.Targets[1], rep.Targets[2]
	if !strings.Contains(prod.VersionFrom, "detected from X-GitHub-Enterprise-Version: 3.8.0 on GET /api/v3/meta") {
		t.Errorf("prod's version came from %q", prod.VersionFrom)
	}
	if staging.VersionFrom != "targets file" {
		t.Errorf("staging's version came from %q", staging.VersionFrom)
	}
	if prod.Report == nil || prod.Report.Summary.Passed < 40 || staging.Report == nil || staging.Report.Summary.Passed < 40 {
		t.Fatal("the reachable servers have no full report")
	}
	if !strings.Contains(dr.Error, "connection refused") || dr.Report != nil {
		t.Errorf("dr: error %q, report %v; want connection refused and no report", dr.Error, dr.Report)
	}
	for _, s := range []string{rep.Line(), dr.Line()} {
		if !strings.Contains(s, "unreachable") {
			t.Errorf("line %q does not say unreachable", s)
		}
	}
	if got := rep.Line(); got != "NOT conformant — 3 servers: 2 conformant, 1 unreachable" {
		t.Errorf("line %q", got)
	}
}

func TestFleetVerdicts(t *testing.T) {
	broken := server(t, "ghes-3.3", true)
	good := server(t, "ghes-3.8", false)
	tests := []struct {
		name    string
		targets []fleet.Target
		failOn  fleet.FailOn
		getenv  func(string) string
		want    []outcome
		code    int
	}{
		{"a failing server", []fleet.Target{{Name: "old", URL: broken, Version: "3.3"}, {Name: "new", URL: good}}, "", env("OAUTHCOMPAT_"),
			[]outcome{{"old", "ghes-3.3", fleet.NotConformant, 1}, {"new", "ghes-3.8", fleet.Conformant, 0}}, 1},
		{"fail-on never", []fleet.Target{{Name: "old", URL: broken, Version: "3.3"}}, fleet.FailOnNever, env("OAUTHCOMPAT_"),
			[]outcome{{"old", "ghes-3.3", fleet.NotConformant, 0}}, 0},
		{"no credentials under the prefix", []fleet.Target{{Name: "new", URL: good, CredentialsEnvPrefix: "NEW_"}}, "", env("OAUTHCOMPAT_"),
			[]outcome{{"new", "ghes-3.8", fleet.NotChecked, 2}}, 2},
		{"version not detected", []fleet.Target{{Name: "x", URL: silent(t)}}, "", env("OAUTHCOMPAT_"),
			[]outcome{{"x", "", fleet.Failed, 2}}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			only := []string{"apps/check-token"}
			if tc.targets[0].Name == "old" {
				only = append(only, "apps/check-authorization") // the legacy endpoint the broken server removed
			}
			rep := fleet.Run(context.Background(), tc.targets, fleet.Config{Getenv: tc.getenv, FailOn: tc.failOn, Only: only})
			if diff := cmp.Diff(tc.want, outcomes(rep)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if rep.ExitCode != tc.code {
				t.Errorf("exit %d, want %d", rep.ExitCode, tc.code)
			}
		})
	}
	rep := fleet.Run(context.Background(), []fleet.Target{{Name: "new", URL: good, CredentialsEnvPrefix: "NEW_"}}, fleet.Config{Getenv: env("OAUTHCOMPAT_")})
	if n := rep.Targets[0].Notes; len(n) != 1 || n[0] != "none of NEW_CLIENT_ID, NEW_CLIENT_SECRET, NEW_USERNAME, NEW_PASSWORD, NEW_TOKENS is set" {
		t.Errorf("notes %q do not name the variables", n)
	}
}

// silent answers 404 with none of GitHub's headers.
func silent(t *testing.T) string {
	ts := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestFleetParallel: with Parallel n, n servers are in flight at once;
// with 1, never two.
func TestFleetParallel(t *testing.T) {
	const n = 3
	var inFlight, most atomic.Int64
	var arrived sync.WaitGroup
	arrived.Add(n)
	gate := func(h http.Handler) string {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cur := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := most.Load(); cur > m && !most.CompareAndSwap(m, cur); m = most.Load() {
			}
			h.ServeHTTP(w, r)
		}))
		t.Cleanup(ts.Close)
		return ts.URL
	}
	ref := func() http.Handler {
		v, _ := schemas.Default().Version("ghes-3.8")
		s, err := reference.New(v, reference.DefaultFixtures())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Each server's first request waits until every server has had one:
	// only n servers at once get past it.
	waiting := func(h http.Handler) http.Handler {
		var once sync.Once
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() {
				arrived.Done()
				done := make(chan struct{})
				go func() { arrived.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					t.Error("the servers were not run at the same time")
				}
			})
			h.ServeHTTP(w, r)
		})
	}
	var targets []fleet.Target
	for i := 0; i < n; i++ {
		targets = append(targets, fleet.Target{Name: "s" + string(rune('a'+i)), URL: gate(waiting(ref())), Version: "3.8"})
	}
	only := []string{"apps/check-token"}
	rep := fleet.Run(context.Background(), targets, fleet.Config{Parallel: n, Getenv: env("OAUTHCOMPAT_"), Only: only})
	if rep.ExitCode != 0 {
		t.Fatalf("exit %d: %s", rep.ExitCode, rep.Line())
	}
	most.Store(0)
	var seq []fleet.Target
	for i := 0; i < n; i++ {
		seq = append(seq, fleet.Target{Name: "q" + string(rune('a'+i)), URL: gate(ref()), Version: "3.8"})
	}
	fleet.Run(context.Background(), seq, fleet.Config{Parallel: 1, Getenv: env("OAUTHCOMPAT_"), Only: only})
	if m := most.Load(); m != 1 {
		t.Errorf("Parallel 1: %d requests in flight at once, want 1", m)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     []fleet.Target
		err      string
	}{
		{"yaml", "targets:\n  - name: prod\n    url: https://ghe.example.com/api/v3\n    version: ghes-3.8\n    credentials_env_prefix: PROD_\n  - name: dr\n    url: http://127.0.0.1:9/api/v3\n    version: auto\n",
			[]fleet.Target{{Name: "prod", URL: "https://ghe.example.com/api/v3", Version: "ghes-3.8", CredentialsEnvPrefix: "PROD_"}, {Name: "dr", URL: "http://127.0.0.1:9/api/v3", Version: "auto"}}, ""},
		{"json", `{"targets":[{"name":"a.b_c-1","url":"http://127.0.0.1:1","version":"3.2"}]}`,
			[]fleet.Target{{Name: "a.b_c-1", URL: "http://127.0.0.1:1", Version: "3.2"}}, ""},
		{"empty", "", nil, "empty"},
		{"no targets", "targets: []\n", nil, "no targets"},
		{"unknown key", "targets:\n  - name: a\n    url: http://h\n    token: x\n", nil, "field token not found"},
		{"no name", "targets:\n  - url: http://h\n", nil, "targets[0]: no name"},
		{"bad name", "targets:\n  - name: a/b\n    url: http://h\n", nil, "name \"a/b\""},
		{"duplicate", "targets:\n  - name: a\n    url: http://h\n  - name: A\n    url: http://i\n", nil, "targets[1] (A): name \"A\" is used twice"},
		{"not http", "targets:\n  - name: a\n    url: ftp://h\n", nil, "not an http(s) URL"},
		{"credentials in the URL", "targets:\n  - name: a\n    url: https://u:p@h\n    credentials_env_prefix: A_\n", nil, "set A_USERNAME and A_PASSWORD instead"},
		{"unknown version", "targets:\n  - name: a\n    url: http://h\n    version: ghes-9.9\n", nil, "ghes-9.9"},
		{"bad prefix", "targets:\n  - name: a\n    url: http://h\n    credentials_env_prefix: A-\n", nil, "credentials_env_prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fleet.Parse([]byte(tc.in), nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCredentials(t *testing.T) {
	getenv := func(k string) string {
		return map[string]string{"PROD_CLIENT_ID": "id", "PROD_CLIENT_SECRET": "s", "PROD_TOKENS": "a, b", "OAUTHCOMPAT_CLIENT_ID": "other"}[k]
	}
	c := fleet.Target{CredentialsEnvPrefix: "PROD_"}.Credentials(getenv)
	if c.ClientID != "id" || c.ClientSecret != "s" || strings.Join(c.Tokens, "|") != "a|b" || c.Username != "" {
		t.Errorf("PROD_ credentials %+v", c)
	}
	if c := (fleet.Target{}).Credentials(getenv); c.ClientID != "other" {
		t.Errorf("default prefix: client id %q, want OAUTHCOMPAT_CLIENT_ID's", c.ClientID)
	}
}
