package cassettes

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// emitter writes go-vcr v3 cassette entries as block YAML by hand, in the layout
// yaml.v3 gives them (four-space indent, sorted header names), an order of
// magnitude faster than yaml.v3's reflective encoder: writing a long
// recording's cassette when it stops is what this is for. Every string is
// written in a style that reads back exactly (plain only when no YAML
// resolution can change it, else single-quoted, double-quoted with
// escapes (multi-line text too), or !!binary for bytes that are not UTF-8); FuzzMarshal holds that yaml.v3 decodes what
// it writes into the interactions it was given.
type emitter struct {
	b []byte
}

// item appends one interaction's list entry without its id line: the
// request and response blocks. A journal record holds exactly these bytes,
// so a cassette is assembled from its journal without decoding anything.
func (e *emitter) item(it *cassette.Interaction) {
	e.b = append(e.b, "      request:\n"...)
	e.request(&it.Request, 8)
	e.b = append(e.b, "      response:\n"...)
	e.response(&it.Response, 8)
}

// assemble writes a cassette from items (as [emitter.item] writes them),
// numbering them from 0.
func assemble(items [][]byte) []byte {
	n := 64
	for _, it := range items {
		n += len(it) + 16
	}
	b := make([]byte, 0, n)
	b = append(b, "---\nversion: 2\n"...)
	if len(items) == 0 {
		return append(b, "interactions: []\n"...)
	}
	b = append(b, "interactions:\n"...)
	for k, it := range items {
		b = append(b, "    - id: "...)
		b = strconv.AppendInt(b, int64(k), 10)
		b = append(b, '\n')
		b = append(b, it...)
	}
	return b
}

// items encodes each interaction as [emitter.item] does.
func items(interactions []*cassette.Interaction) [][]byte {
	out := make([][]byte, len(interactions))
	var e emitter
	for k, it := range interactions {
		e.b = make([]byte, 0, sizeHint(it))
		e.item(it)
		out[k] = e.b
	}
	return out
}

// sizeHint is a capacity that holds the entry of it, unless its bodies
// need many escapes.
func sizeHint(it *cassette.Interaction) int {
	return 2048 + len(it.Request.Body) + len(it.Response.Body)
}

func (e *emitter) request(r *cassette.Request, ind int) {
	e.str(ind, "proto", r.Proto)
	e.int(ind, "proto_major", int64(r.ProtoMajor))
	e.int(ind, "proto_minor", int64(r.ProtoMinor))
	e.int(ind, "content_length", r.ContentLength)
	e.list(ind, "transfer_encoding", r.TransferEncoding)
	e.header(ind, "trailer", r.Trailer)
	e.str(ind, "host", r.Host)
	e.str(ind, "remote_addr", r.RemoteAddr)
	e.str(ind, "request_uri", r.RequestURI)
	e.str(ind, "body", r.Body)
	e.header(ind, "form", http.Header(url.Values(r.Form)))
	e.header(ind, "headers", r.Headers)
	e.str(ind, "url", r.URL)
	e.str(ind, "method", r.Method)
}

func (e *emitter) response(r *cassette.Response, ind int) {
	e.str(ind, "proto", r.Proto)
	e.int(ind, "proto_major", int64(r.ProtoMajor))
	e.int(ind, "proto_minor", int64(r.ProtoMinor))
	e.list(ind, "transfer_encoding", r.TransferEncoding)
	e.header(ind, "trailer", r.Trailer)
	e.int(ind, "content_length", r.ContentLength)
	e.key(ind, "uncompressed")
	e.b = strconv.AppendBool(e.b, r.Uncompressed)
	e.b = append(e.b, '\n')
	e.str(ind, "body", r.Body)
	e.header(ind, "headers", r.Headers)
	e.str(ind, "status", r.Status)
	e.int(ind, "code", int64(r.Code))
	// A duration starts with a digit or '-' and holds only digits, '.',
	// unit letters and 'µ': it is always single-quoted.
	e.key(ind, "duration")
	e.b = append(e.b, '\'')
	e.b = appendDuration(e.b, r.Duration)
	e.b = append(e.b, '\'', '\n')
}

