package proxy_test

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/faultfs"
	"github.com/oauthcompat/oauthcompat/internal/resetting"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
)

// TestUpstreamResetMidBody resets the upstream's connection at several
// offsets of its body: the client gets the bytes before the reset and an
// error, and the cassette records just that, the status and headers as
// received (Content-Length included), the bytes received, and the
// X-Oauthcompat-Cut marker saying the upstream failed after N bytes,
// not that the client stopped reading.
func TestUpstreamResetMidBody(t *testing.T) {
	body := checkBody(realToken)
	for _, chunked := range []bool{false, true} {
		for _, cut := range []int{1, 100, len(body) / 2, len(body) - 1} {
			t.Run(fmt.Sprintf("chunked=%v/cut=%d", chunked, cut), func(t *testing.T) {
				r := newRig(t, resetting.Upstream(t, body, cut, chunked), proxy.Config{})
				req, _ := http.NewRequest("POST", r.proxy.URL+"/applications/"+clientID+"/token", strings.NewReader(`{"access_token":"`+realToken+`"}`))
				req.SetBasicAuth(clientID, clientSecret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil {
					t.Errorf("the client read %d bytes and no error: the cut became a clean answer", len(got))
				}
				if string(got) != body[:cut] {
					t.Errorf("the client got %q, want the %d bytes before the reset", got, cut)
				}
				its := r.stop()
				if len(its) != 1 {
					t.Fatalf("%d interactions recorded, want 1", len(its))
				}
				rs := its[0].Response
				wantMark := fmt.Sprintf("upstream failed after %d bytes of the body", cut)
				if mark := rs.Headers.Get(cassettes.CutHeader); !strings.HasPrefix(mark, wantMark) {
					t.Errorf("%s = %q, want %q...", cassettes.CutHeader, mark, wantMark)
				}
				if note := rs.Headers.Get(cassettes.TruncatedHeader); strings.Contains(note, "client") {
					t.Errorf("the cut is blamed on the client: %s", note)
				}
				if rs.Code != 200 || len(rs.Body) != cut {
					t.Errorf("recorded %d with %d body bytes, want 200 and the %d received", rs.Code, len(rs.Body), cut)
				}
				wantCL := fmt.Sprint(len(body))
				if chunked {
					wantCL = ""
				}
				if cl := rs.Headers.Get("Content-Length"); cl != wantCL {
					t.Errorf("recorded Content-Length %q, want %q as received", cl, wantCL)
				}
				if its[0].Request.Headers.Get(cassettes.OperationHeader) != "apps/check-token" || !strings.Contains(r.files()[0], "ghes-3.8") {
					t.Errorf("not labelled and filed as an answer of ghes-3.8: %v %v", its[0].Request.Headers, r.files())
				}
				if !strings.Contains(r.logs.String(), "upstream failed mid-body") {
					t.Errorf("the cut is not logged:\n%s", r.logs)
				}
			})
		}
	}
}

// TestClientStopsReading: a client that closes the body early is told
// apart from an upstream that fails: the stored prefix is marked as the
// client's doing, with no cut marker.
func TestClientStopsReading(t *testing.T) {
	up := httptest.NewServer(upstream(t, "3.8.4"))
	defer up.Close()
	r := newRig(t, up.URL, proxy.Config{})
	resp, err := http.Get(r.proxy.URL + "/applications/big/1000000")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(resp.Body, make([]byte, 1000))
	resp.Body.Close()
	its := r.stop()
	if len(its) != 1 {
		t.Fatalf("%d interactions, want 1", len(its))
	}
	h := its[0].Response.Headers
	if h.Get(cassettes.CutHeader) != "" || !strings.Contains(h.Get(cassettes.TruncatedHeader), "client closed") {
		t.Errorf("cut %q, truncated %q; want only the client's note", h.Get(cassettes.CutHeader), h.Get(cassettes.TruncatedHeader))
	}
}

// writeCA writes the certificate of a TLS test server as a PEM file.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpstreamTLSFailure: an upstream whose certificate the machine does
// not trust gets a 502 saying so (and how to trust it), the recorder logs
// it, and the failure is filed under the version; with UpstreamTLS and
// the CA, the same upstream is recorded.
func TestUpstreamTLSFailure(t *testing.T) {
	up := httptest.NewTLSServer(upstream(t, "3.8.4"))
	defer up.Close()
	r := newRig(t, up.URL, proxy.Config{Version: "3.8", Transport: proxy.NewTransport()})
	resp, body := checkToken(t, r.proxy.URL, realToken)
	var got struct{ Message, Upstream, Error string }
	json.Unmarshal([]byte(body), &got)
	if resp.StatusCode != 502 || !strings.Contains(got.Message, "not trust") || !strings.Contains(got.Message, "--upstream-ca") || !strings.Contains(got.Error, "x509") {
		t.Errorf("%d %s; want a 502 saying the certificate is not trusted, --upstream-ca, and the x509 error", resp.StatusCode, body)
	}
	if strings.Contains(got.Message, "check that it is running") {
		t.Errorf("the message blames a server that is not running: %s", got.Message)
	}
	if logs := r.logs.String(); !strings.Contains(logs, "upstream failed") || !strings.Contains(logs, "x509") {
		t.Errorf("the failure is not logged:\n%s", logs)
	}
	its := r.stop()
	if len(its) != 1 || !strings.Contains(r.files()[0], "ghes-3.8") {
		t.Errorf("recorded %d interactions into %v, want the failure under ghes-3.8", len(its), r.files())
	}

	tlsConf, err := proxy.UpstreamTLS(writeCA(t, up), false)
	if err != nil {
		t.Fatal(err)
	}
	tr := proxy.NewTransport()
	tr.TLSClientConfig = tlsConf
	r = newRig(t, up.URL, proxy.Config{Transport: tr})
	if resp, body := checkToken(t, r.proxy.URL, realToken); resp.StatusCode != 200 {
		t.Errorf("with the CA: %d %s", resp.StatusCode, body)
	}
	r.stop()
	for _, bad := range []struct {
		file     string
		insecure bool
		want     string
	}{
		{filepath.Join(t.TempDir(), "absent.pem"), false, "no such file"},
		{writeFile(t, "not a certificate"), false, "no PEM certificate"},
		{writeCA(t, up), true, "exclude each other"},
	} {
		if _, err := proxy.UpstreamTLS(bad.file, bad.insecure); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("UpstreamTLS(%s, %v) = %v, want %q", bad.file, bad.insecure, err, bad.want)
		}
	}
}

