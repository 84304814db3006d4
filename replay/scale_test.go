package replay_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/replay"
)

// scaleInteraction is the i-th interaction of a recording where requests
// recur (every 700th is the same request again) and every answer is its
// own: a JSON body, a form body, a query, and the recorded origin in the
// answer, which replay points at the live one.
func scaleInteraction(i int) *cassette.Interaction {
	k := i % 700
	req := cassette.Request{
		Method:  "POST",
		URL:     "https://ghes.example.com/api/v3/applications/Iv1." + strconv.Itoa(k) + "/token",
		Body:    `{"access_token":"gho_` + fmt.Sprintf("%036d", k) + `"}`,
		Headers: http.Header{"Authorization": {basic("Iv1."+strconv.Itoa(k), "s3cr3t")}, "Content-Type": {"application/json"}},
	}
	switch k % 3 {
	case 1:
		req.Method, req.Body = "GET", ""
		req.URL = "https://ghes.example.com/api/v3/authorizations?page=" + strconv.Itoa(k) + "&per_page=100"
		req.Headers = http.Header{"Authorization": {"token gho_" + fmt.Sprintf("%036d", k)}}
	case 2:
		req.URL = "https://ghes.example.com/login/oauth/access_token"
		req.Body = "client_id=Iv1." + strconv.Itoa(k) + "&code=c" + strconv.Itoa(k)
		req.Headers = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	}
	return &cassette.Interaction{
		ID:      i,
		Request: req,
		Response: cassette.Response{
			Code: 200, Status: "200 OK",
			Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-N": {strconv.Itoa(i)}},
			Body:    `{"n":` + strconv.Itoa(i) + `,"url":"https://ghes.example.com/api/v3/authorizations/` + strconv.Itoa(i) + `","note":"it's a ` + strings.Repeat("long ", i%50) + `note"}`,
		},
	}
}

// writeScaleRecording writes n interactions of scaleInteraction as a
// rotated recording under dir/ghes-3.8 (three files written as
// oauthcompat writes them, then one as go-vcr's yaml.v3 writes it with
// another indentation), and returns the interactions in recorded order.
func writeScaleRecording(t *testing.T, dir string, n int) []*cassette.Interaction {
	t.Helper()
	var all []*cassette.Interaction
	per := n / 4
	for f := range 4 {
		var its []*cassette.Interaction
		for i := f * per; i < (f+1)*per; i++ {
			its = append(its, scaleInteraction(i))
		}
		all = append(all, its...)
		var data []byte
		if f < 3 {
			var err error
			if data, err = cassettes.Marshal(its); err != nil {
				t.Fatal(err)
			}
		} else {
			var b bytes.Buffer
			e := yaml.NewEncoder(&b)
			e.SetIndent(2)
			if err := e.Encode(cassette.Cassette{Version: 2, Interactions: its}); err != nil {
				t.Fatal(err)
			}
			data = b.Bytes()
		}
		writeFile(t, cassettes.RotatedPath(dir, "ghes-3.8", "session", f), data)
	}
	return all
}