// appendDuration appends d.String() to b, without allocating: "1h2m3.5s",
// "961.501µs", "0s".
func appendDuration(b []byte, d time.Duration) []byte {
	var buf [32]byte // the longest is "-2562047h47m16.854775808s"
	w := len(buf)
	u := uint64(d)
	if d < 0 {
		u = -u
	}
	w--
	buf[w] = 's'
	if u < uint64(time.Second) {
		// Below a second, in the largest unit that keeps an integer part.
		var prec int
		w--
		switch {
		case u == 0:
			return append(b, "0s"...)
		case u < uint64(time.Microsecond):
			prec = 0
			buf[w] = 'n'
		case u < uint64(time.Millisecond):
			prec = 3
			w--
			copy(buf[w:], "µ")
		default:
			prec = 6
			buf[w] = 'm'
		}
		w, u = durationFrac(buf[:w], u, prec)
		w = durationInt(buf[:w], u)
	} else {
		w, u = durationFrac(buf[:w], u, 9)
		w = durationInt(buf[:w], u%60) // seconds
		if u /= 60; u > 0 {
			w--
			buf[w] = 'm'
			w = durationInt(buf[:w], u%60) // minutes
			if u /= 60; u > 0 {
				w--
				buf[w] = 'h'
				w = durationInt(buf[:w], u) // hours
			}
		}
	}
	if d < 0 {
		w--
		buf[w] = '-'
	}
	return append(b, buf[w:]...)
}

// durationFrac writes the fraction of v/10**prec (".12345") at the end of
// buf, without its trailing zeros, and without the point when it is 0.
// It returns where it starts and v/10**prec.
func durationFrac(buf []byte, v uint64, prec int) (int, uint64) {
	w := len(buf)
	digits := false
	for range prec {
		digit := v % 10
		digits = digits || digit != 0
		if digits {
			w--
			buf[w] = byte(digit) + '0'
		}
		v /= 10
	}
	if digits {
		w--
		buf[w] = '.'
	}
	return w, v
}

// durationInt writes v at the end of buf and returns where it starts.
func durationInt(buf []byte, v uint64) int {
	w := len(buf)
	for {
		w--
		buf[w] = byte(v%10) + '0'
		if v /= 10; v == 0 {
			return w
		}
	}
}

// spaces is a run of spaces indentation is cut from.
const spaces = "                                                                "

func (e *emitter) indent(n int) {
	for n > len(spaces) {
		e.b = append(e.b, spaces...)
		n -= len(spaces)
	}
	e.b = append(e.b, spaces[:n]...)
}

func (e *emitter) key(ind int, k string) {
	e.indent(ind)
	e.b = append(e.b, k...)
	e.b = append(e.b, ": "...)
}

func (e *emitter) int(ind int, k string, v int64) {
	e.key(ind, k)
	e.b = strconv.AppendInt(e.b, v, 10)
	e.b = append(e.b, '\n')
}

func (e *emitter) str(ind int, k, v string) {
	e.key(ind, k)
	e.scalar(v)
	e.b = append(e.b, '\n')
}

func (e *emitter) list(ind int, k string, vs []string) {
	e.indent(ind)
	e.b = append(e.b, k...)
	if len(vs) == 0 {
		e.b = append(e.b, ": []\n"...)
		return
	}
	e.b = append(e.b, ":\n"...)
	e.items(ind+4, vs)
}

func (e *emitter) items(ind int, vs []string) {
	for _, v := range vs {
		e.indent(ind)
		e.b = append(e.b, "- "...)
		e.scalar(v)
		e.b = append(e.b, '\n')
	}
}

