package diff_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/diff"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
)

// recordRun runs the same client script against the reference server of
// version, through the recording reverse proxy, and returns the cassette
// directory (DIR/<version>/run.yaml). Both runs share one redaction key,
// so a token has the same pseudonym in both recordings.
func recordRun(t *testing.T, version string, key []byte) string {
	t.Helper()
	fx := reference.DefaultFixtures()
	upstream := reference.NewTestServer(t, version, fx)
	dir := filepath.Join(t.TempDir(), "run-"+version)
	store, err := cassettes.OpenStore(dir, "run", redact.New(key, redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := proxy.NewReverse(proxy.Config{Upstream: u, Store: store, Version: version})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(rp)

	app := fx.Apps[0]
	var toks []string
	for _, tk := range fx.Tokens {
		if tk.ClientID == app.ClientID && tk.User == "octocat" {
			toks = append(toks, tk.Value)
		}
	}
	if len(toks) < 4 {
		t.Fatalf("the default fixtures hold %d tokens of %s for octocat, want 4", len(toks), app.ClientID)
	}
	do := func(method, path, body string) {
		t.Helper()
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, front.URL+"/api/v3"+path, r)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(app.ClientID, app.ClientSecret)
		req.Header.Set("Accept", "application/vnd.github+json")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := front.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	base := "/applications/" + app.ClientID
	// Control probes first: every token checked on the body endpoint.
	for _, tk := range toks[:4] {
		do("POST", base+"/token", `{"access_token":"`+tk+`"}`)
	}
	do("POST", base+"/token", `{"access_token":"gho_`+strings.Repeat("0", 36)+`"}`)
	// The legacy path-token endpoints, the grant last (it revokes them all).
	do("GET", base+"/tokens/"+toks[0], "")
	do("POST", base+"/tokens/"+toks[1], "")
	do("DELETE", base+"/tokens/"+toks[2], "")
	do("DELETE", base+"/grants/"+toks[3], "")

	front.Close()
	if err := rp.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestObservedLiveReference records the same client against the reference
// server at ghes-3.2 and ghes-3.8 and checks that the observed diff flags
// the four legacy endpoints as removed.
func TestObservedLiveReference(t *testing.T) {
	key := bytes.Repeat([]byte{7}, redact.KeySize)
	before, after := recordRun(t, "ghes-3.2", key), recordRun(t, "ghes-3.8", key)
	d := diff.New(nil)
	rb, err := d.LoadRecording(before)
	if err != nil {
		t.Fatal(err)
	}
	ra, err := d.LoadRecording(after)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.Observed(rb, ra)
	if err != nil {
		t.Fatal(err)
	}
	removed := map[string]string{}
	for _, c := range rep.Changes {
		if c.Severity == diff.SeverityBreaking {
			class := ""
			if c.Evidence != nil {
				class = c.Evidence.Class
			}
			removed[c.Method+" "+c.Path] = c.Rule + " " + class
		}
	}
	want := map[string]string{
		"GET /applications/{client_id}/tokens/{access_token}":    "observed-endpoint-removed removed",
		"POST /applications/{client_id}/tokens/{access_token}":   "observed-endpoint-removed removed",
		"DELETE /applications/{client_id}/tokens/{access_token}": "observed-endpoint-removed removed",
		"DELETE /applications/{client_id}/grants/{access_token}": "observed-endpoint-removed removed",
	}
	for k, v := range want {
		if removed[k] != v {
			t.Errorf("%s: got %q, want %q", k, removed[k], v)
		}
	}
	if testing.Verbose() {
		var b bytes.Buffer
		rep.WriteMarkdown(&b)
		t.Log(b.String())
	}
	if len(removed) != len(want) {
		var b bytes.Buffer
		rep.WriteMarkdown(&b)
		t.Errorf("breaking changes: got %v, want only the four legacy endpoints\n%s", removed, b.String())
	}
}

// TestUpgradeCheckLiveReference records the client (which still calls the
// legacy endpoints) against the reference server at ghes-3.3 and checks it
// against ghes-3.4: the four legacy calls break, each with its migration.
func TestUpgradeCheckLiveReference(t *testing.T) {
	dir := recordRun(t, "ghes-3.3", bytes.Repeat([]byte{9}, redact.KeySize))
	d := diff.New(nil)
	rec, err := d.LoadRecording(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.UpgradeCheck(rec, nil, version(t, "ghes-3.4"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range rep.Changes {
		if c.Severity != diff.SeverityBreaking {
			continue
		}
		if c.Rule != "legacy-path-token-endpoint-removed" || c.Migration == nil || c.Migration.Method == "" {
			t.Errorf("unexpected breaking change %+v", c)
		}
		n++
	}
	if n != 4 {
		t.Errorf("%d breaking changes, want the 4 legacy calls", n)
	}
}
