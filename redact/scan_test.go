package redact_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

func TestFindTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // the raw text of each span
	}{
		{"bare", "token " + gho + " here", []string{gho}},
		{"glued to a letter", "x" + gho, []string{gho}},
		{"glued to a digit", "3" + gho, []string{gho}},
		{"followed by underscore", gho + "_x", []string{gho}},
		{"percent-encoded query in a URL", "/login?next=%2Fcb%3Faccess_token%3D" + gho + "%26x", []string{gho}},
		{"token characters encoded", "a=%67%68o_" + gho[4:], []string{"%67%68o_" + gho[4:]}},
		{"double-encoded", "next=%2567ho_" + gho[4:], []string{"%2567ho_" + gho[4:]}},
		{"40 hex after %3D", "next%3D" + legacyToken + "&", []string{legacyToken}},
		{"40 hex after %3d", "next%3d" + legacyToken, []string{legacyToken}},
		{"40 hex glued to a letter", "Z" + legacyToken + "Z", []string{legacyToken}},
		{"41 hex is no token", legacyToken + "a", nil},
		{"pat", "Bearer " + pat, []string{pat}},
		{"pat glued", "x" + pat, []string{pat}},
		{"short body", "gho_abc", nil},
		{"plain text", "nothing to see here at all, no secret", nil},
		{"two", gho + "," + ghu, []string{gho, ghu}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, sp := range redact.FindTokens(tt.in) {
				got = append(got, tt.in[sp.Start:sp.End])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FindTokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestEachFieldVisitsEveryString sets every string of an interaction,
// found by reflection, to a distinct value and checks EachField visits
// each: a field added to the cassette format fails here until EachField
// covers it.
func TestEachFieldVisitsEveryString(t *testing.T) {
	var i cassette.Interaction
	var want []string
	n := 0
	next := func() string { n++; s := "v" + strings.Repeat("x", n); want = append(want, s); return s }
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(next())
		case reflect.Struct:
			for k := 0; k < v.NumField(); k++ {
				if v.Type().Field(k).IsExported() {
					fill(v.Field(k))
				}
			}
		case reflect.Slice:
			if v.Type().Elem().Kind() == reflect.String {
				v.Set(reflect.ValueOf([]string{next()}).Convert(v.Type()))
			}
		case reflect.Map:
			m := reflect.MakeMap(v.Type())
			m.SetMapIndex(reflect.ValueOf(next()), reflect.ValueOf([]string{next()}))
			v.Set(m)
		}
	}
	fill(reflect.ValueOf(&i).Elem())
	seen := map[string]string{}
	redact.EachField(&i, func(field string, v *string) { seen[*v] = field })
	for _, w := range want {
		if _, ok := seen[w]; !ok {
			t.Errorf("EachField misses a string of the interaction (%d characters)", len(w))
		}
	}
}

func TestSweep(t *testing.T) {
	r := redact.New(testKey, redact.Options{})
	pseudo := r.Token(gho)
	tests := []struct {
		name   string
		it     cassette.Interaction
		exact  []string
		fields []string // the fields found
	}{
		{
			name:   "reason phrase",
			it:     cassette.Interaction{Response: cassette.Response{Status: "401 Bad credentials " + gho}},
			fields: []string{"response.status"},
		},
		{
			name:   "header name",
			it:     cassette.Interaction{Response: cassette.Response{Headers: http.Header{legacyToken: {"1"}}}},
			fields: []string{"response.headers[REDACTED]#name"},
		},
		{
			name: "percent-encoded Location",
			it: cassette.Interaction{Response: cassette.Response{Headers: http.Header{
				"Location": {"https://h/login?next=%2Fcb%3Faccess_token%3D" + gho}}}},
			fields: []string{"response.headers[Location]"},
		},
		{
			name:   "password echoed in a note",
			it:     cassette.Interaction{Response: cassette.Response{Body: `{"note":"pw ` + password + `"}`}},
			exact:  []string{password},
			fields: []string{"response.body"},
		},
		{
			name:   "password query-escaped in a URL",
			it:     cassette.Interaction{Request: cassette.Request{URL: "https://h/x?q=" + url.QueryEscape("a "+password)}},
			exact:  []string{"a " + password},
			fields: []string{"request.url"},
		},
		{
			name:   "short OTP inside a longer number is no hit",
			it:     cassette.Interaction{Response: cassette.Response{Body: `{"id":91234567}`}},
			exact:  []string{otp},
			fields: nil,
		},
		{
			name:   "OTP echoed",
			it:     cassette.Interaction{Response: cassette.Response{Body: `{"message":"otp 123456 is wrong"}`}},
			exact:  []string{otp},
			fields: []string{"response.body"},
		},
		{
			name:   "pseudonyms are no hits",
			it:     cassette.Interaction{Response: cassette.Response{Body: `{"token":"` + pseudo + `"}`, Status: "200 " + pseudo}},
			fields: nil,
		},
		{
			name: "form key and transfer coding",
			it: cassette.Interaction{Request: cassette.Request{
				Form: url.Values{"k" + gho: {"v"}}, TransferEncoding: []string{gho}}},
			fields: []string{"request.transfer_encoding", "request.form[kREDACTED]#name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := tt.it
			found := r.Sweep(&it, tt.exact)
			var fields []string
			for _, f := range found {
				fields = append(fields, f.Field)
			}
			if !reflect.DeepEqual(fields, tt.fields) {
				t.Fatalf("Sweep found %q, want %q", fields, tt.fields)
			}
			all := marshal(t, &it)
			for _, sec := range append([]string{gho, legacyToken, password}, tt.exact...) {
				if tt.fields == nil {
					break // nothing secret to look for
				}
				if strings.Contains(all, sec) || strings.Contains(all, url.QueryEscape(sec)) {
					t.Errorf("a secret survives the sweep:\n%s", all)
				}
			}
			if again := r.Sweep(&it, tt.exact); len(again) != 0 {
				t.Errorf("a second sweep finds %v: the sweep's replacements are no fixed points", again)
			}
		})
	}
}

func TestSweepCopiesSharedMaps(t *testing.T) {
	r := redact.New(testKey, redact.Options{})
	shared := []string{"a " + gho}
	h := http.Header{"X-Token": shared}
	i := &cassette.Interaction{Response: cassette.Response{Headers: h}}
	if found := r.Sweep(i, nil); len(found) != 1 {
		t.Fatalf("found %v, want one", found)
	}
	if shared[0] != "a "+gho || h["X-Token"][0] != shared[0] {
		t.Error("Sweep modified a shared header map or value slice")
	}
	if got := i.Response.Headers.Get("X-Token"); got != "a "+r.Token(gho) {
		t.Errorf("X-Token = %q, want the pseudonym", got)
	}
}

func TestRedactCollectsSecrets(t *testing.T) {
	r := redact.New(testKey, redact.Options{})
	i := &cassette.Interaction{
		Request: cassette.Request{
			Method:  "POST",
			URL:     "https://h/authorizations",
			Headers: http.Header{"Authorization": {"Basic " + basic("octocat", password)}, "X-Github-Otp": {otp}, "Content-Type": {"application/json"}},
			Body:    `{"client_secret":"not-hex-secret","note":"x"}`,
		},
		Response: cassette.Response{Body: `{"token":"` + gho + `"}`},
	}
	got := r.Redact(i)
	for _, want := range []string{password, otp, "not-hex-secret", gho, basic("octocat", password)} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("Redact did not collect a secret of %d characters", len(want))
		}
	}
}

