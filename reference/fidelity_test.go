package reference_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/reference/triggers"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Each test here checks one behaviour of docs/fidelity.md; the section it
// follows is named in its comment.

// TestUnsafeConditionalsIgnored: If-None-Match that matches the resource's
// current ETag changes nothing on POST, PUT and DELETE, which do their work
// as without it (docs/fidelity.md, "304 on conditional POST, PUT, PATCH and
// DELETE").
func TestUnsafeConditionalsIgnored(t *testing.T) {
	h := newHarness(t, version(t, "3.8"), fx)
	for _, tc := range []struct {
		name, method, path, body, etagPath string
		want                               int
	}{
		{"create", "POST", "/authorizations", `{"note":"conditional"}`, "/authorizations", 201},
		{"get-or-create", "PUT", "/authorizations/clients/" + app1 + "/" + laptop.Fingerprint, `{"client_secret":"` + secret1 + `"}`, "/authorizations/9", 200},
		{"delete grant", "DELETE", "/applications/grants/1", "", "/applications/grants/1", 204},
		{"delete authorization", "DELETE", "/authorizations/8", "", "/authorizations/8", 204},
	} {
		tag := h.etagOf(tc.etagPath, asUser)
		r := h.do(tc.method, tc.path, tc.body, with(asUser, "If-None-Match", tag, "If-Match", `"nothing"`))
		if r.code != tc.want {
			t.Errorf("%s with If-None-Match %s: %d %s, want %d", tc.name, tag, r.code, r.body, tc.want)
		}
	}
	if r := h.do("GET", "/authorizations/8", "", asUser); r.code != 404 {
		t.Errorf("the conditional DELETE did not delete: GET answers %d", r.code)
	}
}

// TestValidationBodies: a body that does not fit the request schema gets
// 422 "Invalid request." without "errors" ("status" only on api.github.com
// and GHEC: no description's 422 schema lists it); a rule
// the schema cannot say (a duplicate note) gets "Validation Failed" with
// "errors" (docs/fidelity.md, "422 bodies").
func TestValidationBodies(t *testing.T) {
	type body struct {
		Message string            `json:"message"`
		Errors  []json.RawMessage `json:"errors"`
		Status  *string           `json:"status"`
		Doc     string            `json:"documentation_url"`
	}
	for _, tc := range []struct {
		version, method, path, body string
		auth                        string
		message                     string
		errors                      bool
	}{
		{"3.8", "POST", tokenPath(app1), `{}`, "app", "Invalid request.\n\n\"access_token\" wasn't supplied.", false},
		{"api.github.com", "PATCH", tokenPath(app1), `{"access_token":12}`, "app", "Invalid request.\n\nFor 'properties/access_token', 12 is not a string.", false},
		{"3.8", "POST", "/authorizations", `{"note":"x","scopes":"repo"}`, "user", "Invalid request.\n\n", false},
		{"2.19", "POST", "/authorizations", `{"note":"x","scopes":"repo"}`, "user", "Invalid request.\n\n", false},
		{"3.8", "POST", "/authorizations", `{"note":"deploy script"}`, "user", "Validation Failed", true},
	} {
		h := newHarness(t, version(t, tc.version), fx)
		auth := asApp
		if tc.auth == "user" {
			auth = asUser
		}
		r := h.do(tc.method, tc.path, tc.body, auth)
		var b body
		if err := json.Unmarshal(r.body, &b); r.code != 422 || err != nil {
			t.Errorf("%s %s %s: %d %s", tc.version, tc.method, tc.body, r.code, r.body)
			continue
		}
		if !strings.HasPrefix(b.Message, tc.message) || (len(b.Errors) > 0) != tc.errors || b.Doc == "" {
			t.Errorf("%s %s %s: %s; want message %q, errors %v", tc.version, tc.method, tc.body, r.body, tc.message, tc.errors)
		}
		// "status" where the 422's schema lists it (no version's does), and
		// on api.github.com and GHEC, as users' real output shows.
		if wantStatus := tc.version == "api.github.com"; (b.Status != nil) != wantStatus || (wantStatus && *b.Status != "422") {
			t.Errorf("%s: status %v in %s", tc.version, b.Status, r.body)
		}
	}
}