func writeFile(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte(content), 0o644)
	return p
}

// TestFailureFiledUnderUpstreamVersion: without --version, an upstream
// failure has no version header; it is filed under the version the same
// upstream reported before, not under api.github.com.
func TestFailureFiledUnderUpstreamVersion(t *testing.T) {
	up := httptest.NewServer(upstream(t, "3.8.4"))
	r := newRig(t, up.URL, proxy.Config{})
	checkToken(t, r.proxy.URL, realToken)
	up.Close()
	if resp, _ := checkToken(t, r.proxy.URL, realToken); resp.StatusCode != 502 {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
	if !strings.Contains(r.logs.String(), "refused the connection") {
		t.Errorf("the refused connection is not logged:\n%s", r.logs)
	}
	its := r.stop()
	if files := r.files(); len(its) != 2 || len(files) != 1 || !strings.Contains(files[0], "ghes-3.8") {
		t.Errorf("%d interactions in %v; want both under ghes-3.8", len(its), files)
	}
}

// TestUnsafeVersionHeader: a version header that is not a directory name
// ("3.8/x", "..") still records the interaction, under a safe name, with a
// warning.
func TestUnsafeVersionHeader(t *testing.T) {
	for header, dir := range map[string]string{"3.8/../../x": "3.8-..-..-x", "..": "unknown", "a\\b": "a-b"} {
		up := httptest.NewServer(upstream(t, header))
		r := newRig(t, up.URL, proxy.Config{})
		checkToken(t, r.proxy.URL, realToken)
		its := r.stop()
		up.Close()
		if len(its) != 1 || r.rev.Stats() != (proxy.Stats{Recorded: 1}) {
			t.Errorf("header %q: %d interactions, stats %+v; want it recorded", header, len(its), r.rev.Stats())
			continue
		}
		if files := r.files(); filepath.Base(filepath.Dir(files[0])) != dir {
			t.Errorf("header %q: filed under %s, want %s", header, files[0], dir)
		}
		if !strings.Contains(r.logs.String(), "not a version name") {
			t.Errorf("header %q: no warning:\n%s", header, r.logs)
		}
	}
}

// TestStoreFailuresCounted: interactions the store cannot record are
// logged at once, each, and counted.
func TestStoreFailuresCounted(t *testing.T) {
	up := httptest.NewServer(upstream(t, "3.8.4"))
	defer up.Close()
	fsys := faultfs.New(nil)
	store, err := cassettes.OpenStoreWith(t.TempDir(), "session", redact.NewRandom(), cassettes.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	fsys.Fault(func(op faultfs.Op) error {
		if op.Kind == faultfs.Write {
			return syscall.ENOSPC
		}
		return nil
	})
	logs := &syncBuffer{}
	u, _ := url.Parse(up.URL)
	rev, err := proxy.NewReverse(proxy.Config{Upstream: u, Store: store, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rev)
	defer srv.Close()
	for range 3 {
		if resp, _ := checkToken(t, srv.URL, realToken); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if got := strings.Count(logs.String(), "interaction not recorded"); got != 3 {
		t.Errorf("%d interactions logged as not recorded, want 3:\n%s", got, logs)
	}
	if st := rev.Stats(); st != (proxy.Stats{NotRecorded: 3}) {
		t.Errorf("stats %+v, want 3 not recorded", st)
	}
	fsys.Fault(nil)
	checkToken(t, srv.URL, realToken)
	if st := rev.Stats(); st != (proxy.Stats{Recorded: 1, NotRecorded: 3}) {
		t.Errorf("once the disk has room: stats %+v, want 1 recorded", st)
	}
	if err := rev.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestUpstreamBaseURLWithPath: --upstream https://host/api/v3, the form a
// GHES base URL takes, reaches /api/v3/applications/... whether the
// client's base URL ends in /api/v3 or not, never /api/v3/api/v3/...
func TestUpstreamBaseURLWithPath(t *testing.T) {
	var paths []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		if !strings.HasPrefix(r.URL.Path, "/api/v3/applications/") || strings.HasPrefix(r.URL.Path, "/api/v3/api/v3") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, checkBody(realToken))
	}))
	defer up.Close()
	r := newRig(t, up.URL+"/api/v3", proxy.Config{Version: "3.8"})
	for _, base := range []string{r.proxy.URL, r.proxy.URL + "/api/v3"} {
		if resp, body := checkToken(t, base, realToken); resp.StatusCode != 200 {
			t.Errorf("base %s: %d %s", base, resp.StatusCode, body)
		}
	}
	want := "/api/v3/applications/" + clientID + "/token"
	if len(paths) != 2 || paths[0] != want || paths[1] != want {
		t.Errorf("upstream saw %v, want %s twice", paths, want)
	}
	if its := r.stop(); len(its) != 2 {
		t.Errorf("%d interactions recorded, want 2", len(its))
	}
}
