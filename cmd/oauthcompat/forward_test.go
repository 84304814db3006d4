package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/proxy"
)

// TestForwardReachesOnlyNamedHosts runs record --forward (a real goproxy
// forward proxy on loopback) and checks that, without --allow-host, only
// the --mitm-host and --tunnel-host hosts can be reached: a local process
// cannot use the proxy to reach any other host or port, and each refusal
// is logged with its host and port, never the credentials sent with it.
func TestForwardReachesOnlyNamedHosts(t *testing.T) {
	tunnelled := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "tunnelled") }))
	defer tunnelled.Close()
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "reached") }))
	defer other.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "reached") }))
	defer plain.Close()
	host := func(s *httptest.Server) string { u, _ := url.Parse(s.URL); return u.Host }

	caDir := t.TempDir()
	if _, _, err := proxy.InitCA(caDir); err != nil {
		t.Fatal(err)
	}
	const proxySecret = "Pr0xyS3cretPassw0rd"
	for _, tc := range []struct {
		name  string
		extra []string
		// want: host → reachable
		want map[string]bool
	}{
		{"mitm only", nil, map[string]bool{host(tunnelled): false, host(other): false, "http://" + host(plain): false}},
		{"tunnel host", []string{"--tunnel-host", host(tunnelled)}, map[string]bool{host(tunnelled): true, host(other): false, "http://" + host(plain): false}},
		{"allow host", []string{"--allow-host", host(other)}, map[string]bool{host(tunnelled): false, host(other): true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"record", "--forward", "--ca", caDir, "--mitm-host", "ghe.invalid",
				"--cassettes", filepath.Join(t.TempDir(), "c"), "--listen", "127.0.0.1:0"}, tc.extra...)
			p := startInProcess(t, args...)
			if p.url == "" {
				_, errs := p.stop()
				t.Fatalf("record did not start: %s", errs)
			}
			pu, _ := url.Parse(p.url)
			pu.User = url.UserPassword("user", proxySecret)
			client := &http.Client{Transport: &http.Transport{
				Proxy:           http.ProxyURL(pu),
				TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
			}}
			for target, ok := range tc.want {
				u := "https://" + target + "/"
				if strings.HasPrefix(target, "http://") {
					u = target + "/"
				}
				resp, err := client.Get(u)
				reached := false
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					reached = resp.StatusCode == 200
					if !ok && resp.StatusCode != http.StatusForbidden {
						t.Errorf("%s: status %d, want 403", u, resp.StatusCode)
					}
				}
				if reached != ok {
					t.Errorf("%s: reached %v, want %v (err %v)", u, reached, ok, err)
				}
			}
			_, errs := p.stop()
			for target, ok := range tc.want {
				hp := strings.TrimPrefix(target, "http://")
				if logged := strings.Contains(errs, "refused") && strings.Contains(errs, "host="+hp); logged == ok {
					t.Errorf("%s: refusal logged %v, want %v:\n%s", hp, logged, !ok, errs)
				}
			}
			if strings.Contains(errs, proxySecret) {
				t.Errorf("the proxy credentials are logged:\n%s", errs)
			}
		})
	}
	if code, _, errs := runCmd(t, "record", "--upstream", "http://127.0.0.1:1", "--tunnel-host", "x", "--cassettes", t.TempDir()); code != exitUsage || !strings.Contains(errs, "need --forward") {
		t.Errorf("--tunnel-host without --forward: exit %d, %s", code, errs)
	}
}
