package cassettes

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// skimmed is one interaction as Skim reads it, its response read back.
type skimmed struct {
	line int
	in   *cassette.Interaction
	lazy bool // the response was left in the file
}

// skimAll collects what Skim reads at path, reading each response left in
// the file with ReadPlace.
func skimAll(t *testing.T, path string) ([]skimmed, error) {
	t.Helper()
	var out []skimmed
	err := Skim(path, func(s *Sketch) Sketch { return *s }, func(s Sketch) error {
		in := &cassette.Interaction{ID: s.ID, Request: s.Request}
		if s.Response != nil {
			in.Response = *s.Response
		} else {
			whole, err := ReadPlace(path, s.Place)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(whole.Request, s.Request); whole.ID != s.ID || diff != "" {
				t.Errorf("entry at line %d: ReadPlace reads id %d and another request than Skim's (id %d):\n%s", s.Line, whole.ID, s.ID, diff)
			}
			in.Response = whole.Response
		}
		out = append(out, skimmed{line: s.Line, in: in, lazy: s.Response == nil})
		return nil
	})
	return out, err
}

// checkSkimAgrees asserts that Skim reads the file at p as Walk does:
// the same interactions, lines and error. It returns how many responses
// were left in the file.
func checkSkimAgrees(t *testing.T, p string) int {
	t.Helper()
	want, werr := walkAll(t, p)
	got, gerr := skimAll(t, p)
	if fmt.Sprint(werr) != fmt.Sprint(gerr) {
		t.Fatalf("Skim's error %v, Walk's %v", gerr, werr)
	}
	if werr != nil {
		return 0
	}
	if len(got) != len(want) {
		t.Fatalf("Skim read %d interactions, Walk %d", len(got), len(want))
	}
	lazy := 0
	for k := range want {
		if got[k].line != want[k].Line {
			t.Errorf("interaction %d: line %d, Walk says %d", k, got[k].line, want[k].Line)
		}
		if diff := cmp.Diff(want[k].Interaction, got[k].in, ignore); diff != "" {
			t.Fatalf("interaction %d: Skim disagrees with Walk (-Walk +Skim):\n%s", k, diff)
		}
		if got[k].lazy {
			lazy++
		}
	}
	return lazy
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSkimAgreesWithWalk: whatever the layout, Skim reads what Walk reads,
// and leaves the responses of the emitter's layout in the file.
func TestSkimAgreesWithWalk(t *testing.T) {
	its := trickyInteractions()
	marshalled, _ := Marshal(its)
	var indent2, indent4 bytes.Buffer
	for _, x := range []struct {
		b *bytes.Buffer
		n int
	}{{&indent2, 2}, {&indent4, 4}} {
		e := yaml.NewEncoder(x.b)
		e.SetIndent(x.n)
		if err := e.Encode(cassette.Cassette{Version: 2, Interactions: readable(t, its, x.n)}); err != nil {
			t.Fatal(err)
		}
	}
	commented := strings.Replace(string(marshalled), "    - id: 5\n", "# a comment\n    - id: 5\n", 1)
	for _, tc := range []struct {
		name     string
		data     []byte
		someLazy bool
	}{
		{"emitter", marshalled, true},
		{"yaml.v3, as go-vcr saves", indent4.Bytes(), true},
		{"yaml.v3, indent 2", indent2.Bytes(), false},
		{"comment mid-list", []byte(commented), true},
		{"empty", []byte("---\nversion: 2\ninteractions: []\n"), false},
		{"no trailing newline", bytes.TrimSuffix(marshalled, []byte("\n")), true},
		{"no document marker", bytes.TrimPrefix(marshalled, []byte("---\n")), true},
		{"trailing blank lines", append(bytes.Clone(marshalled), "\n\n"...), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lazy := checkSkimAgrees(t, writeTemp(t, tc.data))
			if tc.someLazy && lazy == 0 {
				t.Errorf("every response was read at once: none was left in the file")
			}
		})
	}
}

// readable returns the interactions of its that yaml.v3 reads back from
// what it writes with indent n (some of the tricky strings it does not).
func readable(t *testing.T, its []*cassette.Interaction, n int) []*cassette.Interaction {
	var out []*cassette.Interaction
	for _, in := range its {
		var b bytes.Buffer
		e := yaml.NewEncoder(&b)
		e.SetIndent(n)
		if err := e.Encode(cassette.Cassette{Version: 2, Interactions: []*cassette.Interaction{in}}); err != nil {
			t.Fatal(err)
		}
		if _, err := Parse("x.yaml", b.Bytes()); err == nil {
			out = append(out, in)
		}
	}
	return out
}

// TestSkimCutAnywhere: a cassette cut short at any byte, or with a line
// dropped, reads as Walk reads it: the same interactions, or the same
// error, naming the file and line.
func TestSkimCutAnywhere(t *testing.T) {
	data, _ := Marshal(trickyInteractions()[:4])
	p := filepath.Join(t.TempDir(), "c.yaml")
	for n := 0; n <= len(data); n++ {
		if n%7 != 0 && n < len(data)-300 {
			continue // every byte of the last entry, a sample of the others
		}
		os.WriteFile(p, data[:n], 0o644)
		checkSkimAgrees(t, p)
	}
	lines := strings.SplitAfter(string(data), "\n")
	for i := range lines {
		os.WriteFile(p, []byte(strings.Join(lines[:i], "")+strings.Join(lines[i+1:], "")), 0o644)
		checkSkimAgrees(t, p)
	}
}

