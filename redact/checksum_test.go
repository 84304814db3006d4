package redact

import (
	"hash/crc32"
	"strings"
	"testing"
)

// TestAvoidChecksum forces the rare case of a keyed tag that happens to be
// a valid checksum (under each reading of the scheme): the step must make
// it invalid, keep the length and the alphabet, and IsPseudonym must take
// the stepped token for a pseudonym and the original for a real one.
func TestAvoidChecksum(t *testing.T) {
	const random = "o4dzXpcq1EWgPUFUeHDn2mAHQFV7To"
	for _, digits := range base62Orders {
		for _, prefixed := range []bool{false, true} {
			c := crc32.ChecksumIEEE([]byte(random))
			if prefixed {
				c = crc32.ChecksumIEEE([]byte("gho_" + random))
			}
			sum := make([]byte, checksumLen)
			for i := len(sum) - 1; i >= 0; i-- {
				sum[i] = digits[c%62]
				c /= 62
			}
			body := []byte(random + string(sum))
			if !validChecksum("gho_", body) {
				t.Fatalf("%s (prefixed %v): the checksum does not validate", body, prefixed)
			}
			before := string(body)
			avoidChecksum("gho_", body, alnum)
			if validChecksum("gho_", body) || len(body) != len(before) || !alnum.holds(string(body)) || string(body[:len(body)-1]) != before[:len(before)-1] {
				t.Errorf("avoidChecksum(%s) = %s, want the last character stepped off every valid checksum", before, body)
			}
			if !IsPseudonym("gho_"+string(body)) || IsPseudonym("gho_"+before) {
				t.Errorf("IsPseudonym: stepped %v, original %v; want true, false", IsPseudonym("gho_"+string(body)), IsPseudonym("gho_"+before))
			}
		}
	}
	// The reference server mints its tokens with the first digit order and
	// the random characters alone.
	if !HasValidChecksum("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") || HasValidChecksum("gho_o4dzXpcq1EWgPUFUeHDn2mAHQFV7To4CBcqh") {
		t.Error("HasValidChecksum disagrees with the reference server's tokens")
	}
	// A token pseudonym is a fixed point of its key and never has a valid
	// checksum, even when the secret had one.
	d := newDeriver([]byte(strings.Repeat("k", 32)))
	real := "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"
	p := d.token(real)
	if d.token(p) != p || HasValidChecksum(p) || len(p) != len(real) || !strings.HasPrefix(p, "gho_") {
		t.Errorf("token(%q) = %q: want a fixed point of the same shape with an invalid checksum", real, p)
	}
}
