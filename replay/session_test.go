package replay_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// session drives every operation a version documents against base through
// client, reading new tokens and ids from the answers, so the same script
// runs against the reference server (recording) and against a replay. It
// returns the answers in order and the operations it exercised.
type session struct {
	t      *testing.T
	v      *schemas.Version
	client *http.Client
	base   string // ends in /api/v3
	fx     reference.Fixtures
	done   map[string]bool
	got    []reply
}

// reply is one answer as the client saw it.
type reply struct {
	Status int
	Header http.Header
	Body   string
}

// has reports whether the version documents the operation "METHOD
// /template" (operation ids differ between versions; keys do not).
func (s *session) has(key string) bool {
	for _, op := range s.v.Operations {
		if op.Key() == key {
			return true
		}
	}
	return false
}

// call sends one request when the version documents op (a key), and returns the
// answer's decoded JSON object (nil for none).
func (s *session) call(op, method, path string, auth [2]string, body any, header http.Header) (map[string]any, http.Header) {
	s.t.Helper()
	if !s.has(op) {
		return nil, nil
	}
	s.done[op] = true
	var rb io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rb = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rb)
	if err != nil {
		s.t.Fatal(err)
	}
	req.SetBasicAuth(auth[0], auth[1])
	req.Header.Set("Accept", "application/vnd.github+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode == http.StatusNotImplemented {
		s.t.Errorf("%s %s: replay miss:\n%s", method, path, b)
	}
	s.got = append(s.got, reply{resp.StatusCode, resp.Header, string(b)})
	var m map[string]any
	json.Unmarshal(b, &m)
	return m, resp.Header
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func id(m map[string]any) string {
	f, _ := m["id"].(float64)
	return strconv.Itoa(int(f))
}

func (s *session) run() {
	app := s.fx.Apps[0]
	appAuth := [2]string{app.ClientID, app.ClientSecret}
	var user reference.User
	for _, u := range s.fx.Users {
		if u.Login == "octocat" {
			user = u
		}
	}
	userAuth := [2]string{user.Login, user.Password}
	var toks []string
	for _, tk := range s.fx.Tokens {
		if tk.ClientID == app.ClientID {
			toks = append(toks, tk.Value)
		}
	}
	if len(toks) < 6 {
		s.t.Fatalf("fixtures hold %d tokens of %s, want 6", len(toks), app.ClientID)
	}
	token := "/applications/" + app.ClientID + "/token"
	body := func(tok string) map[string]string { return map[string]string{"access_token": tok} }

	// check -> reset -> check (old token gone) -> check (new token).
	s.call("POST /applications/{client_id}/token", "POST", token, appAuth, body(toks[0]), nil)
	m, _ := s.call("PATCH /applications/{client_id}/token", "PATCH", token, appAuth, body(toks[0]), nil)
	s.call("POST /applications/{client_id}/token", "POST", token, appAuth, body(toks[0]), nil)
	if nt := str(m, "token"); nt != "" {
		s.call("POST /applications/{client_id}/token", "POST", token, appAuth, body(nt), nil)
		s.call("POST /applications/{client_id}/token/scoped", "POST", token+"/scoped", appAuth, map[string]any{"access_token": nt, "target": "octocat", "permissions": map[string]string{"metadata": "read"}}, nil)
	}
	// delete -> check.
	s.call("DELETE /applications/{client_id}/token", "DELETE", token, appAuth, body(toks[1]), nil)
	s.call("POST /applications/{client_id}/token", "POST", token, appAuth, body(toks[1]), nil)

	// The legacy endpoints, token in the path.
	legacy := "/applications/" + app.ClientID + "/tokens/"
	s.call("GET /applications/{client_id}/tokens/{access_token}", "GET", legacy+toks[3], appAuth, nil, nil)
	m, _ = s.call("POST /applications/{client_id}/tokens/{access_token}", "POST", legacy+toks[3], appAuth, nil, nil)
	s.call("GET /applications/{client_id}/tokens/{access_token}", "GET", legacy+toks[3], appAuth, nil, nil)
	if nt := str(m, "token"); nt != "" {
		s.call("DELETE /applications/{client_id}/tokens/{access_token}", "DELETE", legacy+nt, appAuth, nil, nil)
		s.call("GET /applications/{client_id}/tokens/{access_token}", "GET", legacy+nt, appAuth, nil, nil)
	}
	s.call("DELETE /applications/{client_id}/grants/{access_token}", "DELETE", "/applications/"+app.ClientID+"/grants/"+toks[4], appAuth, nil, nil)

	s.call("DELETE /applications/{client_id}/grant", "DELETE", "/applications/"+app.ClientID+"/grant", appAuth, body(toks[5]), nil)

	// The OAuth Authorizations API, with a conditional repeat.
	_, h := s.call("GET /authorizations", "GET", "/authorizations?per_page=2&page=1", userAuth, nil, nil)
	if et := h.Get("ETag"); et != "" {
		s.call("GET /authorizations", "GET", "/authorizations?page=1&per_page=2", userAuth, nil, http.Header{"If-None-Match": {et}})
	}
	m, _ = s.call("POST /authorizations", "POST", "/authorizations", userAuth, map[string]any{"scopes": []string{"repo"}, "note": "replay test"}, nil)
	if m != nil {
		a := "/authorizations/" + id(m)
		s.call("GET /authorizations/{authorization_id}", "GET", a, userAuth, nil, nil)
		s.call("PATCH /authorizations/{authorization_id}", "PATCH", a, userAuth, map[string]any{"add_scopes": []string{"gist"}}, nil)
		s.call("DELETE /authorizations/{authorization_id}", "DELETE", a, userAuth, nil, nil)
		s.call("GET /authorizations/{authorization_id}", "GET", a, userAuth, nil, nil)
	}
	s.call("PUT /authorizations/clients/{client_id}", "PUT", "/authorizations/clients/"+app.ClientID, userAuth,
		map[string]any{"client_secret": app.ClientSecret, "scopes": []string{"repo"}, "note": "get or create"}, nil)
	s.call("PUT /authorizations/clients/{client_id}/{fingerprint}", "PUT", "/authorizations/clients/"+app.ClientID+"/laptop-2024", userAuth,
		map[string]any{"client_secret": app.ClientSecret, "scopes": []string{"user"}}, nil)
	var grants []map[string]any
	if s.has("GET /applications/grants") {
		s.call("GET /applications/grants", "GET", "/applications/grants", userAuth, nil, nil)
		json.Unmarshal([]byte(s.got[len(s.got)-1].Body), &grants)
	}
	if len(grants) > 0 {
		g := "/applications/grants/" + id(grants[0])
		s.call("GET /applications/grants/{grant_id}", "GET", g, userAuth, nil, nil)
		s.call("DELETE /applications/grants/{grant_id}", "DELETE", g, userAuth, nil, nil)
		s.call("GET /applications/grants/{grant_id}", "GET", g, userAuth, nil, nil)
	}
	for _, op := range s.v.Operations {
		if !s.done[op.Key()] {
			s.t.Errorf("%s: the session does not exercise %s (%s)", s.v.Name, op.Key(), op.ID)
		}
	}
}