// header writes a map of string lists (headers, trailers, form values)
// with its keys sorted, as yaml.v3 does.
func (e *emitter) header(ind int, k string, h http.Header) {
	e.indent(ind)
	e.b = append(e.b, k...)
	if len(h) == 0 {
		e.b = append(e.b, ": {}\n"...)
		return
	}
	e.b = append(e.b, ":\n"...)
	// Recorded headers are few: they are sorted on the stack.
	var stack [16]headerField
	fields := stack[:0]
	for name, vs := range h {
		fields = append(fields, headerField{name, vs})
	}
	sortFields(fields)
	for _, f := range fields {
		e.indent(ind + 4)
		if len(f.name) > maxImplicitKey {
			// YAML limits implicit keys to 1024 characters: use an explicit one.
			e.b = append(e.b, "? "...)
			e.scalar(f.name)
			e.b = append(e.b, '\n')
			e.indent(ind + 4)
		} else {
			e.scalar(f.name)
		}
		if len(f.vs) == 0 {
			e.b = append(e.b, ": []\n"...)
		} else {
			e.b = append(e.b, ":\n"...)
			e.items(ind+8, f.vs)
		}
	}
}

// headerField is one name of a header and its values.
type headerField struct {
	name string
	vs   []string
}

// sortFields sorts fields by name (insertion sort for the few a header
// usually has).
func sortFields(fields []headerField) {
	if len(fields) > 16 {
		slices.SortFunc(fields, func(a, b headerField) int { return strings.Compare(a.name, b.name) })
		return
	}
	for i := 1; i < len(fields); i++ {
		for j := i; j > 0 && fields[j].name < fields[j-1].name; j-- {
			fields[j], fields[j-1] = fields[j-1], fields[j]
		}
	}
}

// maxImplicitKey is the longest key written as "key: value".
const maxImplicitKey = 1000

// scalar writes s in the first style that reads back as exactly s.
//
// The styles are tried in order: plain, then single-quoted, which one pass
// over s both checks and writes; only a string that is neither (not UTF-8,
// or holding a line break or another character a single-quoted scalar
// cannot) is looked at again.
func (e *emitter) scalar(s string) {
	if plainSafe(s) {
		e.b = append(e.b, s...)
		return
	}
	if e.singleQuoted(s) {
		return
	}
	if !utf8.ValidString(s) {
		e.b = append(e.b, "!!binary "...)
		e.b = base64.StdEncoding.AppendEncode(e.b, []byte(s))
		return
	}
	e.quoted(s)
}

// singleQuoted writes s as a single-quoted scalar and reports true when
// that reads back as s: when s is UTF-8 and every rune of it is a
// printableRune other than a tab. Otherwise it writes nothing and reports
// false.
func (e *emitter) singleQuoted(s string) bool {
	start := len(e.b)
	e.b = append(e.b, '\'')
	run := 0 // s[run:i] is yet to be written
	for i := 0; i < len(s); {
		// Eight bytes at a time while they hold nothing but printable
		// ASCII other than a quote.
		for i+8 <= len(s) && !special8(load64(s, i)) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		switch c := s[i]; {
		case c == '\'':
			e.b = append(e.b, s[run:i+1]...)
			e.b = append(e.b, '\'')
			i++
			run = i
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 || !printableRune(r) {
				e.b = e.b[:start]
				return false
			}
			i += n
		case c < 0x20 || c == 0x7f:
			e.b = e.b[:start]
			return false
		default:
			i++
		}
	}
	e.b = append(e.b, s[run:]...)
	e.b = append(e.b, '\'')
	return true
}

// load64 reads s[i:i+8] as a little-endian word (one load on amd64 and
// arm64).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// special8 reports whether any byte of x is not printable ASCII (below
// 0x20, 0x7f, or not ASCII) or is a single quote (0x27). Each term sets
// the high bit of the bytes it looks for: x those not ASCII, x+1 0x7f,
// x-0x20 those below 0x20, (x XOR 0x27)-1 quotes. Carries and borrows
// spread only from bytes already marked, and bytes not ASCII are marked
// anyway: a word is marked exactly when it holds such a byte.
func special8(x uint64) bool {
	const ones = 0x0101010101010101
	return (x|(x+ones)|(x-0x20*ones)|((x^'\''*ones)-ones))&(0x80*ones) != 0
}

