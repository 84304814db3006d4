package proxy_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/contentcoding"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

const (
	legacyToken  = "e72e16c7e42f292c6912e7710c838347ae178b4a"
	nonHexSecret = "Zq9-secret_not~hex.value"
)

// encodeAll applies codings in order, as a server does.
func encodeAll(t testing.TB, body string, codings ...string) []byte {
	t.Helper()
	b, err := contentcoding.Encode(codings, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noSecrets fails when any secret is in a file under dir, in the logs, or
// (percent-encoded and JSON-escaped spellings too) in any field of the
// stored interactions, every body decoded.
func noSecrets(t *testing.T, r *rig, its []*cassette.Interaction, secrets ...string) {
	t.Helper()
	filepath.Walk(r.dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret of %d characters", p, len(s))
			}
		}
		return nil
	})
	for _, s := range secrets {
		if strings.Contains(r.logs.String(), s) {
			t.Errorf("the log holds a secret of %d characters:\n%s", len(s), r.logs.String())
		}
	}
	red := redact.New(testKey, redact.Options{})
	for _, it := range its {
		if enc := it.Request.Headers.Get("Content-Encoding") + it.Response.Headers.Get("Content-Encoding"); enc != "" {
			t.Errorf("a body is stored encoded (%s): it could not be redacted", enc)
		}
		for _, f := range redact.Scan(it, secrets, red.Known) {
			t.Errorf("a secret is stored in %s", f.Field)
		}
	}
}

func TestCodedBodiesStoredDecodedAndRedacted(t *testing.T) {
	body := checkBody(realToken)
	tests := []struct {
		name     string
		codings  []string
		header   string
		request  bool
		undecode bool // stored as a placeholder
	}{
		{name: "zstd response", codings: []string{"zstd"}, header: "zstd"},
		{name: "br response", codings: []string{"br"}, header: "br"},
		{name: "stacked gzip, br response", codings: []string{"gzip", "br"}, header: "gzip, br"},
		{name: "unknown coding response", header: "compress", undecode: true},
		{name: "corrupt br response", header: "br", undecode: true},
		{name: "gzip request", codings: []string{"gzip"}, header: "gzip", request: true},
		{name: "br, zstd request", codings: []string{"br", "zstd"}, header: "br, zstd", request: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := []byte(body)
			if tt.codings != nil {
				payload = encodeAll(t, body, tt.codings...)
			}
			reqBody := `{"access_token":"` + realToken + `","client_secret":"` + nonHexSecret + `"}`
			var seen []byte
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen, _ = io.ReadAll(r.Body)
				w.Header().Set("Content-Type", "application/json")
				if !tt.request {
					w.Header().Set("Content-Encoding", tt.header)
					w.Write(payload)
					return
				}
				io.WriteString(w, `{"ok":true}`)
			}))
			defer up.Close()
			rg := newRig(t, up.URL, proxy.Config{})
			var in io.Reader = strings.NewReader(reqBody)
			if tt.request {
				in = bytes.NewReader(encodeAll(t, reqBody, tt.codings...))
			}
			req, _ := http.NewRequest("POST", rg.proxy.URL+"/applications/"+clientID+"/token", in)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Encoding", "zstd, br, gzip")
			if tt.request {
				req.Header.Set("Content-Encoding", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			live, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !tt.request && !bytes.Equal(live, payload) {
				t.Error("the client did not get the bytes the server sent")
			}
			if tt.request && !bytes.Equal(seen, encodeAll(t, reqBody, tt.codings...)) {
				t.Error("the server did not get the bytes the client sent")
			}
			its := rg.stop()
			noSecrets(t, rg, its, realToken, nonHexSecret)
			it := its[0]
			stored := it.Response.Body
			if tt.request {
				stored = it.Request.Body
				if !strings.Contains(stored, `"access_token":"gho_`) {
					t.Errorf("stored request body not decoded: %q", stored)
				}
				return
			}
			if tt.undecode {
				if it.Response.Headers.Get(cassettes.UndecodedHeader) == "" || strings.Contains(stored, "gho_") {
					t.Errorf("an undecodable body is not stored as a marked placeholder: %q %v", stored, it.Response.Headers)
				}
				return
			}
			if !strings.Contains(stored, `"token":"gho_`) {
				t.Errorf("stored response body not decoded: %q", stored)
			}
		})
	}
}

// TestCutAtMaxBodyKeepsNoSecretPrefix: a body cut at --max-body is
// redacted whole first, so the part kept holds no beginning of a secret.
func TestCutAtMaxBodyKeepsNoSecretPrefix(t *testing.T) {
	const limit = 200
	pad := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name   string
		body   string // the secret straddles byte limit
		prefix string // what must not be stored
	}{
		{"token, 15 characters kept", `{"message":"` + pad(limit-12-15) + " " + realToken + `"}`, realToken[:14]},
		{"40 hex, 39 kept", `{"message":"` + pad(limit-12-39) + " " + legacyToken + `"}`, legacyToken[:30]},
	}
	for _, tt := range tests {
		for _, side := range []string{"response", "request"} {
			t.Run(tt.name+" "+side, func(t *testing.T) {
				up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "application/json")
					if side == "response" {
						io.WriteString(w, tt.body)
					}
				}))
				defer up.Close()
				rg := newRig(t, up.URL, proxy.Config{MaxBody: limit})
				var in io.Reader
				if side == "request" {
					in = strings.NewReader(tt.body)
				}
				resp, err := http.Post(rg.proxy.URL+"/authorizations", "application/json", in)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				its := rg.stop()
				noSecrets(t, rg, its, tt.prefix)
				body := its[0].Response.Body
				if side == "request" {
					body = its[0].Request.Body
				}
				if len(body) != limit {
					t.Errorf("stored %d bytes, want the cap %d", len(body), limit)
				}
			})
		}
	}
}

// TestUpstreamErrorTextRedacted: a malformed header line quoted in Go's
// error is not stored in the recorded 502 nor logged.
func TestUpstreamErrorTextRedacted(t *testing.T) {
	const cookie = "user_session=Kq3vX9mZ2bT7wR4yL8nP"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie "+cookie+"\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()
	rg := newRig(t, "http://"+ln.Addr().String(), proxy.Config{})
	resp, err := http.Get(rg.proxy.URL + "/authorizations")
	if err != nil {
		t.Fatal(err)
	}
	live, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
	its := rg.stop()
	if len(its) != 1 || its[0].Response.Headers.Get(cassettes.ErrorHeader) == "" {
		t.Fatalf("the failure is not recorded: %v", its)
	}
	noSecrets(t, rg, its, "Kq3vX9mZ2bT7wR4yL8nP")
	if strings.Contains(string(live), "Kq3vX9mZ2bT7wR4yL8nP") {
		t.Error("the 502 the client got quotes the upstream's header line")
	}
}

// TestUpstreamOfferedDecodableCodings: a client's Accept-Encoding reaches
// upstream without the codings the recording cannot decode.
func TestUpstreamOfferedDecodableCodings(t *testing.T) {
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Values("Accept-Encoding")
	}))
	defer up.Close()
	rg := newRig(t, up.URL, proxy.Config{})
	req, _ := http.NewRequest("GET", rg.proxy.URL+"/authorizations", nil)
	req.Header.Set("Accept-Encoding", "compress, br;q=0.9, exi")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rg.stop()
	if strings.Join(got, ",") != "br;q=0.9" {
		t.Errorf("upstream was offered %q, want only br;q=0.9", got)
	}
}
