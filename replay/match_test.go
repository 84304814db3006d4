package replay_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oauthcompat/oauthcompat/replay"
)

const (
	clientID = "Iv1.8a61f9b3a7aba766"
	secret   = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c" // pseudonym as recorded
	tokenA   = "gho_16C7e42F292c6912E7710c838347Ae178B4a" // pseudonym as recorded
	tokenB   = "gho_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII"
	login    = "octocat"
)

// sessionCassette writes a ghes-3.8 session: check, delete, check (the same
// request three times), a paged list with an ETag and its conditional
// repeat, a legacy path-token check, and a response with connection
// headers that must not be replayed.
func sessionCassette(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	base := "https://ghes.example.com/api/v3"
	app := http.Header{"Authorization": {basic(clientID, secret)}}
	user := http.Header{"Authorization": {basic(login, "pseudopassword")}}
	tokenBody := `{"access_token":"` + tokenA + `"}`
	writeCassette(t, filepath.Join(dir, "ghes-3.8", "session.yaml"),
		rec{"POST", base + "/applications/" + clientID + "/token", jsonHeader(app.Clone()), tokenBody, 200, jsonHeader(nil), `{"token":"` + tokenA + `","n":1}`},
		rec{"DELETE", base + "/applications/" + clientID + "/token", jsonHeader(app.Clone()), tokenBody, 204, nil, ""},
		rec{"POST", base + "/applications/" + clientID + "/token", jsonHeader(app.Clone()), tokenBody, 404, jsonHeader(nil), `{"message":"Not Found"}`},
		rec{"GET", base + "/authorizations?page=2&per_page=10", user.Clone(), "", 200,
			http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Etag": {`"abc"`}, "Link": {`<` + base + `/authorizations?page=3>; rel="next"`}, "X-Github-Request-Id": {"A:B:C"}}, `[]`},
		rec{"GET", base + "/authorizations?page=2&per_page=10", http.Header{"Authorization": user["Authorization"], "If-None-Match": {`"abc"`}}, "", 304,
			http.Header{"Etag": {`"abc"`}}, ""},
		rec{"GET", base + "/applications/" + clientID + "/tokens/" + tokenA, app.Clone(), "", 200, jsonHeader(nil), `{"legacy":true}`},
		rec{"GET", base + "/applications/grants", user.Clone(), "", 200,
			http.Header{"Content-Type": {"application/json"}, "Connection": {"keep-alive, X-Hop"}, "X-Hop": {"1"}, "Keep-Alive": {"timeout=5"},
				"Transfer-Encoding": {"chunked"}, "Content-Length": {"999"}, "Content-Encoding": {"gzip"}}, `[{"id":1}]`},
	)
	return dir
}

type call struct {
	method, path string
	header       http.Header
	body         string
}

type answer struct {
	Status int
	Body   string
	Header map[string]string // selected headers; "" means absent
	Miss   []string          // the differing fields of a miss
}

func checkToken(body string) call {
	return call{"POST", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {basic(clientID, "realsecret")}}, body}
}

