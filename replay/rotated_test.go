package replay_test

import (
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/replay"
)

// TestRotatedRecordingReplaysInOrder holds that the rotated cassettes of
// one recording (session.yaml, session-0001.yaml, ... session-0011.yaml)
// are one sequence: the same request is answered as it was recorded, file
// after file, not in the order of the names' bytes.
func TestRotatedRecordingReplaysInOrder(t *testing.T) {
	dir := t.TempDir()
	const url = "https://ghe.example/api/v3/applications/grants/1"
	hdr := http.Header{"Authorization": {basic("octocat", "pw")}}
	n := 0
	for _, k := range []int{0, 1, 2, 9, 10, 11} {
		var recs []rec
		for range 2 {
			recs = append(recs, rec{method: "GET", url: url, reqHeader: hdr, status: 200, respHeader: jsonHeader(nil), respBody: `{"n":` + strconv.Itoa(n) + `}`})
			n++
		}
		writeCassette(t, cassettes.RotatedPath(dir, "ghes-3.8", "session", k), recs...)
	}
	ix, err := replay.Load(dir, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != n {
		t.Fatalf("loaded %d interactions, want %d", ix.Len(), n)
	}
	client := &http.Client{Transport: ix}
	for k := range n {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header = hdr.Clone()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := `{"n":` + strconv.Itoa(k) + `}`; string(body) != want {
			t.Fatalf("answer %d is %s, want %s", k, body, want)
		}
	}
}
