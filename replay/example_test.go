package replay_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/oauthcompat/oauthcompat/replay"
)

// A test points its client at a replay server loaded from committed
// cassettes: no GitHub, no network. Identical requests get the recorded
// answers in order: the token checks out, is deleted, and then is gone.
//
// The cassette is the redacted recording of these requests against the
// reference server's fixtures (TestExampleCassette re-records it). Without
// the redaction key the replay matches secrets by shape, so the client
// sends its real credentials and any gho_ token.
func Example() {
	srv, err := replay.NewServer("testdata/ghes-3.8/example.yaml", replay.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	do := func(method string) {
		body := strings.NewReader(`{"access_token": "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"}`)
		req, _ := http.NewRequest(method, srv.URL()+"/api/v3/applications/Iv1.8a61f9b3a7aba766/token", body)
		req.SetBasicAuth("Iv1.8a61f9b3a7aba766", "c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(method, resp.StatusCode, resp.Header.Get("X-GitHub-Enterprise-Version"), len(b) > 0)
	}
	do("POST")
	do("DELETE")
	do("POST")
	// Output:
	// POST 200 3.8.0 true
	// DELETE 204 3.8.0 false
	// POST 404 3.8.0 true
}
