package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUpstreamFailureDescribedAlike: the same upstream failure is
// described in the same words by record (the 502 its client gets),
// replay --on-miss proxy (the 502 a forwarded miss gets) and conform (its
// error for a target it cannot reach): what failed, what to do, and the
// cause (x509 ... for TLS).
func TestUpstreamFailureDescribedAlike(t *testing.T) {
	withEnv(t, fixtureEnv())
	tlsUp := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsUp.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name, upstream string
		want           []string
	}{
		{"untrusted certificate", tlsUp.URL, []string{"its TLS certificate is signed by an authority this machine does not trust; pass --upstream-ca FILE", "x509: certificate signed by unknown authority"}},
		{"refused", closed.URL, []string{"it refused the connection; check that it is running and listening on that port", "connection refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			post := func(base string) string {
				resp, err := http.Post(base+"/api/v3/applications/Iv1.abc/token", "application/json", strings.NewReader(`{"access_token":"gho_none"}`))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadGateway {
					t.Errorf("%s: %d, want 502", base, resp.StatusCode)
				}
				return string(b)
			}
			p := startInProcess(t, "record", "--upstream", tc.upstream, "--cassettes", t.TempDir(), "--listen", "127.0.0.1:0", "--version", "3.8")
			record := post(p.url)
			p.stop()
			// A copy: the misses are recorded into the cassettes directory,
			// under its version.
			cass := t.TempDir()
			os.CopyFS(cass, os.DirFS("../../replay/testdata"))
			p = startInProcess(t, "replay", "--cassettes", cass, "--listen", "127.0.0.1:0", "--on-miss", "proxy", "--upstream", tc.upstream)
			if p.url == "" {
				_, stderr := p.stop()
				t.Fatalf("replay did not start:\n%s", stderr)
			}
			replayed := post(p.url)
			p.stop()
			if m, _ := filepath.Glob(filepath.Join(cass, "ghes-3.8", "misses-*.yaml")); len(m) != 1 {
				t.Errorf("the forwarded miss is not filed under the cassettes' version, ghes-3.8: %v", m)
			}
			_, _, conform := runCmd(t, "conform", "--version", "3.8", "--target", tc.upstream)
			for name, got := range map[string]string{"record": record, "replay --on-miss proxy": replayed, "conform": conform} {
				for _, w := range tc.want {
					if !strings.Contains(got, w) {
						t.Errorf("%s does not say %q:\n%s", name, w, got)
					}
				}
			}
		})
	}
}
