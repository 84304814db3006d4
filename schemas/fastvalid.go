package schemas

import (
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Object is a JSON object with its members in order, duplicates kept, as
// a decoder that keeps the order gives it. [Version.ValidateDecoded]
// takes it where encoding/json gives a map[string]any: it stands for the
// map, which holds the last of duplicate members.
type Object []Member

// Member is a member of an [Object].
type Member struct {
	Key   string
	Value any
}

// plain is v with every [Object] in it made the map it stands for, as
// jsonschema reads values.
func plain(v any) any {
	switch x := v.(type) {
	case Object:
		m := make(map[string]any, len(x))
		for _, mb := range x {
			m[mb.Key] = plain(mb.Value)
		}
		return m
	case []any:
		if !holdsObject(x) {
			return x
		}
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = plain(e)
		}
		return a
	}
	return v
}

func holdsObject(a []any) bool {
	for _, e := range a {
		switch x := e.(type) {
		case Object:
			return true
		case []any:
			if holdsObject(x) {
				return true
			}
		}
	}
	return false
}

// surelyValid reports whether doc (as encoding/json decodes it with
// UseNumber) is valid against sch, without the cost of the validator's
// error bookkeeping: it knows the keywords GitHub's descriptions use
// (type, enum, format, properties, required, items, maxLength, $ref,
// allOf, anyOf...) and answers false for anything else, for a value that
// fails, and whenever it is not sure. So true means valid, and false means
// "ask jsonschema", which gives the problems. Most recorded answers are
// valid: they cost one walk of the value.
func surelyValid(sch *jsonschema.Schema, doc any) bool {
	return sure(sch, doc, 0)
}

// maxSureDepth bounds the schemas followed ($ref included) before giving
// up on being sure.
const maxSureDepth = 64

func sure(s *jsonschema.Schema, v any, depth int) bool {
	if s == nil {
		return true
	}
	if depth > maxSureDepth {
		return false
	}
	if s.Always != nil {
		return *s.Always
	}
	if s.RecursiveRef != nil || s.DynamicRef != nil || len(s.Constant) > 0 || s.Not != nil || s.If != nil ||
		len(s.OneOf) > 0 || len(s.Extensions) > 0 {
		return false
	}
	if len(s.Types) > 0 && !sureType(s.Types, v) {
		return false
	}
	if len(s.Enum) > 0 && !sureEnum(s.Enum, v) {
		return false
	}
	if s.Format != "" {
		if f := jsonschema.Formats[s.Format]; f != nil && !formatOK(s.Format, f, v) {
			return false
		}
	}
	switch x := v.(type) {
	case map[string]any:
		if !sureObject(s, x, depth) {
			return false
		}
	case Object:
		if !sureMembers(s, x, depth) {
			return false
		}
	case []any:
		if s.MinItems != -1 && len(x) < s.MinItems || s.MaxItems != -1 && len(x) > s.MaxItems ||
			s.UniqueItems || s.AdditionalItems != nil || len(s.PrefixItems) > 0 || s.Contains != nil || s.UnevaluatedItems != nil {
			return false
		}
		var items *jsonschema.Schema
		switch it := s.Items.(type) {
		case nil:
		case *jsonschema.Schema:
			items = it
		default:
			return false
		}
		for _, e := range x {
			if !sure(items, e, depth+1) || !sure(s.Items2020, e, depth+1) {
				return false
			}
		}
	case string:
		if s.MinLength != -1 || s.MaxLength != -1 {
			n := utf8.RuneCountInString(x)
			if s.MinLength != -1 && n < s.MinLength || s.MaxLength != -1 && n > s.MaxLength {
				return false
			}
		}
		if s.Pattern != nil && !s.Pattern.MatchString(x) {
			return false
		}
		if s.ContentEncoding != "" || s.ContentMediaType != "" || s.ContentSchema != nil {
			return false
		}
	case json.Number:
		if s.Minimum != nil || s.ExclusiveMinimum != nil || s.Maximum != nil || s.ExclusiveMaximum != nil || s.MultipleOf != nil {
			return false
		}
	case nil, bool:
	default:
		return false
	}
	if !sure(s.Ref, v, depth+1) {
		return false
	}
	for _, a := range s.AllOf {
		if !sure(a, v, depth+1) {
			return false
		}
	}
	if len(s.AnyOf) > 0 {
		any := false
		for _, a := range s.AnyOf {
			if sure(a, v, depth+1) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	return true
}

// sureObject checks the object keywords of s on x.
func sureObject(s *jsonschema.Schema, x map[string]any, depth int) bool {
	if s.MinProperties != -1 && len(x) < s.MinProperties || s.MaxProperties != -1 && len(x) > s.MaxProperties ||
		s.PropertyNames != nil || s.RegexProperties || len(s.PatternProperties) > 0 || len(s.Dependencies) > 0 ||
		len(s.DependentRequired) > 0 || len(s.DependentSchemas) > 0 || s.UnevaluatedProperties != nil {
		return false
	}
	for _, name := range s.Required {
		if _, ok := x[name]; !ok {
			return false
		}
	}
	switch ap := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		if !ap {
			for name := range x {
				if _, ok := s.Properties[name]; !ok {
					return false
				}
			}
		}
	default:
		return false
	}
	for name, p := range s.Properties {
		if pv, ok := x[name]; ok && !sure(p, pv, depth+1) {
			return false
		}
	}
	return true
}

// sureMembers checks the object keywords of s on x, as sureObject on the
// map x stands for. It checks every member, duplicates too: stricter
// than the map, so still sure.
func sureMembers(s *jsonschema.Schema, x Object, depth int) bool {
	if s.MinProperties != -1 || s.MaxProperties != -1 ||
		s.PropertyNames != nil || s.RegexProperties || len(s.PatternProperties) > 0 || len(s.Dependencies) > 0 ||
		len(s.DependentRequired) > 0 || len(s.DependentSchemas) > 0 || s.UnevaluatedProperties != nil {
		return false
	}
	for _, name := range s.Required {
		if !x.has(name) {
			return false
		}
	}
	closed := false
	switch ap := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		closed = !ap
	default:
		return false
	}
	for _, m := range x {
		p, ok := s.Properties[m.Key]
		if !ok && closed || ok && !sure(p, m.Value, depth+1) {
			return false
		}
	}
	return true
}

