package diff_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/diff"
)

// The recordings under testdata are written by hand in the go-vcr v3
// format the recorder writes (redacted: pseudonymous tokens and secrets):
//
//   - conform-3.2/ghes-3.2: a conform run against ghes-3.2, where the four
//     legacy path-token endpoints answer;
//   - conform-3.8/ghes-3.8: the same run against ghes-3.8, where they answer
//     GitHub's generic 404 while the body endpoint accepts the same token
//     (and the recorder, matching no ghes-3.8 operation, left no operation
//     header on them);
//   - traffic-legacy-client/ghes-3.3: an old client calling the legacy
//     endpoints;
//   - traffic-body-client/ghes-3.3: a client using only the token-in-body
//     endpoints.

func load(tb testing.TB, d *diff.Differ, dir string) *diff.Recording {
	tb.Helper()
	rec, err := d.LoadRecording(filepath.Join("testdata", dir))
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

func TestObservedLegacyEndpointsRemoved(t *testing.T) {
	d := diff.New(nil)
	rep, err := d.Observed(load(t, d, "conform-3.2"), load(t, d, "conform-3.8"))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Rule, Method, Path, Class string
		Before, After             []int
		Migration                 string
	}
	var got []row
	for _, c := range rep.Changes {
		r := row{Rule: c.Rule, Method: c.Method, Path: c.Path}
		if c.Evidence != nil {
			r.Class, r.Before, r.After = c.Evidence.Class, c.Evidence.StatusesBefore, c.Evidence.StatusesAfter
		}
		if c.Migration != nil {
			r.Migration = c.Migration.Method + " " + c.Migration.Path
		}
		got = append(got, r)
	}
	want := []row{
		{"observed-endpoint-removed", "DELETE", "/applications/{client_id}/grants/{access_token}", diff.ClassRemoved, []int{204}, []int{404}, "DELETE /applications/{client_id}/grant"},
		{"observed-endpoint-removed", "GET", "/applications/{client_id}/tokens/{access_token}", diff.ClassRemoved, []int{200, 404}, []int{404}, "POST /applications/{client_id}/token"},
		{"observed-endpoint-removed", "POST", "/applications/{client_id}/tokens/{access_token}", diff.ClassRemoved, []int{200}, []int{404}, "PATCH /applications/{client_id}/token"},
		{"observed-endpoint-removed", "DELETE", "/applications/{client_id}/tokens/{access_token}", diff.ClassRemoved, []int{204}, []int{404}, "DELETE /applications/{client_id}/token"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("observed changes (-want +got):\n%s", d)
	}
	for _, c := range rep.Changes {
		if c.Severity != diff.SeverityBreaking || c.Status != 404 {
			t.Errorf("%s %s: severity %s status %d, want breaking 404", c.Method, c.Path, c.Severity, c.Status)
		}
	}
}

// The same 404s are told apart from a bad token: if the body endpoint
// rejects the token too, the legacy endpoint is not shown removed.
func TestObservedBadTokenIsNotRemoval(t *testing.T) {
	d := diff.New(nil)
	after := load(t, d, "conform-3.8")
	// Make the control probe fail: the body endpoint no longer accepts the
	// token the legacy calls used, and the version is unknown, so only the
	// probe can tell.
	for i, c := range after.Calls {
		if c.OperationID == "apps/check-token" && c.Status == 200 {
			after.Calls[i].Status = 404
		}
	}
	after.Version = nil
	rep, err := d.Observed(load(t, d, "conform-3.2"), after)
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]string{}
	for _, c := range rep.Changes {
		if c.Evidence != nil && c.Evidence.Class != "" {
			classes[c.Method+" "+c.Path] = c.Rule + " " + c.Evidence.Class
		}
	}
	want := map[string]string{
		"POST /applications/{client_id}/token":                   "observed-status-changed other",
		"GET /applications/{client_id}/tokens/{access_token}":    "observed-status-changed bad-token",
		"POST /applications/{client_id}/tokens/{access_token}":   "observed-status-changed bad-token",
		"DELETE /applications/{client_id}/tokens/{access_token}": "observed-status-changed bad-token",
		"DELETE /applications/{client_id}/grants/{access_token}": "observed-status-changed bad-token",
	}
	if d := cmp.Diff(want, classes); d != "" {
		t.Errorf("classification (-want +got):\n%s", d)
	}
}

