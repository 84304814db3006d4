package replay

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/oauthcompat/oauthcompat/internal/jsonlex"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// parseJSON decodes s in one pass, as decodeOrdered does (objects as
// [object], members in order and duplicates kept; numbers as
// json.Number), and reports whether s is valid JSON exactly as
// json.Valid decides; the value is nil when it is not. Strings without
// an escape or invalid UTF-8 (nearly all) are taken from s without a
// copy; any other is unquoted by encoding/json itself, so every string
// is what its decoder gives.
func parseJSON(s string) (any, bool) {
	p := parsers.Get().(*jsonParser)
	defer func() {
		// Let go of the values; keep small stacks only.
		clear(p.members[:p.peakMembers])
		clear(p.items[:p.peakItems])
		m, it := p.members[:0], p.items[:0]
		if cap(m) > maxKeptStack {
			m = nil
		}
		if cap(it) > maxKeptStack {
			it = nil
		}
		*p = jsonParser{members: m, items: it}
		parsers.Put(p)
	}()
	p.s = s
	p.space()
	v, ok := p.value()
	if !ok {
		return nil, false
	}
	p.space()
	if p.i != len(s) {
		return nil, false
	}
	return v, true
}

// parsers keeps the parsers' stacks from one body to the next.
var parsers = sync.Pool{New: func() any { return new(jsonParser) }}

// maxJSONDepth is the nesting encoding/json's checker allows.
const maxJSONDepth = 10000

type jsonParser struct {
	s       string
	i       int
	depth   int
	members []schemas.Member // the members of the objects being read
	items   []any            // the items of the arrays being read

	peakMembers, peakItems int // the most either held
}

// maxKeptStack bounds the stacks a parser keeps for the next body.
const maxKeptStack = 1 << 12

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, bool) {
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		if v, ok := p.str(); ok {
			return v, true
		}
		return nil, false
	case c == '-' || '0' <= c && c <= '9':
		start := p.i
		end, ok := jsonlex.Number(p.s, p.i)
		if !ok {
			return nil, false
		}
		p.i = end
		return json.Number(p.s[start:end]), true
	}
	rest := p.s[p.i:]
	switch {
	case strings.HasPrefix(rest, "true"):
		p.i += 4
		return true, true
	case strings.HasPrefix(rest, "false"):
		p.i += 5
		return false, true
	case strings.HasPrefix(rest, "null"):
		p.i += 4
		return nil, true
	}
	return nil, false
}

// object reads an object; its members are gathered on p.members and
// copied out once, so an object costs one allocation of its size.
func (p *jsonParser) object() (any, bool) {
	if p.depth++; p.depth > maxJSONDepth {
		return nil, false
	}
	p.i++ // {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return object(nil), true
	}
	base := len(p.members)
	defer func() { p.members = p.members[:base] }()
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		p.members = append(p.members, schemas.Member{Key: k, Value: v})
		p.peakMembers = max(p.peakMembers, len(p.members))
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			p.depth--
			return append(object(nil), p.members[base:]...), true
		default:
			return nil, false
		}
	}
}

// array reads an array, its items gathered on p.items.
func (p *jsonParser) array() (any, bool) {
	if p.depth++; p.depth > maxJSONDepth {
		return nil, false
	}
	p.i++ // [
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return []any{}, true
	}
	base := len(p.items)
	defer func() { p.items = p.items[:base] }()
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		p.items = append(p.items, v)
		p.peakItems = max(p.peakItems, len(p.items))
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			p.depth--
			return append([]any{}, p.items[base:]...), true
		default:
			return nil, false
		}
	}
}

// str scans a string from its opening quote. As encoding/json, it accepts
// any byte from 0x20 up (invalid UTF-8 included) and the escapes \" \\ \/
// \b \f \n \r \t \uXXXX.
func (p *jsonParser) str() (string, bool) {
	s, start := p.s, p.i
	i, esc, ascii := p.i+1, false, true
	for {
		// Eight plain ASCII bytes at a time: most of a body.
		for i+8 <= len(s) && plainASCII8(s[i:i+8]) {
			i += 8
		}
		if i >= len(s) {
			return "", false
		}
		switch c := s[i]; {
		case c == '"':
			p.i = i + 1
			text := s[start+1 : i]
			if !esc && (ascii || utf8.ValidString(text)) {
				return text, true
			}
			var out string
			if json.Unmarshal([]byte(s[start:p.i]), &out) != nil {
				return "", false
			}
			return out, true
		case c == '\\':
			esc = true
			if i+1 >= len(s) {
				return "", false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) {
					return "", false
				}
				for k := i + 2; k < i+6; k++ {
					if !jsonlex.IsHex(s[k]) {
						return "", false
					}
				}
				i += 6
			default:
				return "", false
			}
		case c < 0x20:
			return "", false
		default:
			ascii = ascii && c < utf8.RuneSelf
			i++
		}
	}
}

// memberValue is the value of the object's member k as a map of it holds it:
// the last member named k; nil when there is none.
func memberValue(o object, k string) any {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].Key == k {
			return o[i].Value
		}
	}
	return nil
}

// lastOfName reports, for each member of o in turn, whether it is the
// last of its name: the one a map of the object holds. last is nil for a
// small object (its members are compared), else an index by name.
func lastOfName(o object, i int, last map[string]int) bool {
	if last != nil {
		return last[o[i].Key] == i
	}
	for _, m := range o[i+1:] {
		if m.Key == o[i].Key {
			return false
		}
	}
	return true
}

// lastIndex is the index lastOfName takes for o: nil for a small object.
func lastIndex(o object) map[string]int {
	if len(o) <= 32 {
		return nil
	}
	last := make(map[string]int, len(o))
	for i, m := range o {
		last[m.Key] = i
	}
	return last
}

// plainASCII8 reports whether none of the eight bytes of b ends a run of
// plain string bytes (a quote, a backslash, a control character) or is
// beyond ASCII. Each term is the classic exact test for a zero byte (of
// the word XOR the byte looked for) or for a byte below 0x20.
func plainASCII8(b string) bool {
	x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := x^('"'*ones), x^('\\'*ones)
	return ((q-ones)&^q|(bs-ones)&^bs|(x-0x20*ones)&^x|x)&highs == 0
}
