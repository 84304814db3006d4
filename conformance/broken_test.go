package conformance_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// rewriter lets a broken server change a response of the reference server.
type recorder struct {
	code int
	hdr  http.Header
	body bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.hdr }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// breaker corrupts one kind of exchange of the reference server.
type breaker func(w http.ResponseWriter, r *http.Request, next http.Handler) bool

// broken serves the reference server of v, except where brk takes over.
func broken(t *testing.T, v *schemas.Version, brk breaker) *httptest.Server {
	t.Helper()
	ref, err := reference.New(v, reference.DefaultFixtures())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !brk(w, r, ref) {
			ref.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

// capture runs next on r and returns what it answered.
func capture(next http.Handler, r *http.Request) *recorder {
	rec := &recorder{code: 200, hdr: http.Header{}}
	next.ServeHTTP(rec, r)
	return rec
}

func send(w http.ResponseWriter, rec *recorder, body []byte) {
	for k, v := range rec.hdr {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.code)
	w.Write(body)
}

// editJSON rewrites a JSON object body.
func editJSON(t *testing.T, b []byte, edit func(m map[string]any)) []byte {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Errorf("broken server: %v", err)
		return b
	}
	edit(m)
	out, _ := json.Marshal(m)
	return out
}

func isPath(r *http.Request, method, suffix string) bool {
	return r.Method == method && strings.HasSuffix(schemas.StripPrefix(r.URL.Path), suffix) && strings.HasPrefix(schemas.StripPrefix(r.URL.Path), "/applications/")
}

type finding struct{ Rule, Operation string }

// TestBrokenServers runs the suite against reference servers corrupted in
// one way each and checks that the run fails with exactly the findings
// that corruption calls for.
func TestBrokenServers(t *testing.T) {
	tests := []struct {
		name    string
		version string
		brk     func(t *testing.T) breaker
		want    []finding
	}{
		{
			name: "wrong type for id", version: "ghes-3.8",
			brk: func(t *testing.T) breaker {
				return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					if !isPath(r, "POST", "/token") {
						return false
					}
					rec := capture(next, r)
					b := rec.body.Bytes()
					if rec.code == 200 {
						b = editJSON(t, b, func(m map[string]any) { m["id"] = "1" })
					}
					send(w, rec, b)
					return true
				}
			},
			want: []finding{{conformance.RuleSchemaInvalid, "apps/check-token"}},
		},
		{
			name: "missing token", version: "ghes-3.8",
			brk: func(t *testing.T) breaker {
				return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					if !isPath(r, "PATCH", "/token") {
						return false
					}
					rec := capture(next, r)
					b := rec.body.Bytes()
					if rec.code == 200 {
						b = editJSON(t, b, func(m map[string]any) { delete(m, "token") })
					}
					send(w, rec, b)
					return true
				}
			},
			want: []finding{{conformance.RuleSchemaInvalid, "apps/reset-token"}, {conformance.RuleResetTokenUnchanged, "apps/reset-token"}},
		},
		{
			name: "undocumented status", version: "ghes-3.8",
			brk: func(t *testing.T) breaker {
				return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					if !isPath(r, "DELETE", "/token") {
						return false
					}
					rec := capture(next, r)
					if rec.code == 422 {
						rec.code = 400
					}
					send(w, rec, rec.body.Bytes())
					return true
				}
			},
			want: []finding{{conformance.RuleStatusUndocumented, "apps/delete-token"}},
		},
		{
			name: "text/html content type", version: "ghes-3.8",
			brk: func(t *testing.T) breaker {
				return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					if r.Method != "GET" || schemas.StripPrefix(r.URL.Path) != "/authorizations" {
						return false
					}
					rec := capture(next, r)
					if rec.code == 200 {
						rec.hdr.Set("Content-Type", "text/html; charset=utf-8")
					}
					send(w, rec, rec.body.Bytes())
					return true
				}
			},
			want: []finding{{conformance.RuleContentType, "oauth-authorizations/list-authorizations"}},
		},
		{
			name: "legacy endpoint still answering", version: "ghes-3.8",
			brk: func(t *testing.T) breaker {
				return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					segs := strings.Split(strings.Trim(schemas.StripPrefix(r.URL.Path), "/"), "/")
					if r.Method != "GET" || len(segs) != 4 || segs[0] != "applications" || segs[2] != "tokens" {
						return false
					}
					body, _ := json.Marshal(map[string]string{"access_token": segs[3]})
					in := r.Clone(r.Context())
					in.Method = "POST"
					in.URL.Path = "/applications/" + segs[1] + "/token"
					in.Body = io.NopCloser(bytes.NewReader(body))
					in.ContentLength = int64(len(body))
					next.ServeHTTP(w, in)
					return true
				}
			},
			want: []finding{{conformance.RuleUndocumentedLive, "apps/check-authorization"}},
		},
		{
			name: "reset keeps the old token valid", version: "ghes-3.8",
			brk: func(t *testing.T) breaker {
				var mu sync.Mutex
				alias := map[string]string{} // old token -> its successor
				return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					if !isPath(r, "PATCH", "/token") && !isPath(r, "POST", "/token") {
						return false
					}
					b, _ := io.ReadAll(r.Body)
					var in struct {
						AccessToken string `json:"access_token"`
					}
					json.Unmarshal(b, &in)
					mu.Lock()
					if r.Method == "POST" {
						if nt, ok := alias[in.AccessToken]; ok {
							b, _ = json.Marshal(map[string]string{"access_token": nt})
						}
					}
					mu.Unlock()
					in2 := r.Clone(r.Context())
					in2.Body = io.NopCloser(bytes.NewReader(b))
					in2.ContentLength = int64(len(b))
					rec := capture(next, in2)
					if r.Method == "PATCH" && rec.code == 200 {
						var out struct {
							Token string `json:"token"`
						}
						json.Unmarshal(rec.body.Bytes(), &out)
						mu.Lock()
						alias[in.AccessToken] = out.Token
						mu.Unlock()
					}
					send(w, rec, rec.body.Bytes())
					return true
				}
			},
			want: []finding{{conformance.RuleResetOldTokenValid, "apps/reset-token"}},
		},
		{
			name: "legacy endpoints removed on a version that documents them", version: "ghes-3.3",
			brk: func(t *testing.T) breaker {
				return func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
					segs := strings.Split(strings.Trim(schemas.StripPrefix(r.URL.Path), "/"), "/")
					if len(segs) != 4 || segs[0] != "applications" || segs[2] != "tokens" && segs[2] != "grants" || segs[1] == "grants" {
						return false
					}
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
					w.WriteHeader(404)
					io.WriteString(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
					return true
				}
			},
			want: []finding{
				{conformance.RuleEndpointRemoved, "apps/check-authorization"},
				{conformance.RuleEndpointRemoved, "apps/reset-authorization"},
				{conformance.RuleEndpointRemoved, "apps/revoke-authorization-for-application"},
				{conformance.RuleEndpointRemoved, "apps/revoke-grant-for-application"},
				{conformance.RuleStatusMismatch, "apps/check-authorization"},
				{conformance.RuleStatusUndocumented, "apps/reset-authorization"},
				{conformance.RuleStatusUndocumented, "apps/revoke-authorization-for-application"},
				{conformance.RuleStatusUndocumented, "apps/revoke-grant-for-application"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := version(t, tc.version)
			ts := broken(t, v, tc.brk(t))
			rep := runLive(t, v, ts.URL, nil, fixtureCreds(reference.DefaultFixtures()))
			if !rep.Failed() {
				t.Errorf("the run passed; want findings %v", tc.want)
			}
			seen := map[finding]bool{}
			var got []finding
			for _, f := range rep.Findings() {
				k := finding{f.Rule, f.Operation}
				if f.Severity == conformance.SeverityError && !seen[k] {
					seen[k] = true
					got = append(got, k)
				}
				if f.Severity == conformance.SeverityError && f.Evidence == nil {
					t.Errorf("finding %s on %s has no evidence", f.Rule, f.Operation)
				}
			}
			less := func(a, b finding) bool { return a.Rule+a.Operation < b.Rule+b.Operation }
			sort.Slice(got, func(i, j int) bool { return less(got[i], got[j]) })
			if diff := cmp.Diff(tc.want, got, cmpopts.SortSlices(less)); diff != "" {
				t.Errorf("findings (-want +got):\n%s%s", diff, describe(rep))
			}
		})
	}
}

// TestRejectedTokenIsNotRemoved gives the suite a token the server does not
// know: the 404 of the legacy check is classified as a rejected token, not
// a removed endpoint, because the body endpoint rejects it too.
func TestRejectedTokenIsNotRemoved(t *testing.T) {
	v := version(t, "ghes-3.3")
	f := reference.DefaultFixtures()
	ts := reference.NewTestServer(t, v.Name, f)
	creds := fixtureCreds(f)
	creds.Username, creds.Password = "", "" // no minting: only the bad token
	creds.Tokens = []string{"gho_" + strings.Repeat("Z", 36)}
	rep := runLive(t, v, ts.URL, nil, creds)
	got := map[string][]string{}
	for _, c := range rep.Cases {
		if c.Operation == "apps/check-authorization" && c.Status == 200 || c.Operation == "apps/check-token" && c.Status == 200 {
			for _, f := range c.Findings {
				got[c.Operation] = append(got[c.Operation], f.Rule)
			}
		}
	}
	want := map[string][]string{
		"apps/check-authorization": {conformance.RuleStatusMismatch, conformance.RuleTokenRejected},
		"apps/check-token":         {conformance.RuleStatusMismatch, conformance.RuleTokenRejected},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s%s", diff, describe(rep))
	}
}
