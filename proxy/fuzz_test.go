package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
)

// fuzzCodings are the content codings the record fuzz target sends
// bodies in: none, each one, and stacks.
var fuzzCodings = [][]string{nil, {"gzip"}, {"br"}, {"zstd"}, {"gzip", "br"}, {"zstd", "gzip"}}

// recordPlacement is a request carrying a secret where the redactor looks
// for one, and a response echoing it elsewhere.
type recordPlacement struct {
	method, path, ctype string
	body                func(s string) string
	echo                func(w http.ResponseWriter, s string) string // sets headers, returns the body
}

var recordPlacements = []recordPlacement{
	{ // JSON request; the response echoes the secret in a note
		"POST", "/applications/" + clientID + "/token", "application/json",
		func(s string) string {
			return `{"access_token":` + jsonQuote(s) + `,"client_secret":` + jsonQuote(s) + `}`
		},
		func(w http.ResponseWriter, s string) string {
			w.Header().Set("Content-Type", "application/json")
			return `{"note":"you sent ` + strings.Trim(jsonQuote(s), `"`) + `"}`
		},
	},
	{ // multipart request; a text response
		"POST", "/authorizations", "multipart/form-data; boundary=b0undary",
		func(s string) string {
			return "--b0undary\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n" + s + "\r\n--b0undary--\r\n"
		},
		func(w http.ResponseWriter, s string) string {
			w.Header().Set("Content-Type", "text/plain")
			return "the password was " + s + "."
		},
	},
	{ // a form as text/plain; the response redirects with it percent-encoded twice
		"POST", "/authorizations", "text/plain",
		func(s string) string { return "client_secret=" + url.QueryEscape(s) },
		func(w http.ResponseWriter, s string) string {
			w.Header().Set("Location", "/login?next=%2Fcb%3Fsecret%3D"+url.QueryEscape(url.QueryEscape(s)))
			return ""
		},
	},
	{ // JSON with a byte-order mark sent as a form; the response echoes it in a header
		"POST", "/authorizations", "application/x-www-form-urlencoded",
		func(s string) string { return "\ufeff{\"password\":" + jsonQuote(s) + "}" },
		func(w http.ResponseWriter, s string) string {
			w.Header().Set("X-Echo", "pw:"+s)
			return "{}"
		},
	},
	{ // a legacy token path with encoded slashes; the response echoes the path
		"GET", "/applications/" + clientID + "%2Ftokens%2F", "",
		func(string) string { return "" },
		func(w http.ResponseWriter, s string) string {
			w.Header().Set("Content-Type", "application/json")
			return `{"url":"/applications/` + clientID + `/tokens/` + url.PathEscape(s) + `"}`
		},
	},
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// FuzzRecordNoSecret records a secret sent in every placement and content
// coding, echoed back by the upstream, and holds that nothing written
// (cassette, journal, temporary files, log) holds the secret, in clear,
// percent-encoded or JSON-escaped, with every stored body decoded.
func FuzzRecordNoSecret(f *testing.F) {
	for p := range recordPlacements {
		for c := range fuzzCodings {
			for _, s := range []string{realToken, legacyToken, nonHexSecret, "hunter2!hunter2", "p4ss.w0rd-~x"} {
				f.Add(uint8(p), uint8(c), uint8(c+1), s)
			}
		}
	}
	f.Fuzz(func(t *testing.T, place, reqCoding, respCoding uint8, secret string) {
		// Secrets a reader can tell from the text around them: at least 8
		// characters a token, password or client secret is made of.
		if len(secret) < 8 || len(secret) > 200 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~!$()*@-") != "" {
			t.Skip()
		}
		if r := redact.New(testKey, redact.Options{}); r.Known(secret) {
			t.Skip() // a pseudonym already: nothing to hide
		}
		pl := recordPlacements[int(place)%len(recordPlacements)]
		rc, sc := fuzzCodings[int(reqCoding)%len(fuzzCodings)], fuzzCodings[int(respCoding)%len(fuzzCodings)]
		up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			body := pl.echo(w, secret)
			if sc != nil && body != "" {
				w.Header().Set("Content-Encoding", strings.Join(sc, ", "))
				w.Write(encodeAll(t, body, sc...))
				return
			}
			io.WriteString(w, body)
		}))
		defer up.Close()
		rg := newRig(t, up.URL, proxy.Config{})
		path := pl.path
		if pl.method == "GET" {
			path += url.PathEscape(secret)
		}
		var in io.Reader
		if b := pl.body(secret); b != "" {
			if rc != nil {
				in = strings.NewReader(string(encodeAll(t, b, rc...)))
			} else {
				in = strings.NewReader(b)
			}
		}
		req, _ := http.NewRequest(pl.method, rg.proxy.URL+path, in)
		if pl.ctype != "" {
			req.Header.Set("Content-Type", pl.ctype)
		}
		if rc != nil && in != nil {
			req.Header.Set("Content-Encoding", strings.Join(rc, ", "))
		}
		req.Header.Set("Accept-Encoding", "gzip, br, zstd")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		its := rg.stop()
		spellings := []string{secret, url.QueryEscape(secret), url.PathEscape(secret), url.QueryEscape(url.QueryEscape(secret))}
		noSecrets(t, rg, its, spellings...)
		filepath.Walk(rg.dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && !strings.HasSuffix(p, ".yaml") && !strings.HasPrefix(filepath.Base(p), ".") {
				t.Errorf("a file other than the cassette is left: %s", p)
			}
			return nil
		})
	})
}
