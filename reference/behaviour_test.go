package reference

import (
	"errors"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// TestErrorsCarryStatusFromSchemas: whether error bodies carry "status" is
// read from the documented error schemas, and agrees with what GitHub's
// versions do: not GHES 2.x, every later version.
func TestErrorsCarryStatusFromSchemas(t *testing.T) {
	for _, v := range schemas.Default().Versions() {
		want := !strings.HasPrefix(v.Release(), "2.")
		if got := errorsCarryStatus(v); got != want {
			t.Errorf("%s: errorsCarryStatus = %v, want %v", v.Name, got, want)
		}
	}
}

// TestNewRefusesUnsupported: a version documenting an operation no handler
// serves is refused, naming every such operation.
func TestNewRefusesUnsupported(t *testing.T) {
	base, _ := schemas.Default().Version("3.19")
	v := *base
	v.Name = "ghes-3.20"
	v.Operations = append(append([]*schemas.Operation{}, base.Operations...),
		&schemas.Operation{ID: "apps/refresh-token", Method: "POST", Path: "/applications/{client_id}/token/refresh"},
		&schemas.Operation{ID: "apps/list-tokens", Method: "GET", Path: "/applications/{client_id}/tokens"})
	_, err := New(&v, DefaultFixtures())
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *UnsupportedError", err)
	}
	want := []string{"POST /applications/{client_id}/token/refresh (apps/refresh-token)", "GET /applications/{client_id}/tokens (apps/list-tokens)"}
	if strings.Join(ue.Operations, "|") != strings.Join(want, "|") {
		t.Errorf("Operations = %q, want %q", ue.Operations, want)
	}
	if !strings.Contains(err.Error(), "cannot emulate") || !strings.Contains(err.Error(), "scoped-token") {
		t.Errorf("message: %v", err)
	}
}
