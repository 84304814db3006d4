package replay_test

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// TestRedactorMatchesRealSecrets records two tokens' checks redacted,
// then replays with the key: each real token gets its own answer, a third
// token is a miss that names the field without printing the token, and an
// upstream error replays as the recorded 502. The answer holding the
// pseudonym of the token sent gets the real token back (re-hydrated).
func TestRedactorMatchesRealSecrets(t *testing.T) {
	r := redact.NewRandom()
	t1, t2, t3 := "gho_1111111111111111111111111111111111aa", "gho_2222222222222222222222222222222222bb", "gho_3333333333333333333333333333333333cc"
	url := "https://ghes.example.com/api/v3/applications/" + clientID + "/token"
	var its []*cassette.Interaction
	for _, c := range []struct {
		tok    string
		status int
		body   string
		h      http.Header
	}{
		{t1, 200, `{"token":"` + t1 + `"}`, jsonHeader(nil)},
		{t2, 404, `{"message":"Not Found"}`, jsonHeader(nil)},
		{t3, 502, `{"message":"upstream down"}`, http.Header{cassettes.ErrorHeader: {"dial tcp: refused"}}},
	} {
		it := &cassette.Interaction{
			Request:  cassette.Request{Method: "PATCH", URL: url, Body: `{"access_token":"` + c.tok + `"}`, Headers: jsonHeader(http.Header{"Authorization": {basic(clientID, secret)}})},
			Response: cassette.Response{Code: c.status, Body: c.body, Headers: c.h},
		}
		r.Interaction(it)
		its = append(its, it)
	}
	data, err := cassettes.Marshal(its)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ghes-3.8", "r.yaml")
	writeFile(t, path, data)

	ix, err := replay.Load(dir, replay.Options{Redactor: r, Exhausted: replay.ExhaustedError})
	if err != nil {
		t.Fatal(err)
	}
	auth := http.Header{"Authorization": {basic(clientID, secret)}}
	call := func(tok string) call {
		return call{"PATCH", "/api/v3/applications/" + clientID + "/token", auth.Clone(), `{"access_token":"` + tok + `"}`}
	}
	other := "gho_4444444444444444444444444444444444dd"
	var got []answer
	for _, tok := range []string{t2, t1, other, t3} {
		got = append(got, do(t, ix, call(tok), map[string]string{"X-Oauthcompat-Error": ""}, t1, t2, t3, other))
	}
	want := []answer{
		{Status: 404, Body: `{"message":"Not Found"}`, Header: map[string]string{"X-Oauthcompat-Error": ""}},
		{Status: 200, Body: `{"token":"` + t1 + `"}`, Header: map[string]string{"X-Oauthcompat-Error": ""}},
		{Status: 501, Miss: []string{"body/access_token"}, Header: map[string]string{"X-Oauthcompat-Error": ""}},
		{Status: 502, Body: `{"message":"upstream down"}`, Header: map[string]string{"X-Oauthcompat-Error": "dial tcp: refused"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}
