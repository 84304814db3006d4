package replay_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/scalebench"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// TestLintBoundsFindings: a recording with secrets in clear in every
// interaction (recorded without redaction) does not make lint keep a
// finding per interaction: it lists the first of each kind in each file,
// and one finding per kind and file counts the rest, so its memory stays
// bounded whatever the recording.
func TestLintBoundsFindings(t *testing.T) {
	dir := t.TempDir()
	const n = 1100 // past the default of 1000 listed per file
	for _, name := range []string{"a", "b"} {
		its := make([]*cassette.Interaction, n)
		for i := range its {
			its[i] = scalebench.Interaction(i) // not redacted: a token in clear in each
		}
		data, err := cassettes.Marshal(its)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, cassettes.Path(dir, "ghes-3.8", name), data)
	}
	count := func() (listed map[string]map[string]int, left map[string]map[string]int, total int) {
		res, err := replay.LintAll(dir, replay.LintOptions{})
		if err != nil {
			t.Fatal(err)
		}
		listed, left = map[string]map[string]int{}, map[string]map[string]int{}
		more := regexp.MustCompile(`^(\d+) more (\S+) findings in this file are not listed`)
		for _, f := range res.Findings {
			if listed[f.File] == nil {
				listed[f.File], left[f.File] = map[string]int{}, map[string]int{}
			}
			if m := more.FindStringSubmatch(f.Message); m != nil && f.Interaction == -1 {
				k, _ := strconv.Atoi(m[1])
				left[f.File][m[2]] += k
				continue
			}
			listed[f.File][f.Kind]++
		}
		return listed, left, len(res.Findings)
	}

	restore := replay.SetMaxListed(1<<30, 1<<30)
	all, _, _ := count()
	restore()
	a, b := cassettes.Path(dir, "ghes-3.8", "a"), cassettes.Path(dir, "ghes-3.8", "b")
	if all[a][replay.FindingSecret] < n {
		t.Fatalf("unbounded, lint finds %d secrets in %s, want at least %d", all[a][replay.FindingSecret], a, n)
	}

	for _, tc := range []struct {
		perFile, total int
		wantA, wantB   int // secrets listed in each file
	}{
		{0, 0, 1000, 1000}, // the defaults: 1000 per file, 20000 in all
		{100, 150, 100, 50},
	} {
		t.Run(fmt.Sprintf("%d per file, %d in all", tc.perFile, tc.total), func(t *testing.T) {
			if tc.perFile > 0 {
				defer replay.SetMaxListed(tc.perFile, tc.total)()
			} else {
				tc.perFile = 1000
			}
			listed, left, total := count()
			if total > 2*(3*tc.perFile+10) {
				t.Errorf("%d findings listed, want at most the bounds", total)
			}
			for file, want := range map[string]int{a: tc.wantA, b: tc.wantB} {
				got := listed[file][replay.FindingSecret]
				if got != want {
					t.Errorf("%s: %d secrets listed, want %d", file, got, want)
				}
				for kind, n := range all[file] {
					if listed[file][kind]+left[file][kind] != n {
						t.Errorf("%s: %s: %d listed and %d counted, want %d in all", file, kind, listed[file][kind], left[file][kind], n)
					}
				}
			}
		})
	}
}

// TestFixedPointLeavesTheInteraction: lint's fixed-point check redacts a
// copy of each interaction's request and response structs, not of their
// maps, so the Redactor must replace a header, trailer or form map it
// changes rather than modify it. Every kind of header it rewrites is
// here, with a Content-Length it corrects.
func TestFixedPointLeavesTheInteraction(t *testing.T) {
	tok := unpublishedToken
	it := &cassette.Interaction{
		Request: cassette.Request{
			Method: "POST", URL: "https://ghes.example.com/api/v3/applications/" + clientID + "/token?access_token=" + tok,
			Headers: http.Header{"Authorization": {"token " + tok}, "Cookie": {"user_session=" + tok}, "Content-Length": {"1"},
				"X-Github-Otp": {"123456"}, tok: {"x"}, "X-Note": {"see " + tok}},
			Trailer:       http.Header{"X-Trailer": {tok}},
			Form:          url.Values{"client_secret": {unpublishedSecret}, "access_token": {tok}},
			Body:          "client_secret=" + unpublishedSecret + "&access_token=" + tok,
			ContentLength: 1,
		},
		Response: cassette.Response{
			Code: 200, Status: "200 OK " + tok,
			Headers:       http.Header{"Set-Cookie": {"user_session=" + tok + "; Path=/"}, "Content-Length": {"1"}, "Location": {"/cb?token=" + tok}},
			Trailer:       http.Header{"X-Trailer": {tok}},
			Body:          `{"token":"` + tok + `","hashed_token":"x"}`,
			ContentLength: 1,
		},
	}
	want := func() []string {
		return []string{fmt.Sprint(it.Request.Headers), fmt.Sprint(it.Request.Trailer), fmt.Sprint(it.Request.Form),
			fmt.Sprint(it.Response.Headers), fmt.Sprint(it.Response.Trailer)}
	}
	before := want()
	r := redact.New(plantKey, redact.Options{})
	req, resp := it.Request, it.Response
	r.Request(&req)
	r.Response(&resp)
	if req.Body == it.Request.Body || fmt.Sprint(req.Headers) == before[0] {
		t.Fatal("nothing was redacted: the test plants nothing")
	}
	if after := want(); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("redacting a copy of the structs changed the interaction's maps:\nbefore %q\nafter  %q", before, after)
	}
}
