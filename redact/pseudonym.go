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
// ghs_, ghr_, github_pat_) and the 40-hex-digit tokens and client secrets of
// older servers.
var TokenPattern = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{16,251}|github_pat_[A-Za-z0-9_]{22,255}|[0-9a-f]{40})\b`)

// alphabet is a class of characters a pseudonym is drawn from. tag is the
// number of trailing characters that form the keyed tag (about 40 bits).
type alphabet struct {
	name  string
	chars string
	tag   int
	set   *[256]bool
}

func newAlphabet(name, chars string, tag int) alphabet {
	var set [256]bool
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	return alphabet{name, chars, tag, &set}
}

var (
	digits     = newAlphabet("digits", "0123456789", 12)
	hexLower   = newAlphabet("hex", "0123456789abcdef", 10)
	hexUpper   = newAlphabet("HEX", "0123456789ABCDEF", 10)
	alnum      = newAlphabet("alnum", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 7)
	patChars   = newAlphabet("pat", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", 7)
	unreserved = newAlphabet("unreserved", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", 7)
	printable  = newAlphabet("printable", printableChars(), 7)

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
	pool sync.Pool // of hash.Hash (HMAC-SHA256 under the key)

	// cache holds recent pseudonyms (the same Basic credentials and tokens
	// recur in every interaction); it is dropped when it grows too big.
	mu    sync.Mutex
	cache map[string]string
}

const cacheSize = 4096

func newDeriver(key []byte) *deriver {
	k := append([]byte(nil), key...)
	return &deriver{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}}
}

// draw appends n characters of a, derived from (domain, a, prefix, input),
// to dst. The tag domain ('t') leaves the alphabet out of the HMAC input,
// so the classes that share a tag length share one HMAC when recognising a
// pseudonym (see tagsFor).
func (d *deriver) draw(dst []byte, domain byte, a alphabet, prefix, input string, n int) []byte {
	if n <= 0 {
		return dst
	}
	h := d.pool.Get().(hash.Hash)
	defer d.pool.Put(h)
	limit := 256 - 256%len(a.chars) // rejection sampling keeps the draw uniform
	var sum [sha256.Size]byte
	var ctr [4]byte
	for block := uint32(0); n > 0; block++ {
		h.Reset()
		binary.BigEndian.PutUint32(ctr[:], block)
		h.Write([]byte{domain})
		if domain != 't' {
			h.Write([]byte(a.name))
		}
		h.Write([]byte{0})
		h.Write([]byte(prefix))
		h.Write([]byte{0})
		h.Write([]byte(input))
		h.Write([]byte{0})
		h.Write(ctr[:])
		for _, b := range h.Sum(sum[:0]) {
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

// tagLen is how many trailing characters of an n-character pseudonym in a
// are its tag.
func tagLen(a alphabet, n int) int { return min(a.tag, n) }

// pseudonym returns the pseudonym of body (without its prefix) in a: the
// first n-t characters derived from body, the last t a keyed tag over them.
func (d *deriver) pseudonym(a alphabet, prefix, body string) string {
	n := utf8.RuneCountInString(body)
	t := tagLen(a, n)
	out := make([]byte, 0, n)
	out = d.draw(out, 'p', a, prefix, body, n-t)
	out = d.draw(out, 't', a, prefix, string(out), t)
	return string(out)
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
	d.mu.Lock()
	p, ok := d.cache[s]
	d.mu.Unlock()
	if ok {
		return p
	}
	p = d.derive(s)
	d.mu.Lock()
	if len(d.cache) >= cacheSize {
		d.cache = nil
	}
	if d.cache == nil {
		d.cache = make(map[string]string)
	}
	d.cache[s] = p
	d.mu.Unlock()
	return p
}

func (d *deriver) derive(s string) string {
	for _, p := range tokenPrefixes {
		if body, ok := strings.CutPrefix(s, p.prefix); ok && body != "" {
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

// recognise reports whether body is a pseudonym in preferred or in any
// class holding it. Classes with the same tag length tag the same head, so
// their tags come from one HMAC stream, mapped into each alphabet.
func (d *deriver) recognise(prefix, body string, preferred *alphabet) bool {
	if len(body) == 0 || !printable.holds(body) {
		return false
	}
	var stream []byte
	streamFor := -1
	check := func(a alphabet) bool {
		if !a.holds(body) {
			return false
		}
		t := tagLen(a, len(body))
		head := body[:len(body)-t]
		if streamFor != t {
			stream, streamFor = d.bytes(stream[:0], 't', prefix, head, 64), t
		}
		return mapsTo(stream, a, body[len(head):])
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

// bytes appends at least n bytes of the HMAC stream of (domain, prefix,
// input) to dst: the bytes draw maps into an alphabet.
func (d *deriver) bytes(dst []byte, domain byte, prefix, input string, n int) []byte {
	h := d.pool.Get().(hash.Hash)
	defer d.pool.Put(h)
	var ctr [4]byte
	for block := uint32(0); len(dst) < n; block++ {
		h.Reset()
		binary.BigEndian.PutUint32(ctr[:], block)
		h.Write([]byte{domain})
		h.Write([]byte{0})
		h.Write([]byte(prefix))
		h.Write([]byte{0})
		h.Write([]byte(input))
		h.Write([]byte{0})
		h.Write(ctr[:])
		dst = h.Sum(dst)
	}
	return dst
}

// mapsTo reports whether the stream, mapped into a as draw maps it, begins
// with want. A stream too short to decide says no (then the slow path
// would be needed; 64 bytes cover every tag with overwhelming odds).
func mapsTo(stream []byte, a alphabet, want string) bool {
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
			return false
		}
		i++
	}
	return i == len(want)
}
