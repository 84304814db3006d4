package replay

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// decodeOrdered decodes JSON keeping objects as [object], with
// encoding/json's tokenizer: the reference parseJSON is held to.
func decodeOrdered(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var value func() (any, error)
	value = func() (any, error) {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch d := t.(type) {
		case json.Delim:
			switch d {
			case '{':
				var o object
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return nil, err
					}
					k, _ := kt.(string)
					v, err := value()
					if err != nil {
						return nil, err
					}
					o = append(o, schemas.Member{Key: k, Value: v})
				}
				_, err := dec.Token()
				return o, err
			case '[':
				a := []any{}
				for dec.More() {
					v, err := value()
					if err != nil {
						return nil, err
					}
					a = append(a, v)
				}
				_, err := dec.Token()
				return a, err
			}
		}
		return t, nil
	}
	return value()
}

var parseSeeds = []string{
	``, ` `, `{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `01`, `1.`, `1.5e+3`, `-`, `"`, `"a`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, `"\x"`,
	"\"\xff\xfe\"", "\"caf\xc3\xa9\"", "\"tab\there\"", `{"a":1,"a":2}`, `{"a":{"token":"x","token":1}}`, `{"a" : [1, {"b":null}] } `,
	`{"a":1,}`, `[1,]`, `{"a"}`, `{1:2}`, `[1 2]`, `{"a":1}{}`, `{"a":1} x`, "\ufeff{}", " \t\r\n{}\n", `[[[[]]]]`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"id":1,"token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","hashed_token":"25f9","app":{"client_id":"Iv1.8a61f9b3a7aba766"}}`,
	`tru`, `nul`, `falsey`, `"\/\b\f\n\r\t\"\\"`,
}

// FuzzParseJSON holds the one-pass parser lint reads bodies with to
// encoding/json: the same verdict as json.Valid, the same ordered value
// as its tokenizer gives, and, as a plain value, what its decoder gives
// with UseNumber (which schema validation reads).
func FuzzParseJSON(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseJSON(s)
		if valid := json.Valid([]byte(s)); ok != valid {
			t.Fatalf("parseJSON(%q) ok = %v, json.Valid = %v", s, ok, valid)
		}
		if !ok {
			return
		}
		want, err := decodeOrdered(s)
		if err != nil {
			t.Fatalf("decodeOrdered(%q): %v", s, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parseJSON(%q) = %#v, want %#v", s, got, want)
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		var plain any
		if err := dec.Decode(&plain); err != nil || dec.More() {
			t.Fatalf("decode %q: %v", s, err)
		}
		if p := plainJSON(got); !reflect.DeepEqual(p, plain) {
			t.Fatalf("plainJSON(%q) = %#v, want %#v", s, p, plain)
		}
	})
}

// plainJSON is a value of parseJSON as encoding/json decodes it into an
// any with UseNumber: objects as map[string]any, the last of duplicate
// members kept.
func plainJSON(t any) any {
	switch x := t.(type) {
	case object:
		m := make(map[string]any, len(x))
		for _, mb := range x {
			m[mb.Key] = plainJSON(mb.Value)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, v := range x {
			a[i] = plainJSON(v)
		}
		return a
	}
	return t
}
