package cassettes

// This file holds the entry encoder as it was before it was tuned for
// speed, verbatim but for its names: the reference FuzzEmitterMatchesOrig
// and TestEmitterMatchesOrig hold the current encoder to, byte for byte.

import (
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// origEmitter writes go-vcr v3 cassette entries as block YAML by hand, in the layout
// yaml.v3 gives them (four-space indent, sorted header names), an order of
// magnitude faster than yaml.v3's reflective encoder: writing a long
// recording's cassette when it stops is what this is for. Every string is
// written in a style that reads back exactly (plain only when no YAML
// resolution can change it, else single-quoted, a literal block for
// readable multi-line text, double-quoted with escapes, or !!binary for
// bytes that are not UTF-8); FuzzMarshal holds that yaml.v3 decodes what
// it writes into the interactions it was given.
type origEmitter struct {
	b []byte
}

// item appends one interaction's list entry without its id line: the
// request and response blocks. A journal record holds exactly these bytes,
// so a cassette is assembled from its journal without decoding anything.
func (e *origEmitter) item(it *cassette.Interaction) {
	e.b = append(e.b, "      request:\n"...)
	e.request(&it.Request, 8)
	e.b = append(e.b, "      response:\n"...)
	e.response(&it.Response, 8)
}

// origAssemble writes a cassette from items (as [origEmitter.item] writes them),
// numbering them from 0.
func origAssemble(items [][]byte) []byte {
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

// origItems encodes each interaction as [origEmitter.item] does.
func origItems(interactions []*cassette.Interaction) [][]byte {
	out := make([][]byte, len(interactions))
	var e origEmitter
	for k, it := range interactions {
		e.b = make([]byte, 0, 2048)
		e.item(it)
		out[k] = e.b
	}
	return out
}

func (e *origEmitter) request(r *cassette.Request, ind int) {
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

func (e *origEmitter) response(r *cassette.Response, ind int) {
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
	e.str(ind, "duration", time.Duration(r.Duration).String())
}

// origSpaces is a run of origSpaces indentation is cut from.
const origSpaces = "                                                                "

func (e *origEmitter) indent(n int) {
	for n > len(origSpaces) {
		e.b = append(e.b, origSpaces...)
		n -= len(origSpaces)
	}
	e.b = append(e.b, origSpaces[:n]...)
}

func (e *origEmitter) key(ind int, k string) {
	e.indent(ind)
	e.b = append(e.b, k...)
	e.b = append(e.b, ": "...)
}

func (e *origEmitter) int(ind int, k string, v int64) {
	e.key(ind, k)
	e.b = strconv.AppendInt(e.b, v, 10)
	e.b = append(e.b, '\n')
}

func (e *origEmitter) str(ind int, k, v string) {
	e.key(ind, k)
	e.scalar(v, ind, true)
	e.b = append(e.b, '\n')
}

func (e *origEmitter) list(ind int, k string, vs []string) {
	e.indent(ind)
	e.b = append(e.b, k...)
	if len(vs) == 0 {
		e.b = append(e.b, ": []\n"...)
		return
	}
	e.b = append(e.b, ":\n"...)
	e.items(ind+4, vs)
}

func (e *origEmitter) items(ind int, vs []string) {
	for _, v := range vs {
		e.indent(ind)
		e.b = append(e.b, "- "...)
		e.scalar(v, ind+2, true)
		e.b = append(e.b, '\n')
	}
}

// header writes a map of string lists (headers, trailers, form values)
// with its keys sorted, as yaml.v3 does.
func (e *origEmitter) header(ind int, k string, h http.Header) {
	e.indent(ind)
	e.b = append(e.b, k...)
	if len(h) == 0 {
		e.b = append(e.b, ": {}\n"...)
		return
	}
	e.b = append(e.b, ":\n"...)
	keys := make([]string, 0, len(h))
	for name := range h {
		keys = append(keys, name)
	}
	sort.Strings(keys)
	for _, name := range keys {
		e.indent(ind + 4)
		if len(name) > origMaxImplicitKey {
			// YAML limits implicit keys to 1024 characters: use an explicit one.
			e.b = append(e.b, "? "...)
			e.scalar(name, ind+4, false)
			e.b = append(e.b, '\n')
			e.indent(ind + 4)
		} else {
			e.scalar(name, ind+4, false)
		}
		if vs := h[name]; len(vs) == 0 {
			e.b = append(e.b, ": []\n"...)
		} else {
			e.b = append(e.b, ":\n"...)
			e.items(ind+8, vs)
		}
	}
}

// origMaxImplicitKey is the longest key written as "key: value".
const origMaxImplicitKey = 1000

// scalar writes s in the first style that reads back as exactly s. ind is
// the indentation of the line holding it; block allows a literal block.
func (e *origEmitter) scalar(s string, ind int, block bool) {
	switch {
	case !utf8.ValidString(s):
		e.b = append(e.b, "!!binary "...)
		e.b = base64.StdEncoding.AppendEncode(e.b, []byte(s))
	case origPlainSafe(s):
		e.b = append(e.b, s...)
	case origPrintable(s, false): // no tab, so no line break either
		e.b = append(e.b, '\'')
		for {
			i := strings.IndexByte(s, '\'')
			if i < 0 {
				break
			}
			e.b = append(e.b, s[:i+1]...)
			e.b = append(e.b, '\'')
			s = s[i+1:]
		}
		e.b = append(e.b, s...)
		e.b = append(e.b, '\'')
	case block && origLiteralSafe(s):
		e.literal(s, ind+4)
	default:
		e.quoted(s)
	}
}

// literal writes a multi-line string as a literal block scalar, with the
// chomping indicator that keeps its trailing newlines.
func (e *origEmitter) literal(s string, ind int) {
	body := strings.TrimRight(s, "\n")
	switch trailing := len(s) - len(body); {
	case trailing == 0:
		e.b = append(e.b, "|-"...)
	case trailing == 1:
		e.b = append(e.b, '|')
	default:
		e.b = append(e.b, "|+"...)
	}
	for _, line := range strings.Split(s[:len(body)], "\n") {
		e.b = append(e.b, '\n')
		if line != "" {
			e.indent(ind)
			e.b = append(e.b, line...)
		}
	}
	for range len(s) - len(body) - 1 {
		e.b = append(e.b, '\n')
	}
}

// quoted writes a double-quoted scalar, escaping what YAML requires.
func (e *origEmitter) quoted(s string) {
	const hex = "0123456789ABCDEF"
	e.b = append(e.b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			e.b = append(e.b, '\\', byte(r))
		case r == '\n':
			e.b = append(e.b, '\\', 'n')
		case r == '\t':
			e.b = append(e.b, '\\', 't')
		case r == '\r':
			e.b = append(e.b, '\\', 'r')
		case r < 0x20 || r == 0x7f:
			e.b = append(e.b, '\\', 'x', hex[r>>4], hex[r&0xf])
		case !origPrintableRune(r):
			e.b = append(e.b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			e.b = utf8.AppendRune(e.b, r)
		}
	}
	e.b = append(e.b, '"')
}

// origPrintableRune reports whether YAML allows r unescaped in a scalar: not
// a control character, not one of the characters YAML treats as a line
// break (U+0085, U+2028, U+2029), not a byte-order mark, not a surrogate
// or non-character.
func origPrintableRune(r rune) bool {
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

// origPrintable reports whether every rune of s may stand unescaped; tabs only
// when tabs is true.
func origPrintable(s string, tabs bool) bool {
	// Bytes first: ASCII is decided byte by byte; the runes are decoded
	// only from the first byte that is not ASCII.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return origPrintableRunes(s[i:], tabs)
		}
		if c < 0x20 && (c != '\t' || !tabs) || c == 0x7f {
			return false
		}
	}
	return true
}

// origPrintableRunes is origPrintable, rune by rune.
func origPrintableRunes(s string, tabs bool) bool {
	for _, r := range s {
		if r == '\t' && !tabs || !origPrintableRune(r) {
			return false
		}
	}
	return true
}

// origLiteralSafe reports whether s reads back exactly from a literal block:
// text whose lines hold no carriage return, and which does not start with
// a space or line break (that would need an indentation indicator).
func origLiteralSafe(s string) bool {
	if s == "" || s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || strings.Trim(s, "\n") == "" {
		return false
	}
	if strings.ContainsRune(s, '\r') || !origPrintable(s, false) {
		return false
	}
	// A line of nothing but origSpaces would be taken for indentation.
	for _, line := range strings.Split(s, "\n") {
		if line != "" && strings.TrimLeft(line, " ") == "" {
			return false
		}
	}
	return true
}

// origPlainSafe reports whether s can be written without quotes and still be
// read as exactly the string s: ASCII text that starts with a letter or
// '/', holds no YAML indicator that matters inside a plain scalar, and is
// none of the words YAML resolves to null or a boolean.
func origPlainSafe(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/') {
		return false
	}
	last := s[len(s)-1]
	if last == ' ' || last == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
		switch c {
		case '#', '\'', '"', '`', '{', '}', '[', ']', '|', '>', '&', '*', '!', '%', '@', '\\':
			return false
		case ':':
			if i+1 < len(s) && s[i+1] == ' ' {
				return false
			}
		}
	}
	if len(s) <= 5 {
		switch strings.ToLower(s) {
		case "null", "true", "false", "yes", "no", "on", "off", "y", "n":
			return false
		}
	}
	return true
}

// origAppendRecord appends the journal record of i to dst.
func origAppendRecord(dst []byte, i *cassette.Interaction) []byte {
	e := origEmitter{b: make([]byte, 0, 2048)}
	e.item(i)
	payload := e.b
	dst = append(dst, journalMagic...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, ' ')
	dst = append(dst, fmt.Sprintf("%08x", crc32.Checksum(payload, crcTable))...)
	dst = append(dst, '\n')
	dst = append(dst, payload...)
	dst = append(dst, '\n')
	return dst
}