// TestProductHeaders: the headers that tell the products apart
// (docs/fidelity.md, "Headers per product").
func TestProductHeaders(t *testing.T) {
	dotcomID := regexp.MustCompile(`^[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$`)
	ghesID := regexp.MustCompile(`^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$`)
	rateLimited := reference.DefaultFixtures()
	rateLimited.RateLimit = &reference.RateLimit{Limit: 100}
	for _, tc := range []struct {
		version    string
		f          reference.Fixtures
		enterprise string
		id         *regexp.Regexp
		limit      string // X-RateLimit-Limit of an authenticated request, "" for none
		selected   string
	}{
		{"api.github.com", fx, "", dotcomID, "5000", "2022-11-28"},
		{"ghec", fx, "", dotcomID, "5000", "2022-11-28"},
		{"github.ae", fx, "GitHub AE", ghesID, "", ""},
		{"ghes-2.19", fx, "2.19.0", ghesID, "", ""},
		{"ghes-3.2", fx, "3.2.0", ghesID, "", ""},
		{"ghes-3.8", fx, "3.8.0", ghesID, "", ""},
		{"ghes-3.19", fx, "3.19.0", ghesID, "", ""},
		{"ghes-3.19", rateLimited, "3.19.0", ghesID, "100", ""},
	} {
		v := version(t, tc.version)
		h, other := newHarness(t, v, tc.f), newHarness(t, v, tc.f)
		path, b := tokenPath(app1), body(tok(0))
		if v.Kind() == schemas.KindGHES && !strings.HasPrefix(v.Release(), "3.") {
			path, b = legacyPath("tokens", tok(0)), ""
		}
		method := map[bool]string{true: "POST", false: "GET"}[b != ""]
		r1, r2 := h.do(method, path, b, asApp), h.do(method, path, b, asApp)
		o := other.do(method, path, b, asApp)
		name := tc.version
		if r1.code != 200 {
			t.Fatalf("%s: %d %s", name, r1.code, r1.body)
		}
		if got := r1.hdr.Get("X-GitHub-Enterprise-Version"); got != tc.enterprise {
			t.Errorf("%s: X-GitHub-Enterprise-Version %q, want %q", name, got, tc.enterprise)
		}
		ids := []string{r1.hdr.Get("X-GitHub-Request-Id"), r2.hdr.Get("X-GitHub-Request-Id"), o.hdr.Get("X-GitHub-Request-Id")}
		for _, id := range ids {
			if !tc.id.MatchString(id) {
				t.Errorf("%s: X-GitHub-Request-Id %q is not in the product's format %s", name, id, tc.id)
			}
		}
		if ids[0] == ids[1] || ids[0][:10] == ids[2][:10] {
			t.Errorf("%s: request ids %q: want a new one per request and another prefix per server", name, ids)
		}
		if got := r1.hdr.Get("X-RateLimit-Limit"); got != tc.limit {
			t.Errorf("%s: X-RateLimit-Limit %q, want %q", name, got, tc.limit)
		}
		if tc.limit != "" {
			for _, k := range []string{"X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset", "X-RateLimit-Resource"} {
				if r2.hdr.Get(k) == "" {
					t.Errorf("%s: no %s", name, k)
				}
			}
			if r1.hdr.Get("X-RateLimit-Remaining") == r2.hdr.Get("X-RateLimit-Remaining") {
				t.Errorf("%s: X-RateLimit-Remaining stays %s", name, r1.hdr.Get("X-RateLimit-Remaining"))
			}
			if anon := h.do(method, path, b, noAuth); anon.hdr.Get("X-RateLimit-Limit") != "60" {
				t.Errorf("%s: unauthenticated X-RateLimit-Limit %q, want 60", name, anon.hdr.Get("X-RateLimit-Limit"))
			}
		}
		if got := r1.hdr.Get("X-GitHub-Api-Version-Selected"); got != tc.selected {
			t.Errorf("%s: X-GitHub-Api-Version-Selected %q, want %q", name, got, tc.selected)
		}
		newer := h.do(method, path, b, with(asApp, "X-GitHub-Api-Version", "2026-03-10"))
		bad := h.do(method, path, b, with(asApp, "X-GitHub-Api-Version", "1999-01-01"))
		badCreds := h.do(method, path, b, with(asBadApp, "X-GitHub-Api-Version", "1999-01-01"))
		if tc.selected == "" {
			if bad.code != 200 {
				t.Errorf("%s: X-GitHub-Api-Version 1999-01-01 answered %d, want it ignored", name, bad.code)
			}
			continue
		}
		if newer.code != 200 || newer.hdr.Get("X-GitHub-Api-Version-Selected") != "2026-03-10" {
			t.Errorf("%s: X-GitHub-Api-Version 2026-03-10: %d, selected %q", name, newer.code, newer.hdr.Get("X-GitHub-Api-Version-Selected"))
		}
		if bad.code != 400 || badCreds.code != 401 || badCreds.hdr.Get("X-GitHub-Api-Version-Selected") != "" {
			t.Errorf("%s: unsupported API version: %d (bad credentials %d, selected %q); want 400, and 401 first for bad credentials without a selected version",
				name, bad.code, badCreds.code, badCreds.hdr.Get("X-GitHub-Api-Version-Selected"))
		}
	}
}

