package catalogen

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// GitHub's descriptions are 10 to 80 MB, of which the catalog needs a few
// hundred kilobytes. Decoding them whole with encoding/json costs most of
// an import, so they are walked with a scanner that only finds where each
// value ends; the values the catalog reads are then decoded (and so
// validated) one by one.

// scanError is malformed JSON at an offset.
type scanError struct {
	off int
	msg string
}

func (e *scanError) Error() string { return e.msg }

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the offset after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, &scanError{len(b), "unexpected end of JSON input inside a string"}
		}
		end := j + k
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for p := end - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return end + 1, nil
		}
		j = end + 1
	}
}

// skipValue returns the offset after the JSON value starting at b[i]
// (after white space). It checks nesting and strings, not every literal:
// the values the catalog reads are decoded, and so checked, later.
func skipValue(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, &scanError{i, "unexpected end of JSON input"}
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		var stack []byte
		for i < len(b) {
			switch c := b[i]; c {
			case '"':
				end, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{', '[':
				stack = append(stack, c)
			case '}', ']':
				open := byte('{')
				if c == ']' {
					open = '['
				}
				if len(stack) == 0 || stack[len(stack)-1] != open {
					return 0, &scanError{i, fmt.Sprintf("invalid character %q: unbalanced brackets", c)}
				}
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, &scanError{len(b), "unexpected end of JSON input: an object or array is not closed"}
	}
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	if j == i {
		return 0, &scanError{i, fmt.Sprintf("invalid character %q looking for a value", b[i])}
	}
	return j, nil
}

// members calls fn with each key and raw value of the JSON object b, and
// the value's offset. b starts at offset base of the whole document, so
// that errors give offsets into it.
func members(b []byte, base int, fn func(key string, val []byte, off int) error) error {
	fail := func(i int, msg string) error { return &scanError{base + i, msg} }
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fail(i, "expected a JSON object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return fail(i, "expected a quoted object key")
		}
		end, err := skipString(b, i)
		if err != nil {
			return fail(len(b), err.Error())
		}
		rawKey := b[i:end]
		var key string
		if bytes.IndexByte(rawKey, '\\') >= 0 {
			if err := json.Unmarshal(rawKey, &key); err != nil {
				return fail(i, "invalid object key")
			}
		} else {
			key = string(rawKey[1 : len(rawKey)-1])
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return fail(i, "expected ':' after an object key")
		}
		start := skipSpace(b, i+1)
		vend, err := skipValue(b, start)
		if err != nil {
			se := err.(*scanError)
			return fail(se.off, se.msg)
		}
		if err := fn(key, b[start:vend], base+start); err != nil {
			return err
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			return fail(i, "unexpected end of JSON input: an object is not closed")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			if rest := skipSpace(b, i+1); rest != len(b) {
				return fail(rest, "invalid character after the top-level value")
			}
			return nil
		default:
			return fail(i, fmt.Sprintf("invalid character %q after an object value", b[i]))
		}
	}
}
