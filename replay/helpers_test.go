package replay_test

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// rec is one interaction to write into a test cassette.
type rec struct {
	method, url string
	reqHeader   http.Header
	reqBody     string
	status      int
	respHeader  http.Header
	respBody    string
}

// writeCassette writes a go-vcr v3 cassette at path (ending in .yaml) the
// way go-vcr itself does.
func writeCassette(tb testing.TB, path string, recs ...rec) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	c := cassette.New(strings.TrimSuffix(path, ".yaml"))
	for _, r := range recs {
		rh := r.respHeader
		if rh == nil {
			rh = http.Header{}
		}
		c.AddInteraction(&cassette.Interaction{
			Request: cassette.Request{
				Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				ContentLength: int64(len(r.reqBody)),
				Body:          r.reqBody,
				Headers:       r.reqHeader,
				URL:           r.url,
				Method:        r.method,
			},
			Response: cassette.Response{
				Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				ContentLength: int64(len(r.respBody)),
				Body:          r.respBody,
				Headers:       rh,
				Status:        strconv.Itoa(r.status) + " " + http.StatusText(r.status),
				Code:          r.status,
			},
		})
	}
	if err := c.Save(); err != nil {
		tb.Fatal(err)
	}
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func jsonHeader(h http.Header) http.Header {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	return h
}

func writeFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}