// TestResetAdvancesUpdatedAt: on every version that documents a reset
// (the token in the body, or the legacy one in the path), the reset answers
// a new token, the same created_at, an updated_at later than the token's
// before (a second later on the fixed clock) and a weak ETag
// (docs/fidelity.md, "Reset token").
func TestResetAdvancesUpdatedAt(t *testing.T) {
	type auth struct {
		CreatedAt string `json:"created_at"`
		UpdatedAt string `json:"updated_at"`
		Token     string `json:"token"`
	}
	decode := func(t *testing.T, what string, r resp) auth {
		t.Helper()
		var a auth
		if err := json.Unmarshal(r.body, &a); r.code != 200 || err != nil {
			t.Fatalf("%s: %d %s", what, r.code, r.body)
		}
		return a
	}
	resets := 0
	for _, v := range schemas.Default().Versions() {
		for _, tc := range []struct{ reset, method, path, body string }{
			{"PATCH /applications/{client_id}/token", "PATCH", tokenPath(app1), body(tok(1))},
			{"POST /applications/{client_id}/tokens/{access_token}", "POST", legacyPath("tokens", tok(1)), ""},
		} {
			if operation(v, tc.reset) == nil {
				continue
			}
			resets++
			t.Run(v.Name+"/"+tc.method, func(t *testing.T) {
				h := newHarness(t, v, fx)
				check := h.do("GET", legacyPath("tokens", tok(1)), "", asApp)
				if operation(v, "POST /applications/{client_id}/token") != nil {
					check = h.do("POST", tokenPath(app1), body(tok(1)), asApp)
				}
				before := decode(t, "check before the reset", check)
				r := h.do(tc.method, tc.path, tc.body, asApp)
				after := decode(t, "reset", r)
				if after.Token == "" || after.Token == tok(1) {
					t.Errorf("reset answered token %q, want a new one", after.Token)
				}
				if after.CreatedAt != before.CreatedAt {
					t.Errorf("created_at %s, was %s: want it kept", after.CreatedAt, before.CreatedAt)
				}
				if after.UpdatedAt <= before.UpdatedAt || after.UpdatedAt <= after.CreatedAt {
					t.Errorf("updated_at %s (before %s, created_at %s): want it to advance", after.UpdatedAt, before.UpdatedAt, after.CreatedAt)
				}
				if !strings.HasPrefix(r.hdr.Get("ETag"), `W/"`) {
					t.Errorf("ETag %q, want a weak ETag", r.hdr.Get("ETag"))
				}
			})
		}
	}
	if resets == 0 {
		t.Fatal("no version documents a reset")
	}
}

