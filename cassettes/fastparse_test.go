package cassettes

import (
	"bytes"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

var tricky = []string{
	"", " ", "plain", "two words", "200 OK", "true", "null", "~", "0", "-1", "1e3", "0x1F", "yes",
	`{"a":"b"}`, "it's", `say "hi"`, "a: b", "a #b", "#x", "- x", "-x", "line\nbreak", "trailing\n", "\n\nlead",
	"tab\there", "ünïcödé ✓", "\x01ctl", "\u2028sep", "<https://x/?page=2>; rel=\"next\"", "&anchor", "*alias", "!tag",
	"|pipe", ">fold", "%pct", "@at", "`tick", "[flow]", "{flow}", "back\\slash", "  spaced  ", "ends with space ",
	"multi\nline\n\n\nwith blanks\n\n", "   \n  indented\n", "crlf\r\nline", "\xff\xfe invalid utf8",
	string(bytes.Repeat([]byte("long body "), 200)),
}

func trickyInteractions() []*cassette.Interaction {
	var its []*cassette.Interaction
	for i, s := range tricky {
		its = append(its, &cassette.Interaction{
			ID: i,
			Request: cassette.Request{
				Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, ContentLength: int64(len(s)),
				TransferEncoding: []string{}, Trailer: http.Header{}, Host: s, Body: s,
				Form:    map[string][]string{"k": {s}},
				Headers: http.Header{"X-Value": {s, "second"}, "Content-Type": {"application/json"}},
				URL:     "http://x/applications/a/token?q=" + s, Method: "POST",
			},
			Response: cassette.Response{
				Proto: "HTTP/1.1", ContentLength: -1, Uncompressed: i%2 == 0, Body: s,
				Headers: http.Header{"Link": {s}}, Status: "200 OK", Code: 200, Duration: time.Duration(i) * time.Millisecond,
			},
		})
	}
	return its
}

var ignore = cmpopts.IgnoreUnexported(cassette.Interaction{}, cassette.Cassette{})

// checkSame asserts the fast parser either declines data or agrees with
// the full parser.
func checkSame(t *testing.T, data []byte) bool {
	t.Helper()
	fast, ok := fastParse("x.yaml", data)
	slow, err := Parse("x.yaml", data)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("fast parser accepted what the full parser rejects (%v):\n%s", err, data)
	}
	if diff := cmp.Diff(slow.Interactions, fast.Interactions, ignore); diff != "" {
		t.Fatalf("fast parser disagrees (-full +fast):\n%s\ninput:\n%s", diff, data)
	}
	return true
}

func TestFastParseAgrees(t *testing.T) {
	its := trickyInteractions()
	var fastCount int
	for _, enc := range []struct {
		name   string
		encode func() []byte
	}{
		{"Marshal", func() []byte { b, _ := Marshal(its); return b }},
		{"yaml indent 2", func() []byte {
			var b bytes.Buffer
			e := yaml.NewEncoder(&b)
			e.SetIndent(2)
			e.Encode(map[string]any{"version": 2, "interactions": its})
			return b.Bytes()
		}},
	} {
		t.Run(enc.name, func(t *testing.T) {
			data := enc.encode()
			checkSame(t, data)
			// And each interaction alone, so one odd value does not hide
			// the others.
			for i := range its {
				b, _ := Marshal(its[i : i+1])
				if checkSame(t, b) {
					fastCount++
				}
			}
		})
	}
	if fastCount < len(tricky) {
		t.Errorf("the fast parser read only %d of %d single-interaction cassettes", fastCount, 2*len(tricky))
	}
	for _, p := range []string{"testdata/ghes-3.8/example.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !checkSame(t, data) {
			t.Errorf("%s: the fast parser declined a committed cassette", p)
		}
	}
}

// FuzzFastParse holds that the fast parser never disagrees with the full
// one: it declines, or it returns the same interactions.
func FuzzFastParse(f *testing.F) {
	for i := range trickyInteractions() {
		b, _ := Marshal(trickyInteractions()[i : i+1])
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkSame(t, data) })
}
