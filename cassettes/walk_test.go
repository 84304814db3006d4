package cassettes

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// walkAll collects what Walk reads at path.
func walkAll(t *testing.T, path string) ([]Item, error) {
	t.Helper()
	var out []Item
	err := Walk(path, func(it Item) error {
		out = append(out, it)
		return nil
	})
	return out, err
}

func TestWalkAgreesWithParse(t *testing.T) {
	its := trickyInteractions()
	marshalled, _ := Marshal(its)
	var indent2 bytes.Buffer
	e := yaml.NewEncoder(&indent2)
	e.SetIndent(2)
	e.Encode(map[string]any{"version": 2, "interactions": its})
	// A comment in the middle of the list: the entries before it are read
	// entry by entry, the rest whole.
	commented := strings.Replace(string(marshalled), "    - id: 5\n", "# a comment\n    - id: 5\n", 1)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"emitter", marshalled},
		{"yaml.v3 map, indent 2", indent2.Bytes()},
		{"comment mid-list", []byte(commented)},
		{"empty", []byte("---\nversion: 2\ninteractions: []\n")},
		{"no trailing newline", bytes.TrimSuffix(marshalled, []byte("\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			want, err := Parse(p, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := walkAll(t, p)
			if err != nil {
				t.Fatal(err)
			}
			var ins []*cassette.Interaction
			for k, it := range got {
				if it.Index != k || it.File != p {
					t.Errorf("item %d: index %d file %s", k, it.Index, it.File)
				}
				ins = append(ins, it.Interaction)
			}
			if len(want.Interactions) == 0 && len(ins) == 0 {
				return
			}
			if diff := cmp.Diff(want.Interactions, ins, ignore); diff != "" {
				t.Fatalf("Walk disagrees with Parse (-Parse +Walk):\n%s", diff)
			}
		})
	}
}

func TestWalkLines(t *testing.T) {
	its := trickyInteractions()[:3]
	data, _ := Marshal(its)
	p := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(p, data, 0o644)
	got, err := walkAll(t, p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, it := range got {
		if l := lines[it.Line-1]; !strings.HasPrefix(l, "    - id: ") {
			t.Errorf("item %d: line %d is %q, not its entry", it.Index, it.Line, l)
		}
	}
}

func TestWalkErrorsNameFileAndLine(t *testing.T) {
	good, _ := Marshal(trickyInteractions()[:2])
	bad := strings.Replace(string(good), "        method: POST\n", "", 1)
	p := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(p, []byte(bad), 0o644)
	_, err := walkAll(t, p)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), p+":4:") {
		t.Fatalf("want a malformed error naming %s:4, got %v", p, err)
	}
	stop := errors.New("stop")
	if err := Walk(filepath.Dir(p), func(Item) error { return stop }); err == nil {
		t.Fatal("the walk of a malformed file succeeded")
	}
	os.WriteFile(p, good, 0o644)
	if err := Walk(p, func(Item) error { return stop }); err != stop {
		t.Fatalf("the callback's error came back as %v", err)
	}
}

// A rotated recording is read in the order it was written, whatever the
// order of the names: session.yaml, then -0001 ... -0012, each file's
// interactions in order.
func TestWalkRotatedInOrder(t *testing.T) {
	dir := t.TempDir()
	n := 0
	for _, k := range []int{0, 1, 2, 9, 10, 11, 12} {
		var its []*cassette.Interaction
		for range 3 {
			its = append(its, &cassette.Interaction{
				Request:  cassette.Request{Method: "GET", URL: "https://ghe.example/api/v3/n/" + strconv.Itoa(n)},
				Response: cassette.Response{Code: 200},
			})
			n++
		}
		data, _ := Marshal(its)
		os.MkdirAll(filepath.Join(dir, "ghes-3.8"), 0o755)
		if err := os.WriteFile(RotatedPath(dir, "ghes-3.8", "session", k), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Names that sort between the rotated ones must not interleave.
	other, _ := Marshal([]*cassette.Interaction{{Request: cassette.Request{Method: "GET", URL: "https://ghe.example/other"}, Response: cassette.Response{Code: 200}}})
	os.WriteFile(filepath.Join(dir, "ghes-3.8", "session-b.yaml"), other, 0o644)
	got, err := walkAll(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+1 {
		t.Fatalf("read %d interactions, want %d", len(got), n+1)
	}
	for k := range n {
		if want := "https://ghe.example/api/v3/n/" + strconv.Itoa(k); got[k].Interaction.Request.URL != want {
			t.Fatalf("interaction %d is %s (from %s), want %s", k, got[k].Interaction.Request.URL, got[k].File, want)
		}
	}
}