// scaleServer serves a recording of n interactions (see
// writeScaleRecording) until the test ends.
func scaleServer(t *testing.T, n int) (string, *replay.Server, []*cassette.Interaction) {
	t.Helper()
	dir := t.TempDir()
	all := writeScaleRecording(t, dir, n)
	srv, err := replay.NewServer(dir, replay.Options{KeepURLs: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return dir, srv, all
}

// TestReplayAtScale replays a recording of thousands of interactions in
// four files, one in another layout, with a cache of answers far smaller
// than the recording: every request gets exactly the answer recorded for
// it, repeated requests in recorded order, over HTTP and through Lookup,
// and the answers held stay within the cache's budget.
func TestReplayAtScale(t *testing.T) {
	defer replay.SetReplyCacheBytes(64 << 10)()
	dir, srv, all := scaleServer(t, 4000)
	var err error
	if srv.Index.Len() != len(all) {
		t.Fatalf("loaded %d interactions, want %d", srv.Index.Len(), len(all))
	}
	for pass := range 2 {
		if pass == 1 {
			// A second replay of the same recording: a new index, each
			// sequence from its start.
			if srv.Index, err = replay.Load(dir, replay.Options{KeepURLs: true}); err != nil {
				t.Fatal(err)
			}
		}
		ix := srv.Index
		for i, in := range all {
			req, _ := http.NewRequest(in.Request.Method, in.Request.URL, strings.NewReader(in.Request.Body))
			req.Header = in.Request.Headers.Clone()
			var resp *http.Response
			if i%5 == 0 && pass == 0 {
				// Over HTTP, through the server's handler.
				req.URL.Scheme, req.URL.Host = "http", strings.TrimPrefix(srv.URL(), "http://")
				req.Host = req.URL.Host
				resp, err = http.DefaultClient.Do(req)
			} else {
				resp, err = ix.Lookup(req)
			}
			if err != nil {
				t.Fatalf("interaction %d: %v", i, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != in.Response.Body || resp.Header.Get("X-N") != strconv.Itoa(i) {
				t.Fatalf("interaction %d: %d %s (X-N %s), want its own answer %s", i, resp.StatusCode, b, resp.Header.Get("X-N"), in.Response.Body)
			}
		}
		if held, size := replay.HeldAnswers(ix); size > 64<<10+4<<10 || held == 0 {
			t.Errorf("after a replay of the whole recording, %d answers (%d bytes) are held; want some, within the cache's 64 KiB", held, size)
		}
		if m := ix.Misses(); len(m) > 0 {
			t.Fatalf("%d misses, the first: %v", len(m), m[0])
		}
	}
}

// TestLoadBrokenRecordingAtScale: a long cassette cut short or damaged
// anywhere fails to load with the error reading it whole gives, naming
// the file and line.
func TestLoadBrokenRecordingAtScale(t *testing.T) {
	dir := t.TempDir()
	writeScaleRecording(t, dir, 8000) // files of two chunks and more
	path := cassettes.RotatedPath(dir, "ghes-3.8", "session", 1)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(good) <= 2<<20 {
		t.Fatalf("the cassette is %d bytes: the test wants more than one chunk of 2 MiB", len(good))
	}
	damaged := func(at int, with string) []byte {
		return append(append(append([]byte(nil), good[:at]...), with...), good[at+len(with):]...)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"cut mid-file", good[:len(good)/2]},
		{"cut in the last entry", good[:len(good)-40]},
		{"a tab mid-file", damaged(len(good)*3/4, "\t")},
		{"a key unindented", damaged(bytes.Index(good[len(good)/3:], []byte("\n        method:"))+len(good)/3+1, "method:   ")},
		{"an unclosed quote", damaged(bytes.Index(good[len(good)/2:], []byte("body: '"))+len(good)/2+6, `"`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			want := cassettes.WalkFile(path, func(cassettes.Item) error { return nil })
			_, err := replay.Load(dir, replay.Options{})
			if err == nil || want == nil || err.Error() != want.Error() || !errors.Is(err, cassettes.ErrMalformed) || !strings.Contains(err.Error(), path+":") {
				t.Errorf("Load: %v\nwant the error of reading the file whole, naming %s and a line: %v", err, path, want)
			}
		})
	}
}

// TestReplayCassetteChangedAfterLoad: answers are read from the cassette
// when first asked for, so one changed after the load is not answered
// from: the request fails with an error saying so (500 over HTTP), and
// the replay goes on for answers already read.
func TestReplayCassetteChangedAfterLoad(t *testing.T) {
	dir, srv, all := scaleServer(t, 40)
	send := func(in *cassette.Interaction) (*http.Response, error) {
		req, _ := http.NewRequest(in.Request.Method, srv.URL()+strings.TrimPrefix(in.Request.URL, "https://ghes.example.com"), strings.NewReader(in.Request.Body))
		req.Header = in.Request.Headers.Clone()
		return http.DefaultClient.Do(req)
	}
	if resp, err := send(all[0]); err != nil || resp.StatusCode != 200 {
		t.Fatalf("before the change: %v %v", resp, err)
	}
	path := cassettes.RotatedPath(dir, "ghes-3.8", "session", 0)
	data, _ := os.ReadFile(path)
	writeFile(t, path, bytes.ReplaceAll(data, []byte("long"), []byte("LONG")))
	resp, err := send(all[3])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(b), "changed") || !strings.Contains(string(b), "session.yaml") {
		t.Errorf("an answer of a changed cassette: %d %s; want 500 saying the cassette changed", resp.StatusCode, b)
	}
	req, _ := http.NewRequest(all[0].Request.Method, all[0].Request.URL, strings.NewReader(all[0].Request.Body))
	req.Header = all[0].Request.Headers.Clone()
	if _, err := srv.Index.Lookup(req); err != nil {
		t.Errorf("an answer read before the change: %v", err)
	}
}
