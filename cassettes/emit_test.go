package cassettes

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// sample is an interaction whose strings exercise every scalar style.
func sample(body, header string) *cassette.Interaction {
	return &cassette.Interaction{
		Request: cassette.Request{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, ContentLength: int64(len(body)),
			Host: "127.0.0.1:8080", Body: body,
			Form:    url.Values{"client_id": {"Iv1.x"}, header: {header, ""}},
			Headers: http.Header{"Content-Type": {"application/json"}, "X-Odd": {header}, header: {"v"}},
			URL:     "http://127.0.0.1:8080/applications/Iv1.x/token?a=1&b=" + url.QueryEscape(header),
			Method:  "POST",
		},
		Response: cassette.Response{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, TransferEncoding: []string{"chunked", header},
			Trailer: http.Header{"X-T": {header}}, ContentLength: -1, Uncompressed: true,
			Body: body, Headers: http.Header{"Date": {"Sat, 21 Nov 2026 23:18:34 GMT"}, "Content-Length": {"89"}},
			Status: "200 OK", Code: 200, Duration: 687691 * time.Nanosecond,
		},
	}
}

var styles = []string{
	"", "plain", "3.8.0", "89", "true", "null", "~", "- x", "a: b", "a #b", "'quoted'", `"dq"`,
	`{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`,
	"line one\nline two", "trailing\n", "two trailing\n\n", "\nleading newline", " leading space\nx",
	"tab\there", "cr\r\nlf", "ctrl\x01\x7f", "nel\u0085 ls\u2028 bom\ufeff", "not utf8 \xff\xfe",
	"emoji 🦊 é", "   ", "x\n  \ny", "? q", "<<", strings.Repeat("k", 1500), "Yes", "0x1F", "1e3", ".inf",
	"--- doc", "...", "% dir", "@at", "`tick", "a\\b", "ends colon:",
}

func roundTrip(t testing.TB, in []*cassette.Interaction) {
	t.Helper()
	data, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("rt.yaml", data)
	if err != nil {
		t.Fatalf("our own output does not parse: %v\n%s", err, data)
	}
	opts := cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(cassette.Interaction{})}
	if diff := cmp.Diff(in, c.Interactions, opts); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s\n%s", diff, data)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, s := range styles {
		t.Run(strings.ReplaceAll(s[:min(len(s), 20)], "/", "_"), func(t *testing.T) {
			roundTrip(t, []*cassette.Interaction{sample(s, s+"x"), sample("x", s)})
		})
	}
}

// TestMarshalMatchesYAMLv3 checks that for ordinary recordings the fast
// emitter reads back exactly as yaml.v3's own encoding does.
func TestMarshalMatchesYAMLv3(t *testing.T) {
	in := []*cassette.Interaction{sample(`{"access_token":"gho_x"}`, "Authorization")}
	ours, _ := Marshal(in)
	var theirs strings.Builder
	theirs.WriteString("---\n")
	enc := yaml.NewEncoder(&theirs)
	enc.SetIndent(4)
	if err := enc.Encode(file{Version: 2, Interactions: in}); err != nil {
		t.Fatal(err)
	}
	var a, b file
	if err := yaml.Unmarshal(ours, &a); err != nil {
		t.Fatal(err)
	}
	yaml.Unmarshal([]byte(theirs.String()), &b)
	if diff := cmp.Diff(b, a, cmpopts.IgnoreUnexported(cassette.Interaction{})); diff != "" {
		t.Errorf("(-yaml.v3 +ours):\n%s", diff)
	}
}

// TestMarshalLoadsInGoVCR checks go-vcr's own loader reads the output.
func TestMarshalLoadsInGoVCR(t *testing.T) {
	var in []*cassette.Interaction
	for _, s := range styles {
		in = append(in, sample(s, "X-"+s))
	}
	data, _ := Marshal(in)
	name := filepath.Join(t.TempDir(), "c")
	os.WriteFile(name+".yaml", data, 0o644)
	c, err := cassette.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != len(in) || c.Interactions[len(in)-1].Request.Body != styles[len(styles)-1] {
		t.Errorf("go-vcr loaded %d interactions", len(c.Interactions))
	}
}

func FuzzMarshal(f *testing.F) {
	for _, s := range styles {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, body, header string) {
		if header == "" {
			header = "X"
		}
		roundTrip(t, []*cassette.Interaction{sample(body, header)})
	})
}