func (o Object) has(k string) bool {
	for _, m := range o {
		if m.Key == k {
			return true
		}
	}
	return false
}

// sureType reports whether v is surely of one of types: a number is an
// integer when its literal has no fraction or exponent.
func sureType(types []string, v any) bool {
	var t string
	switch x := v.(type) {
	case nil:
		t = "null"
	case bool:
		t = "boolean"
	case string:
		t = "string"
	case []any:
		t = "array"
	case map[string]any, Object:
		t = "object"
	case json.Number:
		t = "number"
		for _, want := range types {
			if want == "number" || want == "integer" && isIntLiteral(string(x)) {
				return true
			}
		}
		return false
	default:
		return false
	}
	for _, want := range types {
		if want == t {
			return true
		}
	}
	return false
}

func isIntLiteral(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// sureEnum reports whether v, a string, boolean or null, is one of enum.
func sureEnum(enum []any, v any) bool {
	switch v.(type) {
	case string, bool, nil:
	default:
		return false
	}
	for _, e := range enum {
		switch e.(type) {
		case string, bool, nil:
			if e == v {
				return true
			}
		}
	}
	return false
}

// formatOK is f(v), remembered for short strings: the same URLs and
// dates recur in answer after answer, and checking a URL parses it.
// jsonschema's formats (the catalog registers none of its own) are
// functions of the value alone.
func formatOK(name string, f func(any) bool, v any) bool {
	str, ok := v.(string)
	if !ok || len(str) > maxFormatMemoLen {
		return f(v)
	}
	k := formatKey{name, str}
	if r, ok := formatMemo.Load(k); ok {
		return r.(bool)
	}
	r := f(v)
	if formatMemoSize.Add(1) > maxFormatMemo {
		formatMemo.Clear()
		formatMemoSize.Store(0)
	}
	// A copy: str may be a slice of a large body.
	formatMemo.Store(formatKey{name, strings.Clone(str)}, r)
	return r
}

type formatKey struct{ format, value string }

var (
	formatMemo     sync.Map // formatKey → bool
	formatMemoSize atomic.Int64
)

const maxFormatMemo, maxFormatMemoLen = 1 << 14, 256
