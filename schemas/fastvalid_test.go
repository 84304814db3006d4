package schemas

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"
)

// sample is a recorded answer of the fixture packs, with its schema.
type sample struct {
	name string
	sch  *jsonschema.Schema
	body string
}

// fixtureSamples reads every JSON answer of the fixture packs (one per
// documented operation and status of each version) with the schema it is
// documented with.
func fixtureSamples(t testing.TB) []sample {
	t.Helper()
	files, err := filepath.Glob("../fixtures/*/govcr/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture packs (%v)", err)
	}
	sort.Strings(files)
	var out []sample
	for _, f := range files {
		// ghes-3.8/govcr/apps.check-token.200-2.yaml
		ver := filepath.Base(filepath.Dir(filepath.Dir(f)))
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		parts := strings.Split(name, ".")
		if len(parts) != 3 {
			continue
		}
		status, err := strconv.Atoi(strings.SplitN(parts[2], "-", 2)[0])
		if err != nil {
			continue
		}
		v, err := Default().Version(ver)
		if err != nil {
			continue
		}
		op, err := v.Operation(parts[0] + "/" + parts[1])
		if err != nil {
			continue
		}
		sch, err := v.Schema(op, status)
		if err != nil || sch == nil {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Interactions []struct {
				Response struct {
					Body string `yaml:"body"`
				} `yaml:"response"`
			} `yaml:"interactions"`
		}
		if err := yaml.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, it := range c.Interactions {
			if json.Valid([]byte(it.Response.Body)) {
				out = append(out, sample{ver + "/" + name, sch, it.Response.Body})
			}
		}
	}
	return out
}

func decodeNumber(t testing.TB, s string) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	return v, true
}

// TestSurelyValidOnFixtures: the shortcut never calls valid what
// jsonschema rejects, and takes every recorded answer jsonschema accepts
// (so validating a recording costs one walk of each answer).
func TestSurelyValidOnFixtures(t *testing.T) {
	samples := fixtureSamples(t)
	if len(samples) < 50 {
		t.Fatalf("only %d fixture answers", len(samples))
	}
	for _, s := range samples {
		v, ok := decodeNumber(t, s.body)
		if !ok {
			continue
		}
		valid := s.sch.Validate(v) == nil
		sure := surelyValid(s.sch, v)
		if sure && !valid {
			t.Errorf("%s: surelyValid, but jsonschema says %v", s.name, s.sch.Validate(v))
		}
		if valid && !sure {
			t.Errorf("%s: valid, but the shortcut is not sure of it (validation takes the slow path)", s.name)
		}
		if valid && !surelyValid(s.sch, ordered(v, false)) {
			t.Errorf("%s: valid, but the shortcut is not sure of it as an Object", s.name)
		}
	}
}

// FuzzSurelyValid holds the shortcut to jsonschema on any document against
// any documented response schema: when it says valid, so does jsonschema.
func FuzzSurelyValid(f *testing.F) {
	samples := fixtureSamples(f)
	for i, s := range samples {
		f.Add(uint(i), s.body)
	}
	f.Add(uint(0), `{"id":"1"}`)
	f.Add(uint(1), `null`)
	f.Add(uint(2), `{"id":1.5,"url":"::","scopes":[1],"created_at":"yesterday"}`)
	f.Fuzz(func(t *testing.T, i uint, body string) {
		s := samples[i%uint(len(samples))]
		v, ok := decodeNumber(t, body)
		if !ok {
			return
		}
		if surelyValid(s.sch, v) {
			if err := s.sch.Validate(v); err != nil {
				t.Fatalf("%s: surelyValid(%q), but jsonschema says %v", s.name, body, err)
			}
		}
	})
}

// TestSurelyValidMutations changes one value of each recorded answer at a
// time (another type, an empty string, a bad URL or date, a fraction, a
// member removed) and holds the shortcut to jsonschema on each.
func TestSurelyValidMutations(t *testing.T) {
	repls := []any{nil, true, json.Number("1"), json.Number("1.5"), json.Number("-2e3"), "", "x", "not a url ::", "2024-13-45T99:00:00Z", []any{}, map[string]any{}}
	var mutate func(v any, emit func(any))
	mutate = func(v any, emit func(any)) {
		for _, r := range repls {
			emit(r)
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				without := make(map[string]any, len(x))
				for k2, e2 := range x {
					if k2 != k {
						without[k2] = e2
					}
				}
				emit(without)
				mutate(e, func(n any) {
					c := make(map[string]any, len(x))
					for k2, e2 := range x {
						c[k2] = e2
					}
					c[k] = n
					emit(c)
				})
			}
		case []any:
			for i, e := range x {
				mutate(e, func(n any) {
					c := append([]any(nil), x...)
					c[i] = n
					emit(c)
				})
			}
		}
	}
	checked, sureN := 0, 0
	for _, s := range fixtureSamples(t) {
		v, ok := decodeNumber(t, s.body)
		if !ok {
			continue
		}
		mutate(v, func(m any) {
			checked++
			if raceDetector && checked%7 != 0 {
				return // a seventh of them: -race makes each check ten times slower
			}
			valid := s.sch.Validate(m) == nil
			if surelyValid(s.sch, m) {
				sureN++
				if !valid {
					b, _ := json.Marshal(m)
					t.Errorf("%s: surelyValid(%s), but jsonschema says %v", s.name, b, s.sch.Validate(m))
				}
			}
			// The same value with its objects in order, and with a
			// duplicate member before each (the map keeps the last).
			for _, dup := range []bool{false, true} {
				o := ordered(m, dup)
				if surelyValid(s.sch, o) && !valid {
					b, _ := json.Marshal(m)
					t.Errorf("%s: surelyValid(ordered %s, duplicates %v), but jsonschema says %v", s.name, b, dup, s.sch.Validate(m))
				}
				if (s.sch.Validate(plain(o)) == nil) != valid {
					t.Errorf("%s: plain(ordered) validates otherwise than the map", s.name)
				}
			}
		})
	}
	t.Logf("%d mutations, %d surely valid", checked, sureN)
}

// ordered is v with its maps as Objects, members sorted; with dup, each
// member is preceded by a duplicate holding another value.
func ordered(v any, dup bool) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := Object{}
		for _, k := range keys {
			if dup {
				o = append(o, Member{k, "a duplicate"})
			}
			o = append(o, Member{k, ordered(x[k], dup)})
		}
		return o
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = ordered(e, dup)
		}
		return a
	}
	return v
}
