package redact

import (
	"bytes"
	"encoding/json"
	"strings"
)

// body redacts a request or response body according to its content type:
// JSON and form bodies field by field, anything else as text.
func (r *Redactor) body(s, ctype string, response bool) string {
	if s == "" {
		return s
	}
	trimmed := strings.TrimSpace(s)
	switch {
	case strings.Contains(ctype, "json") || ctype == "" && (strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[")):
		if out, ok := r.json(s); ok {
			return out
		}
	case strings.Contains(ctype, "x-www-form-urlencoded") || ctype == "" && looksLikeForm(trimmed):
		return r.pairs(s)
	}
	return r.text(s)
}

// jsonValue is a string or scalar value in a JSON document.
type jsonValue struct {
	start, end int    // the raw bytes s[start:end], quotes included for strings
	key        string // the name of the member holding it ("" in a top-level array)
	obj        int    // index of the object holding it, -1 if none
	str        bool
}

// scanJSON lists the scalar values of a valid JSON document with the key
// and object they belong to. Values inside an array take the key and
// object of the member holding the array.
func scanJSON(s string) []jsonValue {
	type frame struct {
		obj       bool
		expectKey bool
		key       string
		id        int
	}
	var (
		stack []frame
		vals  []jsonValue
		objs  int
	)
	owner := func() (string, int) {
		if len(stack) == 0 {
			return "", -1
		}
		f := stack[len(stack)-1]
		return f.key, f.id
	}
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case ':':
			stack[len(stack)-1].expectKey = false
			i++
		case ',':
			if top := &stack[len(stack)-1]; top.obj {
				top.expectKey = true
			}
			i++
		case '{':
			stack = append(stack, frame{obj: true, expectKey: true, id: objs})
			objs++
			i++
		case '[':
			key, id := owner()
			stack = append(stack, frame{key: key, id: id})
			i++
		case '}', ']':
			stack = stack[:len(stack)-1]
			i++
		case '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j++ // past the closing quote
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
				stack[n-1].key = unquote(s[i:j])
			} else {
				key, obj := owner()
				vals = append(vals, jsonValue{start: i, end: j, key: key, obj: obj, str: true})
			}
			i = j
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(",}] \t\n\r", rune(s[j])) {
				j++
			}
			key, obj := owner()
			vals = append(vals, jsonValue{start: i, end: j, key: key, obj: obj})
			i = j
		}
	}
	return vals
}

// json redacts a JSON document, keeping its layout and key order: only the
// values it replaces change. ok is false when s is not valid JSON.
func (r *Redactor) json(s string) (string, bool) {
	if !json.Valid([]byte(s)) {
		return "", false
	}
	vals := scanJSON(s)
	// The token of each object, for its hashed_token and token_last_eight.
	type derived struct{ token, pseudo, hashed, last8 string }
	objs := map[int]*derived{}
	for _, v := range vals {
		if v.str && v.obj >= 0 && v.key == "token" {
			if t := unquote(s[v.start:v.end]); t != "" {
				p := r.value(t)
				h, l := derivedFields(p)
				objs[v.obj] = &derived{t, p, h, l}
			}
		}
	}

	var out strings.Builder
	out.Grow(len(s))
	last := 0
	for _, v := range vals {
		raw := s[v.start:v.end]
		var repl string
		if !v.str {
			if !IsSecretField(v.key) || !digits.holds(raw) {
				continue
			}
			repl = r.Secret(raw)
		} else {
			old := unquote(raw)
			d := objs[v.obj]
			var nv string
			switch {
			// An object without its token (GitHub blanks it after
			// creation) keeps pseudonyms of its own hash and last eight,
			// fixed points like any other.
			case v.key == "hashed_token" && old != "":
				if d != nil {
					nv = d.hashed
				} else {
					nv = r.Secret(old)
				}
			case v.key == "token_last_eight" && old != "":
				if d != nil {
					nv = d.last8
				} else {
					nv = r.Secret(old)
				}
			case v.key == "token" && d != nil && d.token == old:
				nv = d.pseudo
			default:
				nv = r.field(v.key, old)
			}
			if nv == old {
				continue
			}
			repl = quote(nv)
		}
		out.WriteString(s[last:v.start])
		out.WriteString(repl)
		last = v.end
	}
	if last == 0 {
		return s, true
	}
	out.WriteString(s[last:])
	return out.String(), true
}

func unquote(raw string) string {
	if len(raw) >= 2 && raw[0] == '"' && strings.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1]
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return raw
	}
	return s
}

func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
