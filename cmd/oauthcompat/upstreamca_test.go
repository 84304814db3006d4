package main

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// TestUpstreamCAEverywhere: a server whose certificate a private CA signed
// is reached by conform and by replay's --on-miss proxy with --upstream-ca
// naming that CA, as by record (TestRecordUpstreamTLS); without it each
// says the certificate is not trusted and names --upstream-ca.
func TestUpstreamCAEverywhere(t *testing.T) {
	v, err := schemas.Default().Version("ghes-3.8")
	if err != nil {
		t.Fatal(err)
	}
	s, err := reference.New(v, reference.DefaultFixtures())
	if err != nil {
		t.Fatal(err)
	}
	up := httptest.NewUnstartedServer(s)
	up.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	up.StartTLS()
	defer up.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	withEnv(t, fixtureEnv())

	t.Run("conform", func(t *testing.T) {
		code, out, errOut := conform("--version", "3.8", "--target", up.URL+"/api/v3", "--upstream-ca", ca)
		if code != exitOK || !strings.Contains(out, "conformant") {
			t.Errorf("with --upstream-ca: exit %d\n%s%s", code, out, errOut)
		}
		code, out, errOut = conform("--version", "3.8", "--target", up.URL+"/api/v3")
		if code == exitOK || !strings.Contains(out+errOut, "--upstream-ca") {
			t.Errorf("without --upstream-ca: exit %d, want a failure naming --upstream-ca\n%s%s", code, out, errOut)
		}
	})

	t.Run("replay on-miss proxy", func(t *testing.T) {

		for _, tc := range []struct {
			name   string
			flags  []string
			status int
			want   string
		}{
			{"trusted", []string{"--upstream-ca", ca}, http.StatusNotFound, "Not Found"}, // the upstream's answer
			{"untrusted", nil, http.StatusBadGateway, "--upstream-ca"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				dir := t.TempDir()
				// The cassettes with their key: without it a token-shaped
				// value would match any recorded token, and not miss.
				if err := os.CopyFS(filepath.Join(dir, "ghes-3.8"), os.DirFS("../../replay/testdata/ghes-3.8")); err != nil {
					t.Fatal(err)
				}
				key, err := os.ReadFile("../../replay/testdata/.redact-key")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, ".redact-key"), key, 0o600); err != nil {
					t.Fatal(err)
				}
				args := append([]string{"replay", "--cassettes", dir, "--version", "3.8", "--listen", "127.0.0.1:0",
					"--on-miss", "proxy", "--upstream", up.URL}, tc.flags...)
				p := startInProcess(t, args...)
				if p.url == "" {
					_, stderr := p.stop()
					t.Fatalf("replay did not start: %s", stderr)
				}
				status, body := checkToken(t, p.url, "gho_"+strings.Repeat("x", 36)) // in no cassette: a miss
				p.stop()
				if status != tc.status || !strings.Contains(body, tc.want) {
					t.Errorf("a miss proxied: %d %s; want %d holding %s", status, body, tc.status, tc.want)
				}
			})
		}
	})
}
