package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// TokenPattern matches the token shapes redacted wherever they appear
// (URLs, headers, bodies): GitHub's prefixed tokens (gho_, ghu_, ghp_,
// ghs_, ghr_, github_pat_), glued to what comes before or not, and the
// 40-hex-digit tokens and client secrets of older servers. [FindTokens]
// finds the same shapes and percent-encoded ones too: prefer it.
var TokenPattern = regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{22,}|\b[0-9a-f]{40}\b`)

// alphabet is a class of characters a pseudonym is drawn from. A
// pseudonym ends in a keyed tag of tag characters followed by a public mark
// of mark characters; together they hold about 40 bits, the mark alone
// about 24 (see layoutOf).
type alphabet struct {
	name  string
	chars string
	tag   int
	mark  int
	set   *[256]bool
}

func newAlphabet(name, chars string, tag, mark int) alphabet {
	var set [256]bool
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	return alphabet{name, chars, tag, mark, &set}
}

var (
	digits     = newAlphabet("digits", "0123456789", 5, 7)
	hexLower   = newAlphabet("hex", "0123456789abcdef", 4, 6)
	hexUpper   = newAlphabet("HEX", "0123456789ABCDEF", 4, 6)
	alnum      = newAlphabet("alnum", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 3, 4)
	patChars   = newAlphabet("pat", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", 3, 4)
	unreserved = newAlphabet("unreserved", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", 3, 4)
	printable  = newAlphabet("printable", printableChars(), 3, 4)

	// classes goes from narrowest to widest: a secret is pseudonymised in
	// the narrowest class holding all its characters.
	classes = []alphabet{digits, hexLower, hexUpper, alnum, patChars, unreserved, printable}
)

// printableChars is the widest alphabet: letters, digits and punctuation
// that needs no escaping in JSON, a header or a path segment and separates
// nothing in a cookie, a form or Basic credentials.
func printableChars() string {
	return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!$()*+-.@_~"
}

func (a alphabet) holds(s string) bool {
	for i := 0; i < len(s); i++ {
		if !a.set[s[i]] {
			return false
		}
	}
	return true
}

// classOf returns the narrowest class holding s; strings with other
// characters (spaces, non-ASCII) are pseudonymised as printable.
func classOf(s string) alphabet {
	for _, a := range classes {
		if a.holds(s) {
			return a
		}
	}
	return printable
}

// tokenPrefixes are the GitHub token prefixes a pseudonym keeps, longest
// first.
var tokenPrefixes = []struct {
	prefix string
	body   alphabet
}{
	{"github_pat_", patChars},
	{"gho_", alnum}, {"ghu_", alnum}, {"ghp_", alnum}, {"ghs_", alnum}, {"ghr_", alnum},
}

// deriver computes keyed pseudonyms.
type deriver struct {
	pool sync.Pool // of *hmacBuf (HMAC-SHA256 under the key)

	// cache holds recent pseudonyms (the same Basic credentials and tokens
	// recur in every interaction).
	cache memo
}

func newDeriver(key []byte) *deriver {
	k := append([]byte(nil), key...)
	return &deriver{pool: sync.Pool{New: func() any { return &hmacBuf{h: hmac.New(sha256.New, k)} }}}
}

// hmacBuf is the keyed hash and a buffer for what it hashes.
type hmacBuf struct {
	h   hash.Hash
	buf []byte
}

// layoutOf splits an n-character pseudonym body in a into a head derived
// from the secret, a keyed tag over the head (tag characters) and a public
// mark over head and tag (mark characters). A checksummed GitHub token
// (gho_, ghu_, ghp_, ghs_, ghr_) has no mark: its whole tail is the keyed
// tag, and what tells it from a real token without the key is that its
// checksum is wrong (see avoidChecksum). Short secrets give up the head
// first, then the tag: a secret no longer than the mark has one public
// pseudonym per length and alphabet.
func layoutOf(a alphabet, prefix string, n int) (tag, mark int) {
	if checksummed(prefix) {
		return min(a.tag+a.mark, n), 0
	}
	mark = min(a.mark, n)
	return min(a.tag, n-mark), mark
}

// draw appends n characters of a, derived from (domain, a, prefix, input),
// to dst: the head ('p'). Tags and marks use stream and pick instead.
func (d *deriver) draw(dst []byte, domain byte, a alphabet, prefix, input string, n int) []byte {
	if n <= 0 {
		return dst
	}
	k := d.pool.Get().(*hmacBuf)
	defer d.pool.Put(k)
	limit := 256 - 256%len(a.chars) // rejection sampling keeps the draw uniform
	msg, at := streamInput(k.buf[:0], domain, a.name, prefix, input)
	k.buf = msg
	var sum [sha256.Size]byte
	for block := uint32(0); n > 0; block++ {
		binary.BigEndian.PutUint32(msg[at:], block)
		k.h.Reset()
		k.h.Write(msg)
		for _, b := range k.h.Sum(sum[:0]) {
			if int(b) >= limit {
				continue
			}
			dst = append(dst, a.chars[int(b)%len(a.chars)])
			if n--; n == 0 {
				break
			}
		}
	}
	return dst
}

// pseudonym returns the pseudonym of body (without its prefix) in a: a
// head derived from body, a keyed tag over the head and a public mark over
// both (see layoutOf).
func (d *deriver) pseudonym(a alphabet, prefix, body string) string {
	n := utf8.RuneCountInString(body)
	t, m := layoutOf(a, prefix, n)
	out := make([]byte, 0, n)
	out = d.draw(out, 'p', a, prefix, body, n-t-m)
	out = d.fill(out, tagDomain, a, prefix, t)
	out = d.fill(out, markDomain, a, prefix, m)
	if checksummed(prefix) {
		avoidChecksum(prefix, out, a)
	}
	return string(out)
}

// fill appends to dst the n characters of a that the stream of domain over
// (prefix, dst) maps to: the keyed tag or the public mark.
func (d *deriver) fill(dst []byte, domain byte, a alphabet, prefix string, n int) []byte {
	if n <= 0 {
		return dst
	}
	input := string(dst)
	var s []byte
	for size := 64; ; size *= 2 {
		s = d.stream(s[:0], domain, prefix, input, size)
		if out, ok := pick(dst, s, a, n); ok {
			return out
		}
	}
}

// secret pseudonymises a secret with no token prefix.
func (d *deriver) secret(s string) string {
	for _, p := range tokenPrefixes {
		if strings.HasPrefix(s, p.prefix) && len(s) > len(p.prefix) {
			return d.classed("", s, nil) // not cached under token's key
		}
	}
	return d.token(s) // the same as token for strings without a prefix
}

// token pseudonymises s, keeping a GitHub token prefix when it has one.
func (d *deriver) token(s string) string {
	if s == "" {
		return s
	}
	return d.cache.get(s, d.derive)
}

// minPrefixedBody is the shortest rest after a token prefix for the
// prefix to be kept: a shorter one has too few pseudonyms to tell the
// secret from its own (GitHub's shortest token shape has 16), so the whole
// string is pseudonymised instead.
const minPrefixedBody = 8

func (d *deriver) derive(s string) string {
	for _, p := range tokenPrefixes {
		if body, ok := strings.CutPrefix(s, p.prefix); ok && utf8.RuneCountInString(body) >= minPrefixedBody {
			return p.prefix + d.classed(p.prefix, body, &p.body)
		}
	}
	return d.classed("", s, nil)
}

// classed pseudonymises body in its preferred alphabet when that holds it,
// else in the narrowest class that does. Any class holding a pseudonym may
// have made it (a hex pseudonym can come out all digits), so recognition
// tries each.
func (d *deriver) classed(prefix, body string, preferred *alphabet) string {
	if body == "" {
		return body
	}
	if d.recognise(prefix, body, preferred) {
		return body
	}
	if preferred != nil && preferred.holds(body) {
		return d.pseudonym(*preferred, prefix, body)
	}
	return d.pseudonym(classOf(body), prefix, body)
}

// recognise reports whether body is a pseudonym of this key in preferred
// or in any class holding it: its mark is right (public, checked first as
// it is cheaper) and so is its tag (keyed). Classes with the same layout
// share the streams their tag and mark are mapped from.
func (d *deriver) recognise(prefix, body string, preferred *alphabet) bool {
	return fits(prefix, body, preferred, d)
}

// fits reports whether body is a pseudonym in preferred or in any class
// holding it. With a nil deriver only the public part is checked: the
// mark, or for a checksummed token that its checksum is wrong.
func fits(prefix, body string, preferred *alphabet, d *deriver) bool {
	if len(body) == 0 || !printable.holds(body) {
		return false
	}
	if checksummed(prefix) && d == nil {
		return !validChecksum(prefix, []byte(body))
	}
	// A stream is derived one block (32 bytes) first and to 64 bytes only
	// when that block ran out before deciding (more than 24 of its bytes
	// rejected), which almost never happens: derivation is most of the
	// cost of recognising a pseudonym.
	var (
		tagStream, markStream []byte
		tagFor, markFor       = -1, -1
	)
	mark := func(input string, n int) []byte {
		if markFor != len(input) || len(markStream) < n {
			markStream, markFor = markBytes(markStream[:0], prefix, input, n), len(input)
		}
		return markStream
	}
	tag := func(input string, n int) []byte {
		if tagFor != len(input) || len(tagStream) < n {
			tagStream, tagFor = d.stream(tagStream[:0], tagDomain, prefix, input, n), len(input)
		}
		return tagStream
	}
	check := func(a alphabet) bool {
		if !a.holds(body) {
			return false
		}
		n := len(body)
		t, m := layoutOf(a, prefix, n)
		if m > 0 {
			ok, decided := mapsTo(mark(body[:n-m], sha256.Size), a, body[n-m:])
			if !decided {
				ok, _ = mapsTo(mark(body[:n-m], 64), a, body[n-m:])
			}
			if !ok {
				return false
			}
		}
		if d == nil || t == 0 {
			return true
		}
		head := body[:n-t-m]
		if !checksummed(prefix) {
			ok, decided := mapsTo(tag(head, sha256.Size), a, body[len(head):n-m])
			if !decided {
				ok, _ = mapsTo(tag(head, 64), a, body[len(head):n-m])
			}
			return ok
		}
		// The tag of a token may have been moved off a valid checksum.
		var arr [64]byte // a token's body, usually: no allocation
		buf, ok := pick(append(arr[:0], head...), tag(head, sha256.Size), a, t)
		if !ok {
			buf, ok = pick(buf[:len(head)], tag(head, 64), a, t)
		}
		if !ok {
			return false
		}
		avoidChecksum(prefix, buf, a)
		return string(buf) == body
	}
	if preferred != nil && check(*preferred) {
		return true
	}
	for _, a := range classes {
		if check(a) {
			return true
		}
	}
	return false
}

// Stream domains: the keyed tag and the public mark.
const (
	tagDomain  = 't'
	markDomain = 'm'
)

// markLabel separates the public mark stream from any other use of
// SHA-256. It is part of the documented pseudonym format: changing it
// changes every pseudonym.
const markLabel = "oauthcompat/redact pseudonym mark v1"

// stream appends at least n bytes of the stream of domain over (prefix,
// input) to dst: HMAC-SHA256 under the key for the tag, plain SHA-256 for
// the public mark (see markBytes).
func (d *deriver) stream(dst []byte, domain byte, prefix, input string, n int) []byte {
	if domain == markDomain {
		return markBytes(dst, prefix, input, n)
	}
	k := d.pool.Get().(*hmacBuf)
	defer d.pool.Put(k)
	msg, at := streamInput(k.buf[:0], domain, "", prefix, input)
	k.buf = msg
	for block := uint32(0); len(dst) < n; block++ {
		binary.BigEndian.PutUint32(msg[at:], block)
		k.h.Reset()
		k.h.Write(msg)
		dst = k.h.Sum(dst)
	}
	return dst
}

// markBytes appends at least n bytes of the public mark stream of (prefix,
// input): SHA-256 of the label, prefix, input and a block counter.
func markBytes(dst []byte, prefix, input string, n int) []byte {
	var buf [160]byte
	msg, at := streamInput(buf[:0], markDomain, markLabel, prefix, input)
	for block := uint32(0); len(dst) < n; block++ {
		binary.BigEndian.PutUint32(msg[at:], block)
		sum := sha256.Sum256(msg)
		dst = append(dst, sum[:]...)
	}
	return dst
}

// streamInput appends to dst what each block of a stream hashes, domain
// label 0 prefix 0 input 0 counter (the label names the alphabet of a
// head, the public mark's purpose, or nothing for a tag), and returns it
// and where the 4-byte block counter goes (the caller sets it).
func streamInput(dst []byte, domain byte, label, prefix, input string) (msg []byte, at int) {
	dst = append(dst, domain)
	dst = append(dst, label...)
	dst = append(dst, 0)
	dst = append(dst, prefix...)
	dst = append(dst, 0)
	dst = append(dst, input...)
	dst = append(dst, 0)
	return append(dst, 0, 0, 0, 0), len(dst)
}

// pick appends to dst the first n characters the stream maps to in a
// (rejection sampling keeps them uniform). ok is false when the stream is
// too short.
func pick(dst, stream []byte, a alphabet, n int) (out []byte, ok bool) {
	limit := 256 - 256%len(a.chars)
	for _, b := range stream {
		if n == 0 {
			break
		}
		if int(b) >= limit {
			continue
		}
		dst = append(dst, a.chars[int(b)%len(a.chars)])
		n--
	}
	return dst, n == 0
}

// mapsTo reports whether the stream, mapped into a as pick maps it, begins
// with want. decided is false when the stream ran out before saying: a
// longer one may still begin with want. 64 bytes decide every tag and mark
// but with odds below 2^-100, and a stream still too short says no.
func mapsTo(stream []byte, a alphabet, want string) (ok, decided bool) {
	limit := 256 - 256%len(a.chars)
	i := 0
	for _, b := range stream {
		if i == len(want) {
			break
		}
		if int(b) >= limit {
			continue
		}
		if a.chars[int(b)%len(a.chars)] != want[i] {
			return false, true
		}
		i++
	}
	return i == len(want), i == len(want)
}
