package schemas_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/schemas"
)

func TestVersionForms(t *testing.T) {
	cat := schemas.Default()
	for _, tc := range []struct{ in, want string }{
		{"3.8", "ghes-3.8"},
		{"ghes-3.8", "ghes-3.8"},
		{"GHES 3.8.12", "ghes-3.8"},
		{"3.8.12", "ghes-3.8"},
		{"enterprise-server@3.10", "ghes-3.10"},
		{" v3.2 ", "ghes-3.2"},
		{"2.18", "ghes-2.18"},
		{"github.ae", "github.ae"},
		{"AE", "github.ae"},
		{"api.github.com", "api.github.com"},
		{"dotcom", "api.github.com"},
		{"GHEC", "ghec"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			v, err := cat.Version(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if v.Name != tc.want {
				t.Errorf("Version(%q) = %s, want %s", tc.in, v.Name, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "3.99", "ghes-4.0", "gitlab", "3"} {
		_, err := cat.Version(bad)
		if !errors.Is(err, schemas.ErrUnknownVersion) {
			t.Errorf("Version(%q): err = %v, want ErrUnknownVersion", bad, err)
		}
		if err != nil && !strings.Contains(err.Error(), "ghes-3.19") {
			t.Errorf("Version(%q): error does not name the known versions: %v", bad, err)
		}
	}
}

func TestVersionOrderAndKinds(t *testing.T) {
	cat := schemas.Default()
	names := cat.Names()
	if names[0] != "ghes-2.18" || names[len(names)-1] != "ghec" {
		t.Errorf("order: first %s last %s", names[0], names[len(names)-1])
	}
	v38, _ := cat.Version("3.8")
	v310, _ := cat.Version("3.10")
	if !v38.Before(v310) || v310.Before(v38) {
		t.Error("ghes-3.8 must come before ghes-3.10")
	}
	if got := v38.EnterpriseHeader(); got != "3.8.0" {
		t.Errorf("EnterpriseHeader = %q", got)
	}
	ae, _ := cat.Version("ae")
	if ae.Kind() != schemas.KindAE || ae.EnterpriseHeader() != "" {
		t.Errorf("github.ae: kind %s header %q", ae.Kind(), ae.EnterpriseHeader())
	}
}

func TestMatch(t *testing.T) {
	cat := schemas.Default()
	v32, _ := cat.Version("3.2")
	v38, _ := cat.Version("3.8")
	for _, tc := range []struct {
		v            *schemas.Version
		method, path string
		want         string // "" = no match
	}{
		{v38, "PATCH", "/api/v3/applications/abc/token", "apps/reset-token"},
		{v38, "POST", "/applications/abc/token?x=1", "apps/check-token"},
		{v38, "POST", "/applications/abc/token/scoped", "apps/scope-token"},
		{v38, "GET", "/applications/grants/12", "oauth-authorizations/get-grant"},
		{v38, "GET", "/applications/grants", "oauth-authorizations/list-grants"},
		{v38, "DELETE", "/applications/abc/grant", "apps/delete-authorization"},
		{v38, "GET", "/applications/abc/tokens/gho_x", ""},
		{v32, "GET", "/applications/abc/tokens/gho_x", "apps/check-authorization"},
		{v32, "DELETE", "/api/v3/applications/abc/grants/gho_x", "apps/revoke-grant-for-application"},
		{v38, "PUT", "/authorizations/clients/abc/fp1", "oauth-authorizations/get-or-create-authorization-for-app-and-fingerprint"},
		{v38, "GET", "/api/v3x/authorizations", ""},
		{v38, "GET", "/user", ""},
		{v38, "TRACE", "/authorizations", ""},
	} {
		op, ok := tc.v.Match(tc.method, tc.path)
		got := ""
		if ok {
			got = op.ID
		}
		if got != tc.want {
			t.Errorf("%s Match(%s %s) = %q, want %q", tc.v, tc.method, tc.path, got, tc.want)
		}
	}
	op, _ := v32.Match("GET", "/api/v3/applications/abc/tokens/gho_x")
	if diff := cmp.Diff(map[string]string{"client_id": "abc", "access_token": "gho_x"}, op.PathParams("/api/v3/applications/abc/tokens/gho_x")); diff != "" {
		t.Errorf("PathParams (-want +got):\n%s", diff)
	}
	if op, ok := cat.Lookup("GET", "/applications/abc/tokens/gho_x"); !ok || op.ID != "apps/check-authorization" {
		t.Errorf("Lookup of a legacy endpoint across versions = %v, %v", op, ok)
	}
}

func TestValidateErrors(t *testing.T) {
	v, _ := schemas.Default().Version("3.8")
	valid := `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`
	for _, tc := range []struct {
		name   string
		id     string
		status int
		body   string
		is     error    // sentinel, or nil
		probs  []string // pointers of the problems, for *ValidationError
	}{
		{"valid", "apps/check-token", 404, valid, nil, nil},
		{"unknown operation", "apps/nope", 200, valid, schemas.ErrUnknownOperation, nil},
		{"undocumented status", "apps/check-token", 418, valid, schemas.ErrUndocumented, nil},
		{"no body documented", "apps/delete-token", 204, ``, nil, nil},
		{"body where none documented", "apps/delete-token", 204, `{}`, nil, []string{""}},
		{"not JSON", "apps/check-token", 404, `<html>`, nil, []string{""}},
		{"wrong types", "apps/check-token", 404, `{"message":1,"documentation_url":true}`, nil, []string{"/documentation_url", "/message"}},
		{"missing required", "apps/check-token", 422, `{"message":"Validation Failed"}`, nil, []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Validate(tc.id, tc.status, []byte(tc.body))
			if tc.is != nil {
				if !errors.Is(err, tc.is) {
					t.Fatalf("err = %v, want %v", err, tc.is)
				}
				return
			}
			var verr *schemas.ValidationError
			if tc.probs == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			var got []string
			for _, p := range verr.Problems {
				got = append(got, p.Pointer)
			}
			if diff := cmp.Diff(tc.probs, got); diff != "" {
				t.Errorf("problem pointers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNullableAndFormats(t *testing.T) {
	v, _ := schemas.Default().Version("3.8")
	base := `{"id":1,"url":"https://ghe.local/api/v3/authorizations/1","scopes":null,"token":"t","token_last_eight":null,"hashed_token":null,
	"app":{"client_id":"c","name":"n","url":"https://example.com"},"note":null,"note_url":null,"updated_at":"2024-01-01T00:00:00Z",
	"created_at":"2024-01-01T00:00:00Z","fingerprint":null,"expires_at":null,"user":null,"installation":null}`
	if err := v.Validate("apps/check-token", 200, []byte(base)); err != nil {
		t.Fatalf("nullable fields as null rejected: %v", err)
	}
	bad := strings.Replace(base, `"2024-01-01T00:00:00Z"`, `"yesterday"`, 1)
	if err := v.Validate("apps/check-token", 200, []byte(bad)); err == nil {
		t.Error("a date-time that is not one was accepted: formats must be asserted")
	}
	bad = strings.Replace(base, `"url":"https://ghe.local/api/v3/authorizations/1"`, `"url":null`, 1)
	if err := v.Validate("apps/check-token", 200, []byte(bad)); err == nil {
		t.Error("null url accepted: only nullable fields may be null")
	}
}

func TestNotes(t *testing.T) {
	cat := schemas.Default()
	v32, _ := cat.Version("3.2")
	v38, _ := cat.Version("3.8")
	has := func(v *schemas.Version, op string, kind schemas.NoteKind) bool {
		for _, n := range v.Notes() {
			if n.Operation == op && n.Kind == kind {
				return true
			}
		}
		return false
	}
	if !has(v32, "apps/delete-token", schemas.NoteDocsPageDefect) {
		t.Error("ghes-3.2: the curl sample without -X DELETE is not noted")
	}
	if has(v38, "apps/delete-token", schemas.NoteDocsPageDefect) {
		t.Error("ghes-3.8: curl note leaks past 3.3")
	}
	if !has(v32, "apps/reset-authorization", schemas.NoteProseContradiction) || has(v38, "apps/reset-authorization", schemas.NoteProseContradiction) {
		t.Error("reset-authorization note must follow the operation's presence")
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := schemas.Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadCompileAll(b *testing.B) {
	for b.Loop() {
		c, err := schemas.Load()
		if err != nil {
			b.Fatal(err)
		}
		if err := c.CompileAll(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCompileAll(t *testing.T) {
	c, err := schemas.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CompileAll(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkValidateAuthorization(b *testing.B) {
	v, _ := schemas.Default().Version("3.8")
	body := []byte(`{"id":1,"url":"https://ghe.local/api/v3/authorizations/1","scopes":["repo"],"token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","token_last_eight":"Ae178B4a","hashed_token":"25f94a2a5c7fbaf499c665bc73d67c1c87e496da8985131633ee0a95819db2e8",
	"app":{"client_id":"Iv1.8a61f9b3a7aba766","name":"n","url":"https://example.com"},"note":"optional note","note_url":"http://optional/note/url","updated_at":"2011-09-06T20:39:23Z",
	"created_at":"2011-09-06T17:26:27Z","fingerprint":"jklmnop12345678","expires_at":"2011-10-06T17:26:27Z","user":null,"installation":null}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Validate("apps/check-token", 200, body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTolerated: the only schema problems tolerated are nulls where a
// description types note, note_url or fingerprint as a plain string
// (docs/fidelity.md, "note, note_url and fingerprint").
func TestTolerated(t *testing.T) {
	v, err := schemas.Default().Version("ghes-2.19")
	if err != nil {
		t.Fatal(err)
	}
	const id = "oauth-authorizations/check-authorization"
	valid := `{"id":1,"url":"u","scopes":[],"token":"t","token_last_eight":"t","hashed_token":"h","app":{"client_id":"c","name":"n","url":"u"},"note":"n","note_url":"u","updated_at":"2019-01-01T00:00:00Z","created_at":"2019-01-01T00:00:00Z","fingerprint":"f"}`
	withNulls := strings.NewReplacer(`"note":"n"`, `"note":null`, `"note_url":"u"`, `"note_url":null`, `"fingerprint":"f"`, `"fingerprint":null`).Replace(valid)
	for _, tc := range []struct {
		name      string
		body      string
		rest      bool
		tolerated int
	}{
		{"valid", valid, false, 0},
		{"nulls", withNulls, false, 3},
		{"nulls and a wrong id", strings.Replace(withNulls, `"id":1`, `"id":"1"`, 1), true, 3},
		{"a number note", strings.Replace(valid, `"note":"n"`, `"note":1`, 1), true, 0},
		{"a null token", strings.Replace(valid, `"token":"t"`, `"token":null`, 1), true, 0},
	} {
		rest, tolerated := schemas.Tolerated(v.Validate(id, 200, []byte(tc.body)))
		if (rest != nil) != tc.rest || len(tolerated) != tc.tolerated {
			t.Errorf("%s: rest %v, tolerated %v; want rest %v, %d tolerated", tc.name, rest, tolerated, tc.rest, tc.tolerated)
		}
	}
}