// FuzzFindTokens holds that FindTokens finds every token TokenPattern
// matches, in spans that are in order, in bounds and apart, and that a
// token percent-encoded once or twice is found where it was.
func FuzzFindTokens(f *testing.F) {
	for _, s := range []string{"x" + gho, "a%3D" + legacyToken, "%2567ho_" + gho[4:], "next=%2Fcb%3Ftoken%3D" + pat, "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spans := redact.FindTokens(s)
		last := 0
		for _, sp := range spans {
			if sp.Start < last || sp.End > len(s) || sp.Start >= sp.End {
				t.Fatalf("FindTokens(%q): spans %v out of order or bounds", s, spans)
			}
			last = sp.End
		}
		covered := func(a, z int) bool {
			for _, sp := range spans {
				if sp.Start <= a && z <= sp.End {
					return true
				}
			}
			return false
		}
		for _, m := range redact.TokenPattern.FindAllStringIndex(s, -1) {
			if !covered(m[0], m[1]) {
				t.Fatalf("FindTokens(%q) = %v misses %q", s, spans, s[m[0]:m[1]])
			}
		}
		for _, m := range redact.TokenPattern.FindAllStringIndex(s, -1) {
			tok := s[m[0]:m[1]]
			enc := "q=" + url.QueryEscape("?t="+tok)
			if len(redact.FindTokens(enc)) == 0 {
				t.Fatalf("FindTokens misses %q percent-encoded in %q", tok, enc)
			}
		}
	})
}