// TestFieldsFollowTheVersion compares the members of every answer with the
// properties of the version's schema for it: nothing the schema does not
// list (so GHES 2.x gets no expires_at, installation, user_view_type, and
// no "status" in error bodies), and every member it requires or that comes
// and goes between versions (versioned) when it lists it, at the top and in
// nested objects (docs/fidelity.md, "Fields newer than the version"). It
// runs every trigger, success and error, of every built-in version.
func TestFieldsFollowTheVersion(t *testing.T) {
	cat := schemas.Default()
	for _, v := range cat.Versions() {
		t.Run(v.Name, func(t *testing.T) { fieldsFollow(t, cat, v) })
	}
}

// TestFieldsFollowAnImportedVersion: a version imported into a catalog
// overlay shapes its answers by its own schemas too, also those the
// built-in catalog does not hold: an authorization schema without
// expires_at and installation gives answers without them.
func TestFieldsFollowAnImportedVersion(t *testing.T) {
	cat := importedWithout(t, "ghes-3.19", "ghes-3.20", "authorization-7c5d33987b.json", "expires_at", "installation")
	v, err := cat.Version("ghes-3.20")
	if err != nil {
		t.Fatal(err)
	}
	fieldsFollow(t, cat, v)
	tr := triggerFor(t, "POST /applications/{client_id}/token", 200)
	r := tr.Run(newHarness(t, v, tr.SeedFixtures()))
	if r.Status != 200 || strings.Contains(string(r.Body), `"expires_at"`) || strings.Contains(string(r.Body), `"installation"`) {
		t.Errorf("check-token on the imported version: %d %s; want 200 without expires_at and installation", r.Status, r.Body)
	}
}

// fieldsFollow checks that every documented answer of v the triggers
// provoke lists only members its schema in cat lists.
func fieldsFollow(t *testing.T, cat *schemas.Catalog, v *schemas.Version) {
	t.Helper()
	for _, tr := range triggers.All() {
		op := operation(v, tr.Key)
		if op == nil {
			continue
		}
		res, ok := op.Response(tr.Status)
		if !ok || res.Schema == "" {
			continue
		}
		r := tr.Run(newHarness(t, v, tr.SeedFixtures()))
		if r.Status != tr.Status {
			continue // TestEveryDocumentedStatus reports it
		}
		var doc any
		if err := json.Unmarshal(r.Body, &doc); err != nil {
			t.Fatalf("%s %d: %v", op.ID, r.Status, err)
		}
		schema := schemaDoc(t, cat, res.Schema)
		if m, ok := doc.(map[string]any); ok && tr.Status == 422 && (v.Kind() == schemas.KindDotcom || v.Kind() == schemas.KindGHEC) {
			delete(m, "status") // users' real output ("422 bodies")
		}
		for _, p := range unlisted(t, cat, schema, doc, "") {
			t.Errorf("%s %d (%s): %s, against %s's schema %s", op.ID, tr.Status, tr.Why, p, v.Name, res.Schema)
		}
	}
}

// triggerFor returns the trigger of the operation key and status.
func triggerFor(t *testing.T, key string, status int) triggers.Trigger {
	t.Helper()
	for _, tr := range triggers.All() {
		if tr.Key == key && tr.Status == status {
			return tr
		}
	}
	t.Fatalf("no trigger for %s %d", key, status)
	return triggers.Trigger{}
}

