package cassettes

import (
	"bytes"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// everyField is an interaction with a, b and c (and mixes of them) in
// every string of it, as values, header and form names and list items,
// and n in every number.
func everyField(a, b, c string, n int64) *cassette.Interaction {
	return &cassette.Interaction{
		Request: cassette.Request{
			Proto: a, ProtoMajor: int(n), ProtoMinor: int(n >> 32), ContentLength: n,
			TransferEncoding: []string{b, c},
			Trailer:          http.Header{c: {a}, "T": nil},
			Host:             b, RemoteAddr: c, RequestURI: a + b, Body: a,
			Form:    url.Values{b: {c, a}, "client_id": {"Iv1.x"}},
			Headers: http.Header{a: {b}, b: {c, a, ""}, c: {}, "Content-Type": {"application/json"}, "X-" + a: {c + b}},
			URL:     c + a, Method: b,
		},
		Response: cassette.Response{
			Proto: c, ProtoMajor: int(-n), ProtoMinor: int(n >> 16),
			TransferEncoding: []string{a},
			Trailer:          http.Header{b: {c}},
			ContentLength:    -n, Uncompressed: n&1 == 1,
			Body:    b + c,
			Headers: http.Header{c: {a, b}, "Date": {"Sat, 21 Nov 2026 23:18:34 GMT"}, "Z-" + b: nil},
			Status:  a + " " + c, Code: int(n >> 8),
			Duration: time.Duration(n),
		},
	}
}

// matchOrig fails t when the encoder and the original one (in
// emit_orig_test.go) disagree on i by a single byte.
func matchOrig(t testing.TB, i *cassette.Interaction) {
	t.Helper()
	prefix := []byte("OCJ1 prior record\n")
	want := origAppendRecord(bytes.Clone(prefix), i)
	got := appendRecord(bytes.Clone(prefix), i)
	if !bytes.Equal(want, got) {
		t.Fatalf("appendRecord differs from the original encoder\nwant:\n%q\ngot:\n%q", want, got)
	}
	// Into a buffer with room to spare, as Store.Add reuses them.
	buf := make([]byte, 0, len(want)+100)
	if got := appendRecord(buf, i); !bytes.Equal(want[len(prefix):], got) {
		t.Fatalf("appendRecord into a roomy buffer differs\nwant:\n%q\ngot:\n%q", want[len(prefix):], got)
	}
	in := []*cassette.Interaction{i, i}
	if want, got := origAssemble(origItems(in)), assemble(items(in)); !bytes.Equal(want, got) {
		t.Fatalf("assemble(items) differs from the original\nwant:\n%q\ngot:\n%q", want, got)
	}
}

// TestEmitterMatchesOrig holds the encoder to the original, byte for
// byte, for every style sample in every field, with numbers and durations
// around every boundary.
func TestEmitterMatchesOrig(t *testing.T) {
	corpus := styleCorpus()
	corpus = append(corpus,
		strings.Repeat("k", 200), strings.Repeat("k", 201), strings.Repeat("k", 1000)+"é", strings.Repeat("x", 1001),
		strings.Repeat("abcdefg'", 9), strings.Repeat("a", 7)+"\x01", strings.Repeat("a", 15)+"\u2028",
		"Content-Type", "Sat, 21 Nov 2026 23:18:34 GMT", "a: b: c", "a:b", "http://h:80/p", "No", "nO", "OFF", "Null", "yEs",
		checkTokenBody, checkTokenBody+"\n", strings.ReplaceAll(checkTokenBody, ",", ",\n  "), "\xff"+checkTokenBody,
	)
	numbers := []int64{0, 1, -1, 999, 1000, 999999, 1000000, 999999999, 1000000000, 961501, 60e9, 3600e9 + 1,
		math.MaxInt64, math.MinInt64, math.MinInt64 + 1, -961501, 1e9 + 1}
	k := 0
	for i, a := range corpus {
		b := corpus[(i*7+3)%len(corpus)]
		c := corpus[(i*13+5)%len(corpus)]
		matchOrig(t, everyField(a, b, c, numbers[k%len(numbers)]))
		matchOrig(t, everyField(b, a, a, numbers[(k+1)%len(numbers)]))
		k += 2
	}
	for _, n := range numbers {
		matchOrig(t, everyField("a", "b", "c", n))
	}
	matchOrig(t, checkTokenInteraction())
	matchOrig(t, &cassette.Interaction{})
}

// TestAppendRecordLengths covers payloads whose length has fewer and more
// digits than the room appendRecord keeps for it.
func TestAppendRecordLengths(t *testing.T) {
	for _, n := range []int{0, 1, 100, 700, 9000, 20000, 200000} {
		matchOrig(t, everyField(strings.Repeat("x", n), "b", "c", 1))
	}
}

// TestAppendDuration holds appendDuration to time.Duration.String.
func TestAppendDuration(t *testing.T) {
	ds := []time.Duration{0, 1, -1, math.MaxInt64, math.MinInt64}
	for d := time.Duration(1); d > 0 && d < math.MaxInt64/10; d *= 10 {
		ds = append(ds, d, d-1, d+1, -d, d*7/3, 3600*d, 61*d)
	}
	for _, d := range ds {
		if got, want := string(appendDuration(nil, d)), d.String(); got != want {
			t.Errorf("appendDuration(%d) = %q, want %q", int64(d), got, want)
		}
	}
}

// TestHeaderManyNames covers headers with more names than sortFields
// sorts on the stack.
func TestHeaderManyNames(t *testing.T) {
	i := checkTokenInteraction()
	for k := range 40 {
		i.Response.Headers.Add(strings.Repeat("Z", k%5)+"X-H"+string(rune('a'+k%26))+string(rune('A'+k/26)), "v")
	}
	matchOrig(t, i)
}

// FuzzEmitterMatchesOrig fuzzes the byte-for-byte agreement of the encoder
// with the original over arbitrary strings in every field.
func FuzzEmitterMatchesOrig(f *testing.F) {
	for i, s := range styleCorpus() {
		if i%3 == 0 {
			f.Add(s, "X-"+s, s+"\n", int64(i)*977)
		}
	}
	f.Add(checkTokenBody, "Content-Type", "200 OK", int64(961501))
	f.Fuzz(func(t *testing.T, a, b, c string, n int64) {
		matchOrig(t, everyField(a, b, c, n))
	})
}

// FuzzScalarMatchesOrig fuzzes the agreement of scalar, where the styles
// are chosen, with the original, faster than FuzzEmitterMatchesOrig can.
func FuzzScalarMatchesOrig(f *testing.F) {
	for _, s := range styleCorpus() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The original's literal-block branch was unreachable (a string
		// it accepted was single-quoted first), so block changes nothing.
		for _, block := range []bool{false, true} {
			var e emitter
			var o origEmitter
			e.scalar(s)
			o.scalar(s, 8, block)
			if !bytes.Equal(o.b, e.b) {
				t.Fatalf("scalar(%q) = %q, the original (block %v) wrote %q", s, e.b, block, o.b)
			}
		}
	})
}
