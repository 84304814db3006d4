package redact

import (
	"strconv"
	"testing"
)

// TestMemoKeepsWhatRecurs checks that a value used again after memoSize
// other values is not computed again (a memo that forgot everything when
// full recomputed each token of a long cassette), and that what no longer
// recurs is forgotten: the memo stays bounded.
func TestMemoKeepsWhatRecurs(t *testing.T) {
	var m memo
	calls := map[string]int{}
	f := func(s string) string { calls[s]++; return "p:" + s }
	get := func(s string) {
		t.Helper()
		if got := m.get(s, f); got != "p:"+s {
			t.Fatalf("get(%q) = %q", s, got)
		}
	}
	const hot = "hot"
	for i := range 3 * memoSize {
		if i%(memoSize/2) == 0 {
			get(hot)
		}
		get(strconv.Itoa(i))
	}
	if calls[hot] != 1 {
		t.Errorf("a value used every %d values was computed %d times, want once", memoSize/2, calls[hot])
	}
	if n := len(m.cur) + len(m.old); n > 2*memoSize {
		t.Errorf("the memo holds %d values, more than %d", n, 2*memoSize)
	}
	get("0") // long gone
	if calls["0"] != 2 {
		t.Errorf("a value not used for %d values was computed %d times, want twice", 3*memoSize, calls["0"])
	}
}