// importedWithout returns the built-in catalog with an overlay version
// name, a copy of base whose responses using the schema schema use a new
// one instead (a schema file the built-in catalog does not hold) without
// the members drop.
func importedWithout(t *testing.T, base, name, schema string, drop ...string) *schemas.Catalog {
	t.Helper()
	def := schemas.Default()
	v, err := def.Version(base)
	if err != nil {
		t.Fatal(err)
	}
	doc := schemaDoc(t, def, schema)
	props := doc["properties"].(map[string]any)
	for _, d := range drop {
		delete(props, d)
	}
	var required []any
	for _, r := range doc["required"].([]any) {
		if !slices.Contains(drop, r.(string)) {
			required = append(required, r)
		}
	}
	doc["required"] = required
	const renamed = "authorization-imported-test.json"
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "json"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc)
	if err := os.WriteFile(filepath.Join(dir, "json", renamed), b, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(v)
	var copyOf map[string]any
	json.Unmarshal(raw, &copyOf)
	copyOf["name"] = name
	copyOf["source"] = "imported from test.json"
	for _, op := range copyOf["operations"].([]any) {
		for _, r := range op.(map[string]any)["responses"].([]any) {
			if r := r.(map[string]any); r["schema"] == schema {
				r["schema"] = renamed
			}
		}
	}
	cat, _ := json.Marshal(map[string]any{"versions": []any{copyOf}})
	if err := os.WriteFile(filepath.Join(dir, "catalog.json"), cat, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := schemas.LoadOverlay(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func schemaDoc(t *testing.T, cat *schemas.Catalog, name string) map[string]any {
	t.Helper()
	b, err := cat.SchemaJSON(name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// unlisted walks a body and its schema together and returns the pointer of
// every object member the schema does not list.
func unlisted(t *testing.T, cat *schemas.Catalog, schema map[string]any, doc any, at string) []string {
	props, items, listed := schemaProps(t, cat, schema)
	required := schemaRequired(t, cat, schema)
	var out []string
	switch d := doc.(type) {
	case []any:
		if items != nil {
			for _, x := range d {
				out = append(out, unlisted(t, cat, items, x, at+"/*")...)
			}
		}
	case map[string]any:
		if !listed {
			return nil
		}
		for k := range props {
			if _, ok := d[k]; !ok && (required[k] || versioned[k]) {
				out = append(out, "no "+at+"/"+k+", which the schema lists")
			}
		}
		for k, val := range d {
			sub, ok := props[k].(map[string]any)
			if !ok {
				out = append(out, "renders "+at+"/"+k+", which the schema does not list")
				continue
			}
			out = append(out, unlisted(t, cat, sub, val, at+"/"+k)...)
		}
	}
	return out
}

// versioned are the members that come and go between versions: an answer
// has each of them exactly when its version's schema lists it.
var versioned = map[string]bool{
	"expires_at": true, "installation": true, "user": true, "hashed_token": true,
	"token_last_eight": true, "fingerprint": true, "user_view_type": true, "node_id": true,
}

// schemaRequired resolves $ref and allOf into the members an object must
// have.
func schemaRequired(t *testing.T, cat *schemas.Catalog, s map[string]any) map[string]bool {
	if ref, ok := s["$ref"].(string); ok {
		return schemaRequired(t, cat, schemaDoc(t, cat, ref))
	}
	out := map[string]bool{}
	list, _ := s["allOf"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		for k := range schemaRequired(t, cat, m) {
			out[k] = true
		}
	}
	req, _ := s["required"].([]any)
	for _, k := range req {
		if k, ok := k.(string); ok {
			out[k] = true
		}
	}
	return out
}

// schemaProps resolves $ref, allOf, anyOf and oneOf into the properties an
// object may have (listed false when the schema lists none) and the items
// schema of an array.
func schemaProps(t *testing.T, cat *schemas.Catalog, s map[string]any) (props map[string]any, items map[string]any, listed bool) {
	if ref, ok := s["$ref"].(string); ok {
		return schemaProps(t, cat, schemaDoc(t, cat, ref))
	}
	props = map[string]any{}
	if it, ok := s["items"].(map[string]any); ok {
		items = it
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := s[k].([]any)
		for _, x := range list {
			m, _ := x.(map[string]any)
			p, it, l := schemaProps(t, cat, m)
			listed = listed || l
			for name, v := range p {
				props[name] = v
			}
			if it != nil && items == nil {
				items = it
			}
		}
	}
	if p, ok := s["properties"].(map[string]any); ok {
		listed = true
		for name, v := range p {
			props[name] = v
		}
	}
	return props, items, listed
}

// TestLegacyWithoutCredentials: the legacy endpoints that carry the token
// in the path answer 404 to a request without credentials, as GitHub did;
// a wrong secret is still 401 (docs/fidelity.md, "No credentials on the
// legacy app endpoints").
func TestLegacyWithoutCredentials(t *testing.T) {
	for _, v := range []string{"2.19", "3.2"} {
		h := newHarness(t, version(t, v), fx)
		for _, tc := range []struct {
			method, kind string
		}{{"GET", "tokens"}, {"POST", "tokens"}, {"DELETE", "tokens"}, {"DELETE", "grants"}} {
			if r := h.do(tc.method, legacyPath(tc.kind, tok(0)), "", noAuth); r.code != 404 {
				t.Errorf("%s %s %s without credentials: %d, want 404", v, tc.method, tc.kind, r.code)
			}
		}
		if r := h.do("GET", legacyPath("tokens", tok(0)), "", asBadApp); r.code != 401 {
			t.Errorf("%s legacy check with a wrong secret: %d, want 401", v, r.code)
		}
		if r := h.do("GET", legacyPath("tokens", tok(0)), "", asApp); r.code != 200 {
			t.Errorf("%s legacy check: %d, the token must be untouched", v, r.code)
		}
	}
}

// TestLoginLockout: the lockout is per user (octocat's failures do not
// lock mona, and a locked octocat leaves mona and hubot free) and expires
// LoginLockout after it began, on the server's own wall clock rather than
// the fixed clock of its answers (docs/fidelity.md, "Two-factor
// authentication").
func TestLoginLockout(t *testing.T) {
	const locked = "Maximum number of login attempts exceeded. Please try again later."
	monaOTP := with(asMona, "X-GitHub-OTP", reference.DefaultOTP)
	for _, tc := range []struct {
		name    string
		after   time.Duration
		octocat int // status of octocat's right login then
	}{
		{"just locked", 0, 403},
		{"a second before it expires", reference.LoginLockout - time.Second, 403},
		{"when it expires", reference.LoginLockout, 200},
		{"long after", 10 * reference.LoginLockout, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, version(t, "3.8"), fx)
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			reference.SetLoginClock(h.s, func() time.Time { return now })
			for range reference.MaxLoginAttempts {
				if r := h.do("GET", "/authorizations", "", asBadUser); r.code != 401 {
					t.Fatalf("wrong password: %d %s", r.code, r.body)
				}
			}
			if r := h.do("GET", "/authorizations", "", asUser); r.code != 403 || !strings.Contains(string(r.body), locked) {
				t.Fatalf("after %d failures: %d %s, want 403 %q", reference.MaxLoginAttempts, r.code, r.body, locked)
			}
			for name, who := range map[string]http.Header{"mona": monaOTP, "hubot": asHubot} {
				if r := h.do("GET", "/authorizations", "", who); r.code != 200 {
					t.Errorf("%s while octocat is locked: %d %s, want 200", name, r.code, r.body)
				}
			}
			now = now.Add(tc.after)
			if r := h.do("GET", "/authorizations", "", asUser); r.code != tc.octocat {
				t.Errorf("octocat %s later: %d %s, want %d", tc.after, r.code, r.body, tc.octocat)
			}
			if tc.octocat == 200 {
				// The count starts again: one failure does not lock.
				h.do("GET", "/authorizations", "", asBadUser)
				if r := h.do("GET", "/authorizations", "", asUser); r.code != 200 {
					t.Errorf("one failure after the lockout expired: %d, want 200", r.code)
				}
			}
		})
	}
}

// TestTwoFactor: a user with two-factor authentication needs X-GitHub-OTP
// on every Basic login; without it, or with a wrong one, the answer is 401
// "Must specify two-factor authentication OTP code." with "X-GitHub-OTP:
// required; app" (or sms); after MaxLoginAttempts failures in a row every
// login is 403 (for LoginLockout: TestLoginLockout); a success resets the count
// (docs/fidelity.md, "Two-factor authentication").
func TestTwoFactor(t *testing.T) {
	f := reference.DefaultFixtures()
	f.Users = append(f.Users, reference.User{Login: "sms-user", Password: "sms-password", ID: 9, OTP: "7654321", OTPDelivery: "sms"})
	h := newHarness(t, version(t, "3.8"), f)
	otp := func(code string) map[string][]string { return with(asMona, "X-GitHub-OTP", code) }
	check := func(name string, r resp, code int, header, message string) {
		t.Helper()
		var e struct{ Message string }
		json.Unmarshal(r.body, &e)
		if r.code != code || r.hdr.Get("X-GitHub-OTP") != header || (message != "" && e.Message != message) {
			t.Errorf("%s: %d, X-GitHub-OTP %q, %s; want %d, %q, %q", name, r.code, r.hdr.Get("X-GitHub-OTP"), r.body, code, header, message)
		}
	}
	const must = "Must specify two-factor authentication OTP code."
	check("no OTP", h.do("GET", "/authorizations", "", asMona), 401, "required; app", must)
	check("sms user", h.do("GET", "/authorizations", "", hdr("Authorization", basic("sms-user", "sms-password"))), 401, "required; sms", must)
	check("wrong OTP", h.do("GET", "/authorizations", "", otp("000000")), 401, "required; app", must)
	check("right OTP", h.do("POST", "/authorizations", `{"note":"2fa"}`, otp(reference.DefaultOTP)), 201, "", "")
	check("octocat needs none", h.do("GET", "/authorizations", "", asUser), 200, "", "")
	for i := range reference.MaxLoginAttempts - 1 {
		check("failure "+string(rune('1'+i)), h.do("GET", "/authorizations", "", otp("000000")), 401, "required; app", must)
	}
	check("a success resets the count", h.do("GET", "/authorizations", "", otp(reference.DefaultOTP)), 200, "", "")
	for range reference.MaxLoginAttempts {
		h.do("GET", "/authorizations", "", otp("000000"))
	}
	const locked = "Maximum number of login attempts exceeded. Please try again later."
	check("locked, right OTP", h.do("GET", "/authorizations", "", otp(reference.DefaultOTP)), 403, "", locked)
	check("locked, another endpoint", h.do("PUT", "/authorizations/clients/"+app1, `{"client_secret":"`+secret1+`"}`, otp(reference.DefaultOTP)), 403, "", locked)
	check("others are not locked", h.do("GET", "/authorizations", "", asUser), 200, "", "")
}

// TestNoteNullOnOldVersions: an authorization without a note, note_url or
// fingerprint answers null for them on every version, as GitHub's legacy
// check and reset did (recorded, 2014 and 2018), although the GHES 2.18 and
// 2.19 descriptions type them as plain strings there; the only problems
// the schema finds are those nulls, which schemas.Tolerated accepts
// (docs/fidelity.md, "note, note_url and fingerprint").
func TestNoteNullOnOldVersions(t *testing.T) {
	for _, tc := range []struct{ version, method, path, id string }{
		{"2.18", "GET", legacyPath("tokens", tok(0)), "oauth-authorizations/check-authorization"},
		{"2.19", "GET", legacyPath("tokens", tok(0)), "oauth-authorizations/check-authorization"},
		{"2.19", "POST", legacyPath("tokens", tok(1)), "oauth-authorizations/reset-authorization"},
		{"2.18", "POST", legacyPath("tokens", tok(1)), "oauth-authorizations/reset-authorization"},
		{"2.22", "GET", legacyPath("tokens", tok(0)), "apps/check-authorization"},
		{"3.8", "POST", tokenPath(app1), "apps/check-token"},
	} {
		v := version(t, tc.version)
		b := ""
		if tc.method == "POST" && !strings.Contains(tc.path, "/tokens/") {
			b = body(tok(0))
		}
		r := newHarness(t, v, fx).do(tc.method, tc.path, b, asApp)
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &m); r.code != 200 || err != nil {
			t.Fatalf("%s %s %s: %d %s", tc.version, tc.method, tc.path, r.code, r.body)
		}
		for _, k := range []string{"note", "note_url", "fingerprint"} {
			if string(m[k]) != "null" {
				t.Errorf("%s %s: %s is %s, want null", tc.version, tc.id, k, m[k])
			}
		}
		rest, tolerated := schemas.Tolerated(v.Validate(tc.id, 200, r.body))
		if rest != nil {
			t.Errorf("%s %s: %v", tc.version, tc.id, rest)
		}
		if wantTolerated := strings.HasPrefix(tc.version, "2.1"); (len(tolerated) > 0) != wantTolerated {
			t.Errorf("%s %s: tolerated %v", tc.version, tc.id, tolerated)
		}
	}
}

// TestBodyDecoding runs every operation of every version that takes a
// request body through the same checks (docs/fidelity.md, "Malformed
// JSON"): malformed JSON answers 400 "Problems parsing JSON"; a JSON value
// that is not an object 400 "Body should be a JSON object"; an empty body
// is read as {} and, where the description requires members, answered 422
// "Invalid request." without "errors" (no evidence of GitHub's answer; the
// description's).
func TestBodyDecoding(t *testing.T) {
	type msg struct {
		Message string            `json:"message"`
		Errors  []json.RawMessage `json:"errors"`
	}
	ops := 0
	for _, v := range schemas.Default().Versions() {
		for _, op := range v.Operations {
			if op.Request == nil {
				continue
			}
			ops++
			path := strings.NewReplacer("{client_id}", app1, "{access_token}", tok(0), "{fingerprint}", "fp-decoding",
				"{authorization_id}", "8", "{grant_id}", "1").Replace(op.Path)
			auth := asApp
			if strings.HasPrefix(op.Path, "/authorizations") {
				auth = asUser
			}
			required := false
			for _, f := range op.Request.Fields {
				required = required || f.Required
			}
			for _, tc := range []struct {
				name, body string
				status     int
				message    string
			}{
				{"malformed", `{"note":`, 400, "Problems parsing JSON"},
				{"not JSON", `note=x`, 400, "Problems parsing JSON"},
				{"trailing garbage", `{} x`, 400, "Problems parsing JSON"},
				{"an array", `[{"note":"x"}]`, 400, "Body should be a JSON object"},
				{"a string", `"x"`, 400, "Body should be a JSON object"},
				{"null", `null`, 400, "Body should be a JSON object"},
				{"a number", `12`, 400, "Body should be a JSON object"},
				{"empty", ``, 422, "Invalid request."},
			} {
				if tc.name == "empty" && !required {
					continue
				}
				r := newHarness(t, v, fx).do(op.Method, path, tc.body, auth)
				var m msg
				json.Unmarshal(r.body, &m)
				if r.code != tc.status || !strings.HasPrefix(m.Message, tc.message) || len(m.Errors) > 0 {
					t.Errorf("%s %s %s (%s): %d %s; want %d %q without errors", v.Name, op.Method, op.Path, tc.name, r.code, r.body, tc.status, tc.message)
				}
			}
		}
	}
	if ops == 0 {
		t.Fatal("no operation takes a body")
	}
}
