package diff_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/diff"
	"github.com/oauthcompat/oauthcompat/schemas"
)

func version(tb testing.TB, name string) *schemas.Version {
	tb.Helper()
	v, err := schemas.Default().Version(name)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func documented(tb testing.TB, from, to string) *diff.Report {
	tb.Helper()
	rep, err := diff.New(nil).Documented(version(tb, from), version(tb, to))
	if err != nil {
		tb.Fatalf("Documented(%s, %s): %v", from, to, err)
	}
	return rep
}

// opRules lists "rule METHOD path" for every operation-level add/remove.
func opRules(rep *diff.Report) []string {
	var out []string
	for _, c := range rep.Changes {
		switch c.Rule {
		case "operation-added", "operation-removed", "legacy-path-token-endpoint-removed", "authorizations-api-operation-removed":
			out = append(out, c.Rule+" "+c.Method+" "+c.Path)
		}
	}
	sort.Strings(out)
	return out
}

func TestDocumentedLegacyEndpointsRemovedIn34(t *testing.T) {
	rep := documented(t, "ghes-3.3", "ghes-3.4")

	type removed struct {
		Method, Path string
		Severity     diff.Severity
		Migration    diff.Migration
	}
	var got []removed
	for _, c := range rep.Changes {
		if c.Rule != "legacy-path-token-endpoint-removed" {
			continue
		}
		if c.Migration == nil {
			t.Fatalf("%s %s: no migration", c.Method, c.Path)
		}
		m := *c.Migration
		m.Note = "" // prose, checked for presence below
		if c.Migration.Note == "" {
			t.Errorf("%s %s: empty migration note", c.Method, c.Path)
		}
		got = append(got, removed{c.Method, c.Path, c.Severity, m})
	}
	body := `{"access_token": "<token>"}`
	want := []removed{
		{"DELETE", "/applications/{client_id}/grants/{access_token}", diff.SeverityBreaking, diff.Migration{Method: "DELETE", Path: "/applications/{client_id}/grant", Body: body}},
		{"GET", "/applications/{client_id}/tokens/{access_token}", diff.SeverityBreaking, diff.Migration{Method: "POST", Path: "/applications/{client_id}/token", Body: body}},
		{"POST", "/applications/{client_id}/tokens/{access_token}", diff.SeverityBreaking, diff.Migration{Method: "PATCH", Path: "/applications/{client_id}/token", Body: body}},
		{"DELETE", "/applications/{client_id}/tokens/{access_token}", diff.SeverityBreaking, diff.Migration{Method: "DELETE", Path: "/applications/{client_id}/token", Body: body}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("legacy removals (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{
		"legacy-path-token-endpoint-removed DELETE /applications/{client_id}/grants/{access_token}",
		"legacy-path-token-endpoint-removed DELETE /applications/{client_id}/tokens/{access_token}",
		"legacy-path-token-endpoint-removed GET /applications/{client_id}/tokens/{access_token}",
		"legacy-path-token-endpoint-removed POST /applications/{client_id}/tokens/{access_token}",
	}, opRules(rep)); d != "" {
		t.Errorf("operations added or removed (-want +got):\n%s", d)
	}

	// Everything else is what the official descriptions show between 3.3
	// and 3.4 (internal/catalogen/sources/rest-api-description/ghes-3.3.json
	// against the ghes-3.4 description): app-permissions loses content_references, in every
	// authorization-returning response and in the scoped-token request's
	// permissions. Nothing else changes.
	var others []string
	for _, c := range rep.Changes {
		if c.Rule == "legacy-path-token-endpoint-removed" {
			continue
		}
		if !strings.HasSuffix(c.Pointer, "/permissions/content_references") {
			t.Errorf("unexpected change %s at %s: %s", c.Rule, c.Where(), c.Message)
			continue
		}
		others = append(others, c.Rule+" "+c.Where())
	}
	wantOthers := []string{
		"request-property-removed POST /applications/{client_id}/token/scoped → request body /permissions/content_references",
		"response-optional-property-removed GET /authorizations → 200 response /*/installation/permissions/content_references",
		"response-optional-property-removed GET /authorizations/{authorization_id} → 200 response /installation/permissions/content_references",
		"response-optional-property-removed PATCH /applications/{client_id}/token → 200 response /installation/permissions/content_references",
		"response-optional-property-removed PATCH /authorizations/{authorization_id} → 200 response /installation/permissions/content_references",
		"response-optional-property-removed POST /applications/{client_id}/token → 200 response /installation/permissions/content_references",
		"response-optional-property-removed POST /applications/{client_id}/token/scoped → 200 response /installation/permissions/content_references",
		"response-optional-property-removed POST /authorizations → 201 response /installation/permissions/content_references",
		"response-optional-property-removed PUT /authorizations/clients/{client_id} → 200 response /installation/permissions/content_references",
		"response-optional-property-removed PUT /authorizations/clients/{client_id} → 201 response /installation/permissions/content_references",
		"response-optional-property-removed PUT /authorizations/clients/{client_id}/{fingerprint} → 200 response /installation/permissions/content_references",
		"response-optional-property-removed PUT /authorizations/clients/{client_id}/{fingerprint} → 201 response /installation/permissions/content_references",
	}
	sort.Strings(others)
	if d := cmp.Diff(wantOthers, others); d != "" {
		t.Errorf("schema changes (-want +got):\n%s", d)
	}
	if got, want := rep.Summary, (diff.Summary{Breaking: 4, Warning: 12}); got != want {
		t.Errorf("summary = %v, want %v", got, want)
	}
}

func TestDocumentedGitHubAEKeepsOneLegacyEndpoint(t *testing.T) {
	rep := documented(t, "ghes-3.3", "github.ae")
	var legacy []string
	for _, c := range rep.Changes {
		if c.Rule == "legacy-path-token-endpoint-removed" {
			legacy = append(legacy, c.Method+" "+c.Path)
		}
	}
	sort.Strings(legacy)
	want := []string{
		"DELETE /applications/{client_id}/grants/{access_token}",
		"DELETE /applications/{client_id}/tokens/{access_token}",
		"GET /applications/{client_id}/tokens/{access_token}",
	}
	if d := cmp.Diff(want, legacy); d != "" {
		t.Errorf("legacy endpoints removed going to github.ae (-want +got):\n%s", d)
	}
	// The one kept is the only legacy operation github.ae documents.
	var kept []string
	for _, op := range version(t, "github.ae").Operations {
		if op.Family == schemas.FamilyLegacyPathToken {
			kept = append(kept, op.Key())
		}
	}
	if d := cmp.Diff([]string{"POST /applications/{client_id}/tokens/{access_token}"}, kept); d != "" {
		t.Errorf("github.ae legacy endpoints (-want +got):\n%s", d)
	}
	// Going from github.ae to a version without it flags exactly that one.
	var gone []string
	for _, r := range opRules(documented(t, "github.ae", "ghes-3.4")) {
		if !strings.HasPrefix(r, "operation-added ") {
			gone = append(gone, r)
		}
	}
	if d := cmp.Diff([]string{"legacy-path-token-endpoint-removed POST /applications/{client_id}/tokens/{access_token}"}, gone); d != "" {
		t.Errorf("github.ae → ghes-3.4 removals (-want +got):\n%s", d)
	}
}

func TestDocumentedNoAuthorizationsAPIOnDotcom(t *testing.T) {
	want := []string{
		"DELETE /applications/grants/{grant_id}",
		"DELETE /authorizations/{authorization_id}",
		"GET /applications/grants",
		"GET /applications/grants/{grant_id}",
		"GET /authorizations",
		"GET /authorizations/{authorization_id}",
		"PATCH /authorizations/{authorization_id}",
		"POST /authorizations",
		"PUT /authorizations/clients/{client_id}",
		"PUT /authorizations/clients/{client_id}/{fingerprint}",
	}
	for _, to := range []string{"api.github.com", "ghec"} {
		t.Run(to, func(t *testing.T) {
			rep := documented(t, "ghes-3.8", to)
			var got []string
			for _, c := range rep.Changes {
				switch c.Rule {
				case "authorizations-api-operation-removed":
					if c.Severity != diff.SeverityBreaking || c.Migration == nil || c.Migration.Note == "" {
						t.Errorf("%s %s: severity %s, migration %+v", c.Method, c.Path, c.Severity, c.Migration)
					}
					got = append(got, c.Method+" "+c.Path)
				case "operation-removed", "legacy-path-token-endpoint-removed", "operation-added":
					t.Errorf("unexpected %s %s %s", c.Rule, c.Method, c.Path)
				}
			}
			sort.Strings(got)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("Authorizations API removals (-want +got):\n%s", d)
			}
		})
	}
}

// ghes-3.5 and ghes-3.6 differ only in wording (the version in links of
// the deprecation notices); the diff must not see any change.
func TestDocumentedWordingOnly(t *testing.T) {
	a, b := version(t, "ghes-3.5"), version(t, "ghes-3.6")
	worded := false
	for _, op := range a.Operations {
		other, err := b.Operation(op.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range op.Responses {
			if r.Description != other.Responses[i].Description {
				worded = true
			}
		}
	}
	if !worded {
		t.Fatal("ghes-3.5 and ghes-3.6 no longer differ in wording; pick another pair for this test")
	}
	rep := documented(t, "ghes-3.5", "ghes-3.6")
	if len(rep.Changes) != 0 {
		t.Errorf("want no changes, got %v: %+v", rep.Summary, rep.Changes)
	}
}

// Both ways: what one direction adds the other removes, and a version
// compared with itself shows nothing. Checked on every consecutive pair,
// and on every pair of the docs-page versions and the two ends.
func TestDocumentedSymmetry(t *testing.T) {
	d := diff.New(nil)
	vs := schemas.Default().Versions()
	var pairs [][2]*schemas.Version
	for i := 1; i < len(vs); i++ {
		pairs = append(pairs, [2]*schemas.Version{vs[i-1], vs[i]})
	}
	pages := []string{"ghes-2.18", "ghes-3.2", "ghes-3.5", "github.ae", "ghes-3.8", "ghes-3.10", "ghec"}
	for i, a := range pages {
		for _, b := range pages[i+1:] {
			pairs = append(pairs, [2]*schemas.Version{version(t, a), version(t, b)})
		}
	}
	count := func(rep *diff.Report, added bool) int {
		n := 0
		for _, c := range rep.Changes {
			switch c.Rule {
			case "operation-added":
				if added {
					n++
				}
			case "operation-removed", "legacy-path-token-endpoint-removed", "authorizations-api-operation-removed":
				if !added {
					n++
				}
			}
		}
		return n
	}
	for _, v := range vs {
		self, err := d.Documented(v, v)
		if err != nil {
			t.Fatal(err)
		}
		if len(self.Changes) != 0 {
			t.Errorf("%s → %s: %d changes, want none", v.Name, v.Name, len(self.Changes))
		}
	}
	for _, p := range pairs {
		a, b := p[0], p[1]
		ab, err := d.Documented(a, b)
		if err != nil {
			t.Fatal(err)
		}
		ba, err := d.Documented(b, a)
		if err != nil {
			t.Fatal(err)
		}
		if count(ab, true) != count(ba, false) || count(ab, false) != count(ba, true) {
			t.Errorf("%s ↔ %s: added/removed %d/%d one way, %d/%d the other", a.Name, b.Name,
				count(ab, true), count(ab, false), count(ba, true), count(ba, false))
		}
		if len(ab.Changes) != len(ba.Changes) {
			t.Errorf("%s → %s has %d changes, the reverse %d", a.Name, b.Name, len(ab.Changes), len(ba.Changes))
		}
	}
}

func TestDocumentedRulesAreKnown(t *testing.T) {
	known := map[string]diff.Severity{}
	for _, r := range diff.Rules() {
		known[r.ID] = r.Severity
	}
	d := diff.New(nil)
	vs := schemas.Default().Versions()
	for i := 1; i < len(vs); i++ {
		rep, err := d.Documented(vs[i-1], vs[i])
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Changes {
			if sev, ok := known[c.Rule]; !ok || sev != c.Severity {
				t.Errorf("%s → %s: change %s has severity %s; rule table says %q", vs[i-1].Name, vs[i].Name, c.Rule, c.Severity, sev)
			}
		}
	}
}
