package cassettes

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// refScalar is the straightforward statement of the scalar style choice
// (rune by rune, a copy per escaped quote) that emitter.scalar must match
// byte for byte: the fast paths there change no output.
func refScalar(s string) string {
	e := &emitter{}
	switch {
	case !utf8.ValidString(s):
		e.b = append(e.b, "!!binary "...)
		e.b = base64.StdEncoding.AppendEncode(e.b, []byte(s))
	case plainSafe(s):
		e.b = append(e.b, s...)
	case !strings.ContainsAny(s, "\n\r") && refPrintable(s):
		e.b = append(e.b, '\'')
		e.b = append(e.b, strings.ReplaceAll(s, "'", "''")...)
		e.b = append(e.b, '\'')
	default:
		e.quoted(s)
	}
	return string(e.b)
}

// refPrintable reports, rune by rune, whether every rune of s may stand
// unescaped in a single-quoted scalar: a printableRune other than a tab.
func refPrintable(s string) bool {
	for _, r := range s {
		if r == '\t' || !printableRune(r) {
			return false
		}
	}
	return true
}

// styleCorpus is every style's sample, each single byte and rune class,
// and their combinations with quotes, tabs and line breaks.
func styleCorpus() []string {
	out := append([]string(nil), styles...)
	for c := 0; c < 256; c++ {
		out = append(out, string(rune(c)), string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"b", "x'"+string(rune(c))+"\ty")
	}
	for _, r := range []rune{0x85, 0x9f, 0xa0, 0x2028, 0x2029, 0xfeff, 0xfffe, 0xffff, 0x10000, 0x1f98a, 0xe9} {
		out = append(out, "a"+string(r), string(r)+"\nline", "it's "+string(r), "\t"+string(r))
	}
	out = append(out, "it's", "''", "a'b'c'", "tab\tand'quote", "multi\nline 'quoted'\n", strings.Repeat("é'", 300),
		strings.Repeat(" ", 70)+"deep", `{"a":"b's"}`+"\n")
	return out
}

// TestScalarStyleUnchanged holds emitter.scalar to the output of
// refScalar for the corpus, at several indentations.
func TestScalarStyleUnchanged(t *testing.T) {
	for _, s := range styleCorpus() {
		var e emitter
		e.scalar(s)
		if diff := cmp.Diff(refScalar(s), string(e.b)); diff != "" {
			t.Errorf("scalar(%q) (-want +got):\n%s", s, diff)
		}
	}
}