// recordSession runs the session against the reference server of version
// through a proxy.Recorder into a Store under dir.
func recordSession(t *testing.T, version, dir string, r *redact.Redactor) *schemas.Version {
	t.Helper()
	v, err := schemas.Default().Version(version)
	if err != nil {
		t.Fatal(err)
	}
	ref := reference.NewTestServer(t, version, reference.DefaultFixtures())
	store, err := cassettes.OpenStore(dir, "session", r)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := proxy.NewRecorder(proxy.Config{Store: store, Version: v.Name})
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, v: v, client: &http.Client{Transport: rec}, base: ref.URL + "/api/v3", fx: reference.DefaultFixtures(), done: map[string]bool{}}
	s.run()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSessionReplaysByteIdentical records a whole session per version, then
// replays it through a replay server, with the redaction key and without,
// and checks every answer is the recorded one, in order: byte for byte with
// KeepURLs, and with the recording server's origin replaced by the replay
// server's otherwise.
func TestSessionReplaysByteIdentical(t *testing.T) {
	for _, version := range []string{"ghes-3.2", "ghes-2.18", "ghes-3.19", "api.github.com"} {
		t.Run(version, func(t *testing.T) {
			dir := t.TempDir()
			key := bytes.Repeat([]byte{7}, 32)
			v := recordSession(t, version, dir, redact.New(key, redact.Options{}))
			c, err := cassettes.Load(cassettes.Path(dir, v.Name, "session"))
			if err != nil {
				t.Fatal(err)
			}
			for _, mode := range []struct {
				name string
				r    *redact.Redactor
				keep bool
			}{{"with key", redact.New(key, redact.Options{}), false}, {"by shape", nil, false}, {"by shape, keep URLs", nil, true}} {
				t.Run(mode.name, func(t *testing.T) {
					srv, err := replay.NewServer(dir, replay.Options{Redactor: mode.r, Exhausted: replay.ExhaustedError, KeepURLs: mode.keep})
					if err != nil {
						t.Fatal(err)
					}
					defer srv.Close()
					want := recorded(c.Interactions)
					if !mode.keep {
						want = rebased(want, origin(t, c.Interactions[0].Request.URL), srv.URL())
					}
					if mode.r != nil {
						want = rehydrated(want, mode.r, reference.DefaultFixtures())
					}
					s := &session{t: t, v: v, client: &http.Client{}, base: srv.URL() + "/api/v3", fx: reference.DefaultFixtures(), done: map[string]bool{}}
					s.run()
					if diff := cmp.Diff(want, normalize(s.got)); diff != "" {
						t.Errorf("replayed answers (-recorded +replayed):\n%s", diff)
					}
					if m := srv.Index.Misses(); len(m) > 0 {
						t.Errorf("%d misses, first: %s", len(m), m[0].Message)
					}
				})
			}
		})
	}
}

