package redact

import (
	"hash/crc32"
	"strings"
)

// GitHub's tokens (gho_, ghu_, ghp_, ghs_, ghr_) end in a checksum: the
// CRC32 of the random characters before it, in base62, six characters
// left-padded with '0' ("Behind GitHub's new authentication token
// formats"). GitHub does not publish the digit order of its base62 nor
// whether the prefix is summed, so every reading counts: a token valid under
// any of them is taken for real, and a pseudonym is made valid under none.

// checksumLen is the length of a token's checksum.
const checksumLen = 6

// base62 digit orders.
var base62Orders = [...]string{
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
}

// checksummed reports whether prefix is one of GitHub's checksummed token
// prefixes.
func checksummed(prefix string) bool {
	return len(prefix) == 4 && prefix[0] == 'g' && prefix[1] == 'h' && strings.IndexByte("pousr", prefix[2]) >= 0 && prefix[3] == '_'
}

// validChecksum reports whether body (a token without its prefix) ends in
// the base62 CRC32 of what comes before, under any reading of the scheme.
func validChecksum(prefix string, body []byte) bool {
	if len(body) <= checksumLen {
		return false
	}
	for _, c := range body {
		if !alnum.set[c] {
			return false
		}
	}
	random, sum := body[:len(body)-checksumLen], body[len(body)-checksumLen:]
	bare := crc32.ChecksumIEEE(random)
	full := crc32.Update(prefixCRC(prefix), crc32.IEEETable, random)
	for _, c := range [...]uint32{bare, full} {
		for _, digits := range base62Orders {
			if base62Is(c, digits, sum) {
				return true
			}
		}
	}
	return false
}

// checksummedCRC is the CRC32 of each checksummed prefix, by its third
// letter (see [checksummed]).
var checksummedCRC = func() (crc [256]uint32) {
	for _, c := range []byte("pousr") {
		crc[c] = crc32.ChecksumIEEE([]byte{'g', 'h', c, '_'})
	}
	return crc
}()

// prefixCRC returns the CRC32 of prefix.
func prefixCRC(prefix string) uint32 {
	if checksummed(prefix) {
		return checksummedCRC[prefix[2]]
	}
	return crc32.ChecksumIEEE([]byte(prefix))
}

// base62Is reports whether sum is c in base62 with the given digits,
// left-padded with '0' to len(sum).
func base62Is(c uint32, digits string, sum []byte) bool {
	for i := len(sum) - 1; i >= 0; i-- {
		if sum[i] != digits[c%62] {
			return false
		}
		c /= 62
	}
	return c == 0
}

// avoidChecksum makes a token pseudonym's body invalid under every reading
// of the checksum by stepping its last character through a, so no
// pseudonym can pass for a real token. A keyed tag is valid by chance with
// odds of about 2^-33; the step is deterministic, so recognition redoes it.
func avoidChecksum(prefix string, body []byte, a alphabet) {
	for validChecksum(prefix, body) {
		last := &body[len(body)-1]
		*last = a.chars[(strings.IndexByte(a.chars, *last)+1)%len(a.chars)]
	}
}

// HasValidChecksum reports whether s is a GitHub token (gho_, ghu_, ghp_,
// ghs_ or ghr_ and base62 characters) whose last six characters are the
// CRC32 checksum of the rest, as in every token GitHub issues. A
// [Redactor]'s pseudonyms never have a valid checksum, so a token that has
// one is real (or a copy of one).
func HasValidChecksum(s string) bool {
	if len(s) <= 4 || !checksummed(s[:4]) {
		return false
	}
	return validChecksum(s[:4], []byte(s[4:]))
}

// IsPseudonym reports, without the key, whether s has the form of a
// [Redactor]'s pseudonym:
//
//   - a checksummed GitHub token (gho_, ghu_, ghp_, ghs_, ghr_) whose
//     checksum is not valid: GitHub issues none such, and a pseudonym always
//     is one;
//   - any other value whose last characters are its public mark: a SHA-256
//     of the rest mapped into the value's alphabet (4 characters for
//     letters and digits, 6 for hex, 7 for digits only; a value no longer
//     than the mark is all mark), which a real secret has by chance with
//     odds of about 2^-24.
//
// It is what 'oauthcompat cassette lint' checks when it has no key. A
// value that passes need not come from a given key: [Redactor.Token] and
// [Redactor.Secret] return their argument unchanged only for their own
// pseudonyms.
func IsPseudonym(s string) bool {
	if s == "" {
		return false
	}
	if len(s) >= 4+minPrefixedBody && checksummed(s[:4]) {
		return !validChecksum(s[:4], []byte(s[4:]))
	}
	if body, ok := strings.CutPrefix(s, "github_pat_"); ok && len(body) >= minPrefixedBody && fits("github_pat_", body, &patChars, nil) {
		return true
	}
	return fits("", s, nil, nil)
}
