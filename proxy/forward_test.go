package proxy_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
)

func TestInitCA(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath, err := proxy.InitCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{certPath: 0o644, keyPath: 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), st.Mode().Perm(), mode)
		}
	}
	ca, err := proxy.LoadCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Leaf.IsCA || ca.Leaf.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("CA: IsCA %v, key %v", ca.Leaf.IsCA, ca.Leaf.PublicKeyAlgorithm)
	}
	if _, _, err := proxy.InitCA(dir); err == nil {
		t.Error("InitCA overwrote an existing CA")
	}
	if _, err := proxy.LoadCA(t.TempDir()); err == nil || !strings.Contains(err.Error(), "ca init") {
		t.Errorf("LoadCA of an empty dir: %v, want a hint to run ca init", err)
	}
}

// forwardRig runs the forward proxy with a fresh CA.
type forwardRig struct {
	dir   string
	fwd   *proxy.Forward
	proxy *httptest.Server
	caPEM []byte
}

func newForward(t *testing.T, upstreamRoots *x509.CertPool, mitm, allow []string) *forwardRig {
	t.Helper()
	caDir, dir := t.TempDir(), t.TempDir()
	certPath, _, err := proxy.InitCA(caDir)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := proxy.LoadCA(caDir)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(certPath)
	store, err := cassettes.OpenStore(dir, "session", redact.New(testKey, redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	tr := proxy.NewTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: upstreamRoots}
	fwd, err := proxy.NewForward(proxy.Config{Store: store, Transport: tr}, ca, mitm, allow)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fwd)
	t.Cleanup(srv.Close)
	return &forwardRig{dir: dir, fwd: fwd, proxy: srv, caPEM: caPEM}
}

// client goes through the proxy and trusts the given roots.
func (f *forwardRig) client(roots *x509.CertPool) *http.Client {
	pu, _ := url.Parse(f.proxy.URL)
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: roots}}}
}

func serverPool(srv *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(srv.Certificate())
	return p
}

func TestForwardMITM(t *testing.T) {
	recorded := httptest.NewTLSServer(upstream(t, "3.8.2"))
	defer recorded.Close()
	tunnelled := httptest.NewTLSServer(upstream(t, ""))
	defer tunnelled.Close()
	refused := httptest.NewTLSServer(upstream(t, ""))
	defer refused.Close()
	plain := httptest.NewServer(upstream(t, ""))
	defer plain.Close()

	roots := x509.NewCertPool()
	roots.AddCert(recorded.Certificate())
	roots.AddCert(tunnelled.Certificate())
	host := func(s *httptest.Server) string { u, _ := url.Parse(s.URL); return u.Host }
	f := newForward(t, roots, []string{host(recorded)}, []string{host(tunnelled)})

	caPool := x509.NewCertPool()
	caPool.AppendCertsFromPEM(f.caPEM)

	// Intercepted: the client trusts only our CA, gets the real response.
	resp, body := do(t, f.client(caPool), "POST", recorded.URL+"/applications/"+clientID+"/token", `{"access_token":"`+realToken+`"}`)
	if resp.StatusCode != 200 || body != checkBody(realToken) {
		t.Fatalf("intercepted: %d %q", resp.StatusCode, body)
	}
	if issuer := resp.TLS.PeerCertificates[0].Issuer.CommonName; issuer != "oauthcompat recording CA" {
		t.Errorf("intercepted certificate issued by %q", issuer)
	}

	// Tunnelled untouched: the client sees the server's own certificate.
	resp, body = do(t, f.client(serverPool(tunnelled)), "GET", tunnelled.URL+"/applications/x/grant", "")
	if resp.StatusCode != 200 || body != "GET /applications/x/grant" {
		t.Errorf("tunnelled: %d %q", resp.StatusCode, body)
	}
	if !resp.TLS.PeerCertificates[0].Equal(tunnelled.Certificate()) {
		t.Error("tunnelled connection was intercepted")
	}

	// Not allowed: CONNECT refused, plain HTTP answered 403.
	if _, err := f.client(serverPool(refused)).Get(refused.URL + "/applications"); err == nil {
		t.Error("CONNECT to a host not allowed succeeded")
	}
	resp, body = do(t, f.client(nil), "GET", plain.URL+"/applications", "")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "allow-host") {
		t.Errorf("plain HTTP to a host not allowed: %d %q", resp.StatusCode, body)
	}

	if err := f.fwd.Close(); err != nil {
		t.Fatal(err)
	}
	cs, err := cassettes.LoadDir(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		for _, it := range c.Interactions {
			got = append(got, it.Request.Method+" "+it.Request.URL+" "+it.Request.Headers.Get(cassettes.OperationHeader))
			if strings.Contains(it.Response.Body, realToken) || strings.Contains(it.Request.Body, realToken) {
				t.Error("token reached the cassette")
			}
		}
	}
	want := []string{"POST " + recorded.URL + "/applications/" + clientID + "/token apps/check-token"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(cassettes.Path(f.dir, "ghes-3.8", "session")); err != nil {
		t.Errorf("cassette not filed under ghes-3.8: %v", err)
	}
}

// TestForwardUpstreamDown: an intercepted host that is down gives a 502
// JSON, not a dropped connection.
func TestForwardUpstreamDown(t *testing.T) {
	down := httptest.NewTLSServer(upstream(t, ""))
	u, _ := url.Parse(down.URL)
	pool := serverPool(down)
	down.Close()
	f := newForward(t, pool, []string{u.Host}, nil)
	caPool := x509.NewCertPool()
	caPool.AppendCertsFromPEM(f.caPEM)
	resp, body := do(t, f.client(caPool), "GET", "https://"+u.Host+"/applications/x/grant", "")
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, `"upstream":"https://`+u.Host+`"`) {
		t.Errorf("got %d %q, want a 502 naming the upstream", resp.StatusCode, body)
	}
	f.fwd.Close()
	c, err := cassettes.Load(cassettes.Path(f.dir, proxy.DefaultVersion, "session"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 1 || c.Interactions[0].Response.Code != 502 {
		t.Errorf("recorded %+v, want one 502", c.Interactions)
	}
}

func do(t *testing.T, c *http.Client, method, u, body string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, u, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
