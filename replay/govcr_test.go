package replay_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"

	"github.com/oauthcompat/oauthcompat/replay"
)

// TestPlainGoVCRCassette replays a cassette written by go-vcr's own
// recorder (no oauthcompat involved, nothing redacted, no version in its
// directory name).
func TestPlainGoVCRCassette(t *testing.T) {
	n := 0
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-GitHub-Request-Id", "REQ-"+string(rune('0'+n)))
		if n == 2 {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found"}`)
			return
		}
		io.WriteString(w, `{"echo":`+string(b)+`,"path":"`+r.URL.Path+`"}`)
	}))
	defer upstream.Close()

	name := filepath.Join(t.TempDir(), "fixtures", "other-tool")
	rec, err := recorder.NewWithOptions(&recorder.Options{CassetteName: name, Mode: recorder.ModeRecordOnly, SkipRequestLatency: true})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: rec}
	var want []string
	for _, body := range []string{`{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`, `{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`} {
		req, _ := http.NewRequest("POST", upstream.URL+"/applications/Iv1.x/token?x=1", strings.NewReader(body))
		req.SetBasicAuth("Iv1.x", "s3cret")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want = append(want, resp.Status+" "+resp.Header.Get("X-GitHub-Request-Id")+" "+string(b))
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}

	ix, err := replay.Load(name+".yaml", replay.Options{Exhausted: replay.ExhaustedError})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest("POST", "http://replay.invalid/api/v3/applications/Iv1.x/token?x=1", strings.NewReader(`{ "access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a" }`))
		req.SetBasicAuth("Iv1.x", "s3cret")
		resp, err := ix.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		got = append(got, resp.Status+" "+resp.Header.Get("X-GitHub-Request-Id")+" "+string(b))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replay of a plain go-vcr cassette (-recorded +replayed):\n%s", diff)
	}
}