// quoted writes a double-quoted scalar, escaping what YAML requires.
func (e *emitter) quoted(s string) {
	const hex = "0123456789ABCDEF"
	e.b = append(e.b, '"')
	run := 0 // s[run:i] is yet to be written
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if quoteEscape[c] == 0 {
				i++
				continue
			}
			e.b = append(e.b, s[run:i]...)
			switch esc := quoteEscape[c]; esc {
			case 'x':
				e.b = append(e.b, '\\', 'x', hex[c>>4], hex[c&0xf])
			default:
				e.b = append(e.b, '\\', esc)
			}
			i++
			run = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			// Not UTF-8 (scalar writes such strings as !!binary).
			e.b = append(e.b, s[run:i]...)
			e.b = utf8.AppendRune(e.b, r)
			i++
			run = i
		case !printableRune(r):
			e.b = append(e.b, s[run:i]...)
			e.b = append(e.b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
			i += n
			run = i
		default:
			i += n
		}
	}
	e.b = append(e.b, s[run:]...)
	e.b = append(e.b, '"')
}

// quoteEscape is, for each ASCII byte, the letter of its escape in a
// double-quoted scalar ('x' for \xXX), or 0 when it stands as itself.
var quoteEscape = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		if c < 0x20 || c == 0x7f {
			t[c] = 'x'
		}
	}
	t['"'], t['\\'] = '"', '\\'
	t['\n'], t['\t'], t['\r'] = 'n', 't', 'r'
	return t
}()

// printableRune reports whether YAML allows r unescaped in a scalar: not
// a control character, not one of the characters YAML treats as a line
// break (U+0085, U+2028, U+2029), not a byte-order mark, not a surrogate
// or non-character.
func printableRune(r rune) bool {
	switch {
	case r == '\t':
		return true
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return false
	case r == 0x2028 || r == 0x2029 || r == 0xFEFF:
		return false
	case r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
		return false
	}
	return r <= 0x10FFFF
}

// plainSafe reports whether s can be written without quotes and still be
// read as exactly the string s: ASCII text that starts with a letter or
// '/', holds no YAML indicator that matters inside a plain scalar, and is
// none of the words YAML resolves to null or a boolean.
func plainSafe(s string) bool {
	if s == "" || len(s) > 200 || plainByte[s[0]]&plainStart == 0 {
		return false
	}
	if last := s[len(s)-1]; last == ' ' || last == ':' {
		return false
	}
	// One branch-free pass gathers the classes; ": " is looked for only
	// when there is a colon.
	var seen byte
	i := 0
	for ; i+4 <= len(s); i += 4 {
		seen |= plainByte[s[i]] | plainByte[s[i+1]] | plainByte[s[i+2]] | plainByte[s[i+3]]
	}
	for ; i < len(s); i++ {
		seen |= plainByte[s[i]]
	}
	if seen&plainNo != 0 || seen&plainColon != 0 && strings.Contains(s, ": ") {
		return false
	}
	if len(s) <= 5 {
		for _, w := range [...]string{"null", "true", "false", "yes", "no", "on", "off", "y", "n"} {
			if len(w) == len(s) && strings.EqualFold(w, s) {
				return false
			}
		}
	}
	return true
}

// Classes of bytes in a plain scalar, bits of plainByte.
const (
	plainNo    = 1 << iota // not in a plain scalar
	plainStart             // may start it (a letter or '/')
	plainColon             // ':', unless a space follows
)

// plainByte is the class of each byte in a plain scalar.
var plainByte = func() (t [256]byte) {
	for c := range t {
		if c < 0x20 || c >= 0x7f {
			t[c] = plainNo
		}
	}
	for _, c := range []byte("#'\"`{}[]|>&*!%@\\") {
		t[c] = plainNo
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = plainStart, plainStart
	}
	t['/'] = plainStart
	t[':'] = plainColon
	return t
}()