// TestSkimManyChunks reads a cassette of many chunks, with entries longer
// than a chunk, duplicates and bodies of every kind, on several workers;
// and the same with an entry only yaml.v3 reads in a late chunk.
func TestSkimManyChunks(t *testing.T) {
	defer func(n int) { skimBlock = n }(skimBlock)
	skimBlock = 64 << 10 // many chunks, and bodies past a chunk, in little time
	var its []*cassette.Interaction
	for _, in := range trickyInteractions() {
		// Those the fast parser reads: one it does not is read whole.
		if data, _ := Marshal([]*cassette.Interaction{in}); data != nil {
			if _, ok := fastParse("x.yaml", data); ok {
				its = append(its, in)
			}
		}
	}
	var all []*cassette.Interaction
	big := strings.Repeat("x", 3*skimBlock)
	for i := range 1200 {
		in := *its[i%len(its)]
		in.ID = i
		if i%400 == 399 {
			in.Response.Body = big
		}
		all = append(all, &in)
	}
	data, err := Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	p := writeTemp(t, data)
	if lazy := checkSkimAgrees(t, p); lazy < 800 {
		t.Errorf("%d responses of 1200 left in the file", lazy)
	}
	os.WriteFile(p, bytes.Replace(data, []byte("\n    - id: 1000\n"), []byte("\n# a comment\n    - id: 1000\n"), 1), 0o644)
	if lazy := checkSkimAgrees(t, p); lazy < 600 || lazy >= 1000 {
		t.Errorf("%d responses of 1200 left in the file, want most of the 1000 before the comment", lazy)
	}
}

// TestSkimCallbackError: an error of fn stops Skim and comes back as it is.
func TestSkimCallbackError(t *testing.T) {
	data, _ := Marshal(trickyInteractions())
	p := writeTemp(t, data)
	stop := errors.New("stop")
	n := 0
	err := Skim(p, func(s *Sketch) int { return s.ID }, func(int) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Fatalf("Skim returned %v after %d calls; want the callback's error after 3", err, n)
	}
}

// TestReadPlaceChanged: a cassette changed after it was skimmed is not
// read for what it held.
func TestReadPlaceChanged(t *testing.T) {
	data, _ := Marshal(trickyInteractions()[:3])
	p := writeTemp(t, data)
	var places []Place
	if err := Skim(p, func(s *Sketch) Place { return s.Place }, func(pl Place) error {
		places = append(places, pl)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, bytes.Replace(data, []byte("200 OK"), []byte("201 OK"), -1), 0o644)
	if _, err := ReadPlace(p, places[1]); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "changed") {
		t.Errorf("ReadPlace of a changed file: %v", err)
	}
	os.WriteFile(p, data[:len(data)/2], 0o644)
	if _, err := ReadPlace(p, places[2]); !errors.Is(err, ErrMalformed) {
		t.Errorf("ReadPlace of a shortened file: %v", err)
	}
	os.Remove(p)
	if _, err := ReadPlace(p, places[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadPlace of a removed file: %v", err)
	}
}

// FuzzSkimEntry holds that what skimEntry accepts, the fast parser reads
// the same: the request it parsed, and a response the fast parser reads.
func FuzzSkimEntry(f *testing.F) {
	data, _ := Marshal(trickyInteractions())
	for _, e := range strings.SplitAfter(string(data), "\n"+entryStart) {
		f.Add(e)
	}
	in := &cassette.Interaction{Request: cassette.Request{Method: "GET", URL: "http://x/", Headers: http.Header{"A": {"b"}}},
		Response: cassette.Response{Code: 200, Duration: time.Second}}
	one, _ := Marshal([]*cassette.Interaction{in})
	f.Add(string(one[strings.Index(string(one), entryStart):]))
	f.Fuzz(func(t *testing.T, entry string) {
		if !strings.HasPrefix(entry, entryStart) {
			entry = entryStart + entry
		}
		sk, n, ok := skimEntry([]byte(entry))
		if !ok {
			return
		}
		if rest := entry[n:]; rest != "" && !strings.HasPrefix(rest, entryStart) {
			t.Fatalf("skimEntry ends the entry before %q", rest)
		}
		entry = entry[:n]
		in, fast := parseEntry(entry, 4)
		if !fast {
			t.Fatalf("skimEntry accepts what the fast parser does not:\n%s", entry)
		}
		if diff := cmp.Diff(in.Request, sk.Request); in.ID != sk.ID || diff != "" {
			t.Fatalf("skimEntry reads another request (id %d, fast parser %d) (-fast +skim):\n%s\n%s", sk.ID, in.ID, diff, entry)
		}
	})
}

// FuzzCheckScalar holds that checkScalar reports what scalarText does.
func FuzzCheckScalar(f *testing.F) {
	for _, s := range tricky {
		var e emitter
		e.scalar(s)
		f.Add(string(e.b))
	}
	for _, s := range []string{`"\u00e9\U0001F600"`, `"\x41"`, `"\ud800"`, `"a\"`, "'it''s'", "'a'b'", "a: b", "null ", "- a", "-a", "[]", "{}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if v == "" {
			return
		}
		_, kind, plain, ok := scalarText(v)
		ck, cp, cok := checkScalar([]byte(v))
		if ok != cok || ok && (kind != ck || plain != cp) {
			t.Fatalf("%q: checkScalar says %q %v %v, scalarText %q %v %v", v, ck, cp, cok, kind, plain, ok)
		}
	})
}
