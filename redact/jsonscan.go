package redact

import "strings"

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
	v.space()
	if !v.value("", -1, false) {
		return nil, false
	}
	v.space()
	return v.vals, v.i == len(s)
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
		if !v.number() {
			return false
		}
		if secret {
			v.vals = append(v.vals, jsonValue{start: start, end: v.i, key: key, obj: obj, secret: true})
		}
		return true
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(v.s)-v.i >= len(lit) && v.s[v.i:v.i+len(lit)] == lit {
			v.i += len(lit)
			return true // a literal is never redacted in valid JSON
		}
	}
	return false
}

// keep reports whether a string value that is not secret, has no escape
// and no token shape may be changed by redaction all the same.
func (v *validScan) keep(key string, nonEmpty bool) bool {
	return nonEmpty && (key == "hashed_token" || key == "token_last_eight" || v.ids && isClientIDField(key))
}

func (v *validScan) object(secret bool) bool {
	if v.depth++; v.depth > maxJSONDepth {
		return false
	}
	id := v.objs
	v.objs++
	v.i++ // {
	v.space()
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
		v.space()
		if v.i >= len(v.s) || v.s[v.i] != ':' {
			return false
		}
		v.i++
		v.space()
		if !v.value(key, id, secret || IsSecretField(key)) {
			return false
		}
		v.space()
		if v.i >= len(v.s) {
			return false
		}
		switch v.s[v.i] {
		case ',':
			v.i++
			v.space()
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
	v.space()
	if v.i < len(v.s) && v.s[v.i] == ']' {
		v.i++
		v.depth--
		return true
	}
	for {
		if !v.value(key, obj, secret) {
			return false
		}
		v.space()
		if v.i >= len(v.s) {
			return false
		}
		switch v.s[v.i] {
		case ',':
			v.i++
			v.space()
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
// holds an escape, and whether it may hold a token shape (as mayHoldToken
// decides, in the same pass). As encoding/json, it accepts any byte from
// 0x20 up (invalid UTF-8 included) and the escapes \" \\ \/ \b \f \n
// \r \t \uXXXX.
func (v *validScan) str() (esc, token, ok bool) {
	s := v.s
	run := 0 // lowercase hex digits in a row
	for i := v.i + 1; i < len(s); i++ {
		switch strClass[s[i]] {
		case plainByte:
			run = 0
		case hexByte:
			if run++; run >= 40 {
				token = true
			}
		case underscore:
			run = 0
			// gh[pousr]_ or github_pat_ ends here.
			if i-v.i > 3 && s[i-3] == 'g' && s[i-2] == 'h' && strings.IndexByte("pousr", s[i-1]) >= 0 ||
				i-v.i > 10 && s[i-10:i] == "github_pat" {
				token = true
			}
		case quoteByte:
			v.i = i + 1
			return esc, token, true
		case backslash:
			esc, run = true, 0
			if i++; i >= len(s) {
				return esc, token, false
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s) {
					return esc, token, false
				}
				for _, h := range []byte(s[i+1 : i+5]) {
					if !isHexDigit(h) {
						return esc, token, false
					}
				}
				i += 4
			default:
				return esc, token, false
			}
		default: // a control character
			return esc, token, false
		}
	}
	return esc, token, false
}

// Byte classes inside a JSON string.
const (
	plainByte = iota
	hexByte   // a lowercase hex digit
	underscore
	quoteByte
	backslash
	control
)

var strClass = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = control
	}
	for _, c := range []byte("0123456789abcdef") {
		t[c] = hexByte
	}
	t['_'], t['"'], t['\\'] = underscore, quoteByte, backslash
	return t
}()

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (v *validScan) number() bool {
	s, i := v.s, v.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digitsFrom(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := digitsFrom(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digitsFrom(s, i)
		if j == i {
			return false
		}
		i = j
	}
	v.i = i
	return true
}

func digitsFrom(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
