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
func Example() {
	srv, err := replay.NewServer("testdata/ghes-3.8/example.yaml", replay.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	do := func(method string) {
		body := strings.NewReader(`{"access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a"}`)
		req, _ := http.NewRequest(method, srv.URL()+"/api/v3/applications/Iv1.0123456789abcdef/token", body)
		req.SetBasicAuth("Iv1.0123456789abcdef", "0000000000000000000000000000000000000000")
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