func TestObservedSameRecordingShowsNothing(t *testing.T) {
	d := diff.New(nil)
	rec := load(t, d, "conform-3.2")
	rep, err := d.Observed(rec, rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 0 {
		t.Errorf("want no changes, got %+v", rep.Changes)
	}
}

func TestLoadRecordingErrors(t *testing.T) {
	d := diff.New(nil)
	dir := t.TempDir()
	if _, err := d.LoadRecording(dir); err == nil {
		t.Error("empty directory: want an error")
	}
	// Two versions in one directory: the caller must pick one.
	for _, v := range []string{"ghes-3.2", "ghes-3.8"} {
		src := filepath.Join("testdata", "conform-"+v[len("ghes-"):], v, "conform.yaml")
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, v), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, v, "conform.yaml"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.LoadRecording(dir); err == nil {
		t.Error("two versions: want an error")
	}
	recs, err := d.LoadRecordings(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range recs {
		names = append(names, r.Name)
	}
	if d := cmp.Diff([]string{"ghes-3.2", "ghes-3.8"}, names); d != "" {
		t.Errorf("recordings (-want +got):\n%s", d)
	}
	// A version directory given directly is that version.
	rec, err := d.LoadRecording(filepath.Join(dir, "ghes-3.8"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version == nil || rec.Version.Name != "ghes-3.8" {
		t.Errorf("version = %v, want ghes-3.8", rec.Version)
	}
	// An upgrade check needs the version: a directory that names none fails
	// with ErrRecordingVersion.
	odd := filepath.Join(dir, "odd", "client")
	if err := os.MkdirAll(odd, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join("testdata", "traffic-legacy-client", "ghes-3.3", "client.yaml"))
	if err := os.WriteFile(filepath.Join(odd, "c.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err = d.LoadRecording(filepath.Join(dir, "odd"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpgradeCheck(rec, nil, version(t, "ghes-3.4")); !errors.Is(err, diff.ErrRecordingVersion) {
		t.Errorf("UpgradeCheck without a version: err = %v, want ErrRecordingVersion", err)
	}
}

func TestUpgradeCheck(t *testing.T) {
	d := diff.New(nil)
	t.Run("legacy client", func(t *testing.T) {
		rep, err := d.UpgradeCheck(load(t, d, "traffic-legacy-client"), nil, version(t, "ghes-3.4"))
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Breaking() {
			t.Fatal("want breaking")
		}
		var got []string
		for _, c := range rep.Changes {
			if c.Rule != "legacy-path-token-endpoint-removed" || c.Migration == nil || c.Evidence == nil || c.Evidence.Calls == 0 {
				t.Errorf("unexpected change %+v", c)
				continue
			}
			got = append(got, c.Method+" "+c.Path+" → "+c.Migration.Method+" "+c.Migration.Path)
		}
		sort.Strings(got)
		want := []string{
			"DELETE /applications/{client_id}/grants/{access_token} → DELETE /applications/{client_id}/grant",
			"DELETE /applications/{client_id}/tokens/{access_token} → DELETE /applications/{client_id}/token",
			"GET /applications/{client_id}/tokens/{access_token} → POST /applications/{client_id}/token",
			"POST /applications/{client_id}/tokens/{access_token} → PATCH /applications/{client_id}/token",
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("flagged calls (-want +got):\n%s", d)
		}
	})
	t.Run("body client", func(t *testing.T) {
		rep, err := d.UpgradeCheck(load(t, d, "traffic-body-client"), nil, version(t, "ghes-3.4"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Breaking() {
			t.Errorf("want nothing breaking, got %+v", rep.Changes)
		}
		// It still hears about the permission its 200 responses lose.
		for _, c := range rep.Changes {
			if c.Severity == diff.SeverityInfo || c.Status != 200 {
				t.Errorf("unexpected change %+v", c)
			}
		}
	})
	t.Run("body client to api.github.com", func(t *testing.T) {
		rep, err := d.UpgradeCheck(load(t, d, "traffic-body-client"), nil, version(t, "api.github.com"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Breaking() {
			t.Errorf("want nothing breaking, got %+v", rep.Changes)
		}
	})
}

func TestLoadRecordingOneFile(t *testing.T) {
	d := diff.New(nil)
	rec, err := d.LoadRecording(filepath.Join("testdata", "traffic-legacy-client", "ghes-3.3", "client.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version == nil || rec.Version.Name != "ghes-3.3" || len(rec.Calls) != 5 || rec.Calls[0].Cassette != "client.yaml" {
		t.Errorf("recording = %s %v, %d calls, first in %q", rec.Name, rec.Version, len(rec.Calls), rec.Calls[0].Cassette)
	}
}