// recorded is what a faithful replay sends for each interaction: status,
// headers but the connection's own, body bytes.
func recorded(its []*cassette.Interaction) []reply {
	var out []reply
	for _, it := range its {
		h := http.Header{}
		for k, vs := range it.Response.Headers {
			switch http.CanonicalHeaderKey(k) {
			case "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding":
				continue
			}
			h[http.CanonicalHeaderKey(k)] = vs
		}
		out = append(out, reply{it.Response.Code, h, it.Response.Body})
	}
	return out
}

// rebased is rs with the origin from replaced by to, in bodies and in the
// headers holding URLs, as a replay rewrites them.
func rebased(rs []reply, from, to string) []reply {
	out := make([]reply, len(rs))
	for i, r := range rs {
		h := r.Header.Clone()
		for _, k := range []string{"Location", "Content-Location", "Link"} {
			for j, v := range h[k] {
				h[k][j] = strings.ReplaceAll(v, from, to)
			}
		}
		out[i] = reply{r.Status, h, strings.ReplaceAll(r.Body, from, to)}
	}
	return out
}

// rehydrated is rs as a replay with the key answers a client sending the
// fixtures' tokens: their pseudonyms, hashes and last eight characters
// replaced by the real ones. (Tokens the server minted reach the client as
// pseudonyms, so it never sends them in clear.)
func rehydrated(rs []reply, r *redact.Redactor, fx reference.Fixtures) []reply {
	var pairs []string
	hash := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	for _, tok := range fx.Tokens {
		p := r.Token(tok.Value)
		pairs = append(pairs, p, tok.Value, hash(p), hash(tok.Value), `"`+p[len(p)-8:]+`"`, `"`+tok.Value[len(tok.Value)-8:]+`"`)
	}
	rep := strings.NewReplacer(pairs...)
	out := make([]reply, len(rs))
	for i, x := range rs {
		out[i] = reply{x.Status, x.Header, rep.Replace(x.Body)}
	}
	return out
}

// origin is the scheme://host of a URL.
func origin(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scheme + "://" + u.Host
}

// normalize drops what the HTTP layer adds or owns, after checking
// Content-Length is the body's.
func normalize(rs []reply) []reply {
	out := make([]reply, len(rs))
	for i, r := range rs {
		h := r.Header.Clone()
		if cl := h.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(r.Body)) {
			h.Set("X-Bad-Content-Length", cl)
		}
		h.Del("Content-Length")
		out[i] = reply{r.Status, h, r.Body}
	}
	return out
}

// TestSessionThroughRoundTripper replays a session with the
// http.RoundTripper form, the way the conformance suite does.
func TestSessionThroughRoundTripper(t *testing.T) {
	dir := t.TempDir()
	v := recordSession(t, "ghes-3.8", dir, redact.NewRandom())
	ix, err := replay.Load(filepath.Join(dir, v.Name), replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := cassettes.Load(cassettes.Path(dir, v.Name, "session"))
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, v: v, client: &http.Client{Transport: ix}, base: "http://ghes.invalid/api/v3", fx: reference.DefaultFixtures(), done: map[string]bool{}}
	s.run()
	want := rebased(recorded(c.Interactions), origin(t, c.Interactions[0].Request.URL), "http://ghes.invalid")
	if diff := cmp.Diff(want, normalize(s.got)); diff != "" {
		t.Errorf("replayed answers (-recorded +replayed):\n%s", diff)
	}
}
