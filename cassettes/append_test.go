package cassettes_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/faultfs"
	"github.com/oauthcompat/oauthcompat/redact"
)

// record adds interactions from..to-1 to the session cassette of dir
// through fsys and closes the store.
func record(t *testing.T, dir string, fsys cassettes.FS, from, to int) error {
	t.Helper()
	s, err := cassettes.OpenStoreWith(dir, "session", redact.New([]byte("0123456789abcdef0123456789abcdef"), redact.Options{}), cassettes.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	for n := from; n < to; n++ {
		if err := s.Add("ghes-3.8", interaction(n)); err != nil {
			t.Fatal(err)
		}
	}
	return s.Close()
}

// ns returns the n= of each interaction of the cassette at cp, in order,
// loading it with yaml.v3 (what go-vcr uses).
func ns(t *testing.T, cp string) []int {
	t.Helper()
	c, err := cassettes.Load(cp)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for k, it := range c.Interactions {
		if it.ID != k {
			t.Errorf("interaction %d has id %d", k, it.ID)
		}
		_, v, _ := strings.Cut(it.Request.URL, "?n=")
		n, _ := strconv.Atoi(v)
		out = append(out, n)
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for n := from; n < to; n++ {
		out = append(out, n)
	}
	return out
}

// TestCloseAppendsInPlace: stopping a recording appends its interactions
// after the bytes of the cassette already there, which are not rewritten
// (the same file, the same bytes before the new ones), and the cassette
// loads with every interaction once, in order, numbered from 0.
func TestCloseAppendsInPlace(t *testing.T) {
	dir := t.TempDir()
	cp := cassettes.Path(dir, "ghes-3.8", "session")
	if err := record(t, dir, nil, 0, 50); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(cp)
	st1, _ := os.Stat(cp)
	if err := record(t, dir, nil, 50, 60); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(cp)
	st2, _ := os.Stat(cp)
	if !os.SameFile(st1, st2) {
		t.Error("the cassette was replaced, not appended to")
	}
	if !bytes.HasPrefix(after, before) {
		t.Error("the bytes of the cassette before the append changed")
	}
	if got, want := ns(t, cp), seq(0, 60); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("interactions %v, want %v", got, want)
	}
}

// errCrash stands for the death of the process: no write reaches the disk
// after it.
var errCrash = errors.New("the process died")

// TestAppendCrashAtEachStep stops a recording that appends to a cassette
// and kills it (every later write fails) at each write step of the stop,
// tearing the write it dies in half way: recovery then yields the
// cassette with each interaction of both recordings once, in order.
func TestAppendCrashAtEachStep(t *testing.T) {
	clean := faultfs.New(nil)
	dir := t.TempDir()
	if err := record(t, dir, nil, 0, 30); err != nil {
		t.Fatal(err)
	}
	s, err := cassettes.OpenStoreWith(dir, "session", redact.New([]byte("0123456789abcdef0123456789abcdef"), redact.Options{}), cassettes.Options{FS: clean})
	if err != nil {
		t.Fatal(err)
	}
	for n := 30; n < 40; n++ {
		s.Add("ghes-3.8", interaction(n))
	}
	start := len(clean.Ops())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	steps := clean.Ops()[start:]
	for k, op := range steps {
		t.Run(fmt.Sprintf("%d-%s", k, op), func(t *testing.T) {
			dir := t.TempDir()
			if err := record(t, dir, nil, 0, 30); err != nil {
				t.Fatal(err)
			}
			fsys := faultfs.New(nil)
			s, err := cassettes.OpenStoreWith(dir, "session", redact.New([]byte("0123456789abcdef0123456789abcdef"), redact.Options{}), cassettes.Options{FS: fsys})
			if err != nil {
				t.Fatal(err)
			}
			for n := 30; n < 40; n++ {
				if err := s.Add("ghes-3.8", interaction(n)); err != nil {
					t.Fatal(err)
				}
			}
			i, dead := 0, false
			fsys.Fault(func(op faultfs.Op) error {
				i++
				switch {
				case dead:
					return errCrash
				case i-1 == k:
					dead = true
					if op.Kind == faultfs.Write {
						fsys.Limit(200) // torn: the write gets half way
						return nil
					}
					return errCrash
				}
				return nil
			})
			s.Close()
			fsys.Fault(nil)
			fsys.Limit(-1)
			if _, err := cassettes.Recover(dir); err != nil {
				t.Fatalf("recover: %v", err)
			}
			if ls, _ := cassettes.Leftovers(dir); len(ls) > 0 {
				t.Errorf("journals left after recovery: %v", ls)
			}
			if got, want := ns(t, cassettes.Path(dir, "ghes-3.8", "session")), seq(0, 40); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("interactions %v, want %v", got, want)
			}
		})
	}
}
