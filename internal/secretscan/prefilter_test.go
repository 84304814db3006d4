package secretscan

import (
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
)

// findEveryView is Find as it was before its prefilter: both patterns
// searched in every view of any text mayHoldPathOrCredential lets
// through. Find must find the same, in the same order.
func findEveryView(s string) []string {
	if len(s) < 8 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, sp := range redact.FindTokens(s) {
		add(decoded(s[sp.Start:sp.End]))
	}
	if !mayHoldPathOrCredential(s) {
		return out
	}
	view := s
	for range 4 {
		for _, m := range legacySegment.FindAllStringSubmatch(view, -1) {
			if !placeholder(m[1]) {
				add(m[1])
			}
		}
		for _, m := range schemeCredential.FindAllStringSubmatchIndex(view, -1) {
			if c := view[m[2]:m[3]]; credentialLike(c) && !strings.HasPrefix(view[m[3]:], ":") {
				add(c)
			}
		}
		next := percentDecode(view)
		if next == view {
			break
		}
		view = next
	}
	return out
}

var prefilterSeeds = []string{
	"GET /applications/Iv1.x/tokens/hunter2hunter2?x",
	"GET /APPLICATIONS/Iv1.x/TOKENS/hunter2hunter2 token ",
	"DELETE /Applications/Iv1.x/Grants/hunter2hunter2",
	"/applicationſ/1/tokens/hunter2hunter2 token x",
	"/%61pplications/1/tokens/hunter2",
	"/applications/1%2Fgrants%2Fhunter2",
	`{"h":"Basic dXNlcjpwYXNzd29yZA=="}`,
	`"Authorization":"token s3cr3tvalue"`,
	"TOKEN\ts3cr3tvalue", "BeArEr\fAbCdEfGhIj", "bearer\vAbCdEfGhIj", "baſic dXNlcjpwYXNzd29yZA== token",
	"to\u212aen s3cr3tvalue basic", "token%20s3cr3tvalue", "token%2520s3cr3tvalue",
	"basic Iv1.0123456789abcdef:<secret>",
	"the token rejected; Bearer authentication failed; basic auth",
	"https://ghes.example.com/api/v3/applications/Iv1.0000000000000001/token",
	"https://docs.github.com/enterprise-server@3.8/rest/apps/oauth-applications#check-a-token",
	"Octo CLI", "gho_16C7e42F292c6912E7710c838347Ae178B4a tokens",
}

// TestFindPrefilter and FuzzFindPrefilter: skipping a pattern whose
// literal the text does not hold changes nothing Find finds.
func TestFindPrefilter(t *testing.T) {
	for _, s := range prefilterSeeds {
		if got, want := strings.Join(Find(s), "|"), strings.Join(findEveryView(s), "|"); got != want {
			t.Errorf("Find(%q) = %q, without the prefilter %q", s, got, want)
		}
	}
}

func FuzzFindPrefilter(f *testing.F) {
	for _, s := range prefilterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := strings.Join(Find(s), "|"), strings.Join(findEveryView(s), "|"); got != want {
			t.Errorf("Find(%q) = %q, without the prefilter %q", s, got, want)
		}
	})
}
