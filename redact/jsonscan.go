package redact

import (
	"strings"

	"github.com/oauthcompat/oauthcompat/internal/jsonlex"
)

// validScan checks that s is valid JSON (exactly as [encoding/json.Valid]
// decides) and, in the same pass, lists the values and member names that
// redaction may change, with the key and object scanJSON would give them.
// A value is listed when it is under a secret member, names a derived field
// (hashed_token, token_last_eight), is a client id and client ids are
// pseudonymised, or is a string that may hold a token shape (see
// mayHoldToken; one with an escape always may). Everything else is left
// as it is by [Redactor.jsonSpans], so it is not listed: most of a
// response body (URLs, dates, logins) costs one pass and no allocation.
type validScan struct {
	s     string
	i     int
	objs  int
	depth int
	ids   bool // client ids are pseudonymised
	vals  []jsonValue
}

// maxJSONDepth is the nesting encoding/json's checker allows.
const maxJSONDepth = 10000

// scanValid returns the values of s that redaction may change, and
// whether s is valid JSON.
func scanValid(s string, pseudonymizeIDs bool) ([]jsonValue, bool) {
	v := validScan{s: s, ids: pseudonymizeIDs}
	v.skipSpace()
	if !v.value("", -1, false) {
		return nil, false
	}
	v.skipSpace()
	return v.vals, v.i == len(s)
}

// skipSpace skips white space; JSON from GitHub has none, so the check
// for it is inlined.
func (v *validScan) skipSpace() {
	if v.i < len(v.s) && v.s[v.i] <= ' ' {
		v.space()
	}
}

func (v *validScan) space() {
	for v.i < len(v.s) {
		switch v.s[v.i] {
		case ' ', '\t', '\n', '\r':
			v.i++
		default:
			return
		}
	}
}

// value scans one value held by the member key of object obj (-1 for none)
// and secret when it is under a secret member.
func (v *validScan) value(key string, obj int, secret bool) bool {
	if v.i >= len(v.s) {
		return false
	}
	switch c := v.s[v.i]; {
	case c == '{':
		return v.object(secret)
	case c == '[':
		return v.array(key, obj, secret)
	case c == '"':
		start := v.i
		esc, token, ok := v.str()
		if !ok {
			return false
		}
		if secret || esc || token || v.keep(key, v.i-start > 2) {
			v.vals = append(v.vals, jsonValue{start: start, end: v.i, key: key, obj: obj, str: true, secret: secret})
		}
		return true
	case c == '-' || '0' <= c && c <= '9':
		start := v.i
		end, ok := jsonlex.Number(v.s, v.i)
		if !ok {
			return false
		}
		v.i = end
		if secret {
			v.vals = append(v.vals, jsonValue{start: start, end: v.i, key: key, obj: obj, secret: true})
		}
		return true
	}
	var lit string
	switch v.s[v.i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	case 'n':
		lit = "null"
	default:
		return false
	}
	if !strings.HasPrefix(v.s[v.i:], lit) {
		return false
	}
	v.i += len(lit)
	return true // a literal is never redacted in valid JSON
}

// keep reports whether a string value that is not secret, has no escape
// and no token shape may be changed by redaction all the same.
func (v *validScan) keep(key string, nonEmpty bool) bool {
	return nonEmpty && (key == "hashed_token" || key == "token_last_eight" || v.ids && isClientIDField(key) ||
		len(key) >= 13 && kindOf(key) == authorizationHeader)
}

func (v *validScan) object(secret bool) bool {
	if v.depth++; v.depth > maxJSONDepth {
		return false
	}
	id := v.objs
	v.objs++
	v.i++ // {
	v.skipSpace()
	if v.i < len(v.s) && v.s[v.i] == '}' {
		v.i++
		v.depth--
		return true
	}
	key := ""
	for {
		if v.i >= len(v.s) || v.s[v.i] != '"' {
			return false
		}
		start := v.i
		esc, token, ok := v.str()
		if !ok {
			return false
		}
		raw := v.s[start:v.i]
		if esc || token {
			v.vals = append(v.vals, jsonValue{start: start, end: v.i, key: key, obj: id, str: true, name: true})
		}
		if esc {
			key = unquote(raw)
		} else {
			key = raw[1 : len(raw)-1]
		}
		v.skipSpace()
		if v.i >= len(v.s) || v.s[v.i] != ':' {
			return false
		}
		v.i++
		v.skipSpace()
		if !v.value(key, id, secret || IsSecretField(key)) {
			return false
		}
		v.skipSpace()
		if v.i >= len(v.s) {
			return false
		}
		switch v.s[v.i] {
		case ',':
			v.i++
			v.skipSpace()
		case '}':
			v.i++
			v.depth--
			return true
		default:
			return false
		}
	}
}

func (v *validScan) array(key string, obj int, secret bool) bool {
	if v.depth++; v.depth > maxJSONDepth {
		return false
	}
	v.i++ // [
	v.skipSpace()
	if v.i < len(v.s) && v.s[v.i] == ']' {
		v.i++
		v.depth--
		return true
	}
	for {
		if !v.value(key, obj, secret) {
			return false
		}
		v.skipSpace()
		if v.i >= len(v.s) {
			return false
		}
		switch v.s[v.i] {
		case ',':
			v.i++
			v.skipSpace()
		case ']':
			v.i++
			v.depth--
			return true
		default:
			return false
		}
	}
}

// str scans a string starting at its opening quote, reporting whether it
// holds an escape, and, when it holds none, whether it may hold a token
// shape (see mayHoldToken). As encoding/json, it accepts any byte from 0x20
// up (invalid UTF-8 included) and the escapes \" \\ \/ \b \f \n \r \t
// \uXXXX.
func (v *validScan) str() (esc, token, ok bool) {
	s := v.s
	i := v.i + 1
	for {
		for i+8 <= len(s) && !jsonStop8(load64(s, i)) {
			i += 8
		}
		if i >= len(s) {
			return esc, false, false
		}
		switch c := s[i]; {
		case c == '"':
			text := s[v.i+1 : i]
			v.i = i + 1
			return esc, !esc && (mayHoldToken(text) || mayHoldCredential(text)), true
		case c == '\\':
			esc = true
			if i+1 >= len(s) {
				return esc, false, false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) {
					return esc, false, false
				}
				for _, h := range []byte(s[i+2 : i+6]) {
					if !jsonlex.IsHex(h) {
						return esc, false, false
					}
				}
				i += 6
			default:
				return esc, false, false
			}
		case c < 0x20:
			return esc, false, false
		default:
			i++
		}
	}
}

// mayHoldCredential is a cheap filter before [Redactor.credentials]: a
// scheme word (basic, bearer, token) followed by white space.
func mayHoldCredential(s string) bool {
	if len(s) < 14 {
		return false
	}
	for i := 0; ; i++ {
		j := strings.IndexAny(s[i:], " \t\r\n")
		if j < 0 {
			return false
		}
		i += j
		for _, w := range [...]string{"basic", "token", "bearer"} {
			if i >= len(w) && strings.EqualFold(s[i-len(w):i], w) {
				return true
			}
		}
	}
}

// load64 reads s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// jsonStop8 reports whether any byte of x ends a run of plain string
// bytes: a quote, a backslash or a control character. Each term is the
// classic exact test for a zero byte (of x XOR the byte looked for) or for
// a byte below 0x20.
func jsonStop8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, b := x^('"'*ones), x^('\\'*ones)
	return ((q-ones)&^q|(b-ones)&^b|(x-0x20*ones)&^x)&highs != 0
}
