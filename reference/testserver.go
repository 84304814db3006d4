package reference

import (
	"net/http/httptest"
	"testing"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// NewTestServer starts a reference server for version (any form
// [schemas.Catalog.Version] accepts) on a loopback httptest server, seeded
// with f, and closes it when the test ends.
func NewTestServer(tb testing.TB, version string, f Fixtures) *httptest.Server {
	tb.Helper()
	v, err := schemas.Default().Version(version)
	if err != nil {
		tb.Fatalf("reference: %v", err)
	}
	s, err := New(v, f)
	if err != nil {
		tb.Fatalf("reference: %v", err)
	}
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	return ts
}