func TestMatch(t *testing.T) {
	realToken := "gho_RealRealRealRealRealRealRealRealReal"
	tokenBody := `{"access_token":"` + realToken + `"}`
	list := func(query string, h http.Header) call {
		if h == nil {
			h = http.Header{}
		}
		h.Set("Authorization", basic(login, "hunter2"))
		return call{"GET", "/api/v3/authorizations" + query, h, ""}
	}
	tests := []struct {
		name      string
		exhausted replay.Exhausted
		calls     []call
		want      []answer
	}{
		{
			name:  "identical requests replay in recorded order then repeat the last",
			calls: []call{checkToken(tokenBody), {"DELETE", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {basic(clientID, "s")}}, tokenBody}, checkToken(tokenBody), checkToken(tokenBody)},
			want:  []answer{{Status: 200, Body: `{"token":"` + tokenA + `","n":1}`}, {Status: 204}, {Status: 404, Body: `{"message":"Not Found"}`}, {Status: 404, Body: `{"message":"Not Found"}`}},
		},
		{
			name:      "exhausted sequence is a miss with ExhaustedError",
			exhausted: replay.ExhaustedError,
			calls:     []call{checkToken(tokenBody), checkToken(tokenBody), checkToken(tokenBody)},
			want:      []answer{{Status: 200, Body: `{"token":"` + tokenA + `","n":1}`}, {Status: 404, Body: `{"message":"Not Found"}`}, {Status: 501, Miss: []string{"sequence"}}},
		},
		{
			name:  "JSON body compared semantically, path without /api/v3",
			calls: []call{{"POST", "/applications/" + clientID + "/token", http.Header{"Authorization": {basic(clientID, "x")}}, "{\n  \"access_token\" :  \"" + realToken + "\"\n}"}},
			want:  []answer{{Status: 200, Body: `{"token":"` + tokenA + `","n":1}`}},
		},
		{
			name:  "query order does not matter; ETag, Link and GitHub headers replayed",
			calls: []call{list("?per_page=10&page=2", nil)},
			want:  []answer{{Status: 200, Body: `[]`, Header: map[string]string{"Etag": `"abc"`, "Link": `<http://replay.test/api/v3/authorizations?page=3>; rel="next"`, "X-Github-Request-Id": "A:B:C", "Content-Length": "2"}}},
		},
		{
			name:  "matching If-None-Match gets the recorded 304",
			calls: []call{list("?page=2&per_page=10", http.Header{"If-None-Match": {`"abc"`}})},
			want:  []answer{{Status: 304, Header: map[string]string{"Etag": `"abc"`}}},
		},
		{
			name:  "unrecorded If-None-Match gets the unconditional answer",
			calls: []call{list("?page=2&per_page=10", http.Header{"If-None-Match": {`"old"`}})},
			want:  []answer{{Status: 200, Body: `[]`}},
		},
		{
			name:  "legacy token in the path matched by shape",
			calls: []call{{"GET", "/api/v3/applications/" + clientID + "/tokens/" + realToken, http.Header{"Authorization": {basic(clientID, "x")}}, ""}},
			want:  []answer{{Status: 200, Body: `{"legacy":true}`}},
		},
		{
			name:  "hop-by-hop headers and stale lengths are not replayed",
			calls: []call{{"GET", "/applications/grants", http.Header{"Authorization": {basic(login, "x")}}, ""}},
			want: []answer{{Status: 200, Body: `[{"id":1}]`, Header: map[string]string{
				"Connection": "", "X-Hop": "", "Keep-Alive": "", "Transfer-Encoding": "", "Content-Encoding": "", "Content-Length": "10", "Content-Type": "application/json"}}},
		},
		{
			name:  "wrong body field",
			calls: []call{checkToken(`{"token":"` + realToken + `"}`)},
			want:  []answer{{Status: 501, Miss: []string{"body/access_token", "body/token"}}},
		},
		{
			name:  "extra body field",
			calls: []call{checkToken(`{"access_token":"` + realToken + `","scope":"repo"}`)},
			want:  []answer{{Status: 501, Miss: []string{"body/scope"}}},
		},
		{
			name:  "wrong path",
			calls: []call{{"POST", "/api/v3/applications/" + clientID + "/tokens", http.Header{"Authorization": {basic(clientID, "x")}}, tokenBody}},
			want:  []answer{{Status: 501, Miss: []string{"path"}}},
		},
		{
			name:  "wrong method",
			calls: []call{{"PUT", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {basic(clientID, "x")}}, tokenBody}},
			want:  []answer{{Status: 501, Miss: []string{"method"}}},
		},
		{
			name:  "other client's credentials",
			calls: []call{{"POST", "/api/v3/applications/" + clientID + "/token", http.Header{"Authorization": {basic("Iv1.other", "x")}}, tokenBody}},
			want:  []answer{{Status: 501, Miss: []string{"header.Authorization"}}},
		},
		{
			name:  "missing query parameter",
			calls: []call{list("?page=2", nil)},
			want:  []answer{{Status: 501, Miss: []string{"query.per_page"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := replay.Load(sessionCassette(t), replay.Options{Exhausted: tc.exhausted})
			if err != nil {
				t.Fatal(err)
			}
			var got []answer
			for _, c := range tc.calls {
				got = append(got, do(t, ix, c, tc.want[len(got)].Header, realToken, "realsecret", "hunter2"))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
		})
	}
}

// do sends c through ix's RoundTrip and reduces the answer; header names
// the headers to report. A miss must name no secret.
func do(t *testing.T, rt http.RoundTripper, c call, header map[string]string, secrets ...string) answer {
	t.Helper()
	req, err := http.NewRequest(c.method, "http://replay.test"+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if c.body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{Status: resp.StatusCode}
	if resp.StatusCode != http.StatusNotImplemented {
		a.Body = string(b)
	} else {
		if resp.Header.Get(replay.MissHeader) != "miss" {
			t.Errorf("miss answer without %s: miss", replay.MissHeader)
		}
		for _, s := range append(secrets, c.header.Get("Authorization")) {
			if s != "" && strings.Contains(string(b), s) {
				t.Errorf("miss answer holds the secret %q:\n%s", s, b)
			}
		}
		var m replay.MissError
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("miss body: %v\n%s", err, b)
		}
		if m.Closest == nil || m.Message == "" {
			t.Errorf("miss without closest match or message:\n%s", b)
		}
		for _, d := range m.Differences {
			a.Miss = append(a.Miss, d.Field)
		}
		t.Logf("miss: %s", b)
	}
	if header != nil {
		a.Header = map[string]string{}
		for k := range header {
			a.Header[k] = resp.Header.Get(k)
		}
	}
	return a
}

func TestLookupMissIsErrNoMatch(t *testing.T) {
	ix, err := replay.Load(sessionCassette(t), replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://replay.test/nowhere", nil)
	_, err = ix.Lookup(req)
	if !errors.Is(err, replay.ErrNoMatch) {
		t.Fatalf("Lookup miss: got %v, want ErrNoMatch", err)
	}
	var m *replay.MissError
	if !errors.As(err, &m) || m.Closest == nil {
		t.Fatalf("Lookup miss: got %#v, want a *MissError with a closest match", err)
	}
	if got := len(ix.Misses()); got != 1 {
		t.Errorf("Misses() holds %d, want 1", got)
	}
	if ix.Len() != 7 {
		t.Errorf("Len() = %d, want 7", ix.Len())
	}
}
