package conformance_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/reference"
)

func TestCheckOnly(t *testing.T) {
	v := version(t, "ghes-3.8")
	tests := []struct {
		name string
		only []string
		bad  string // "" means valid
	}{
		{"empty", nil, ""},
		{"id of the version", []string{"apps/check-token"}, ""},
		{"id of another version only", []string{"oauth-authorizations/check-authorization"}, ""},
		{"method and path", []string{"post /applications/{client_id}/token"}, ""},
		{"blank entries", []string{" ", ""}, ""},
		{"typo", []string{"apps/nope"}, `"apps/nope"`},
		{"typo among good ones", []string{"apps/check-token", "GET /nope"}, `"GET /nope"`},
	}
	for _, tc := range tests {
		err := conformance.CheckOnly(v, tc.only)
		if tc.bad == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, conformance.ErrUnknownOnly) || !strings.Contains(err.Error(), tc.bad) || !strings.Contains(err.Error(), "ghes-3.8 documents ") || !strings.Contains(err.Error(), "apps/check-token") {
			t.Errorf("%s: error %v, want ErrUnknownOnly naming %s and listing the version's ids", tc.name, err, tc.bad)
		}
	}
	_, err := conformance.Run(context.Background(), conformance.Config{Version: v, BaseURL: "http://127.0.0.1:1", Only: []string{"apps/nope"}})
	if !errors.Is(err, conformance.ErrUnknownOnly) {
		t.Errorf("Run with an unknown --only: %v, want ErrUnknownOnly", err)
	}
}

// TestOnlyOtherVersionsID selects, by the id an older version gives it,
// an endpoint ghes-3.8 no longer documents: the run probes it.
func TestOnlyOtherVersionsID(t *testing.T) {
	v := version(t, "ghes-3.8")
	f := reference.DefaultFixtures()
	ts := reference.NewTestServer(t, v.Name, f)
	rep, err := conformance.Run(context.Background(), conformance.Config{
		Version: v, BaseURL: ts.URL, Credentials: fixtureCreds(f), Nonce: "t1",
		Only: []string{"oauth-authorizations/check-authorization"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rep.Cases {
		got = append(got, string(c.Result)+" "+c.ID)
	}
	want := []string{"pass apps/check-authorization 404 undocumented in ghes-3.8"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cases (-want +got):\n%s", diff)
	}
}
