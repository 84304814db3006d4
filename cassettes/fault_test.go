package cassettes_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/faultfs"
	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// logBuffer is a log the store writes to, safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// bigInteraction is interaction(n) with a response body of about size
// bytes.
func bigInteraction(n, size int) *cassette.Interaction {
	it := interaction(n)
	it.Response.Body = fmt.Sprintf(`{"id":%d,"pad":"%s"}`, n, strings.Repeat("x", size))
	return it
}

// numbers returns the n of each interaction of the cassette at path (the
// query ?n=N of its URL), in order; none when there is no cassette.
func numbers(t *testing.T, path string) []int {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	c, err := cassettes.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, it := range c.Interactions {
		var n int
		if _, err := fmt.Sscanf(it.Request.URL[strings.Index(it.Request.URL, "?n="):], "?n=%d", &n); err != nil {
			t.Fatalf("interaction without ?n=: %s", it.Request.URL)
		}
		out = append(out, n)
	}
	return out
}

// checkNothingLost holds the property of every fault test: each Add that
// returned nil is in the cassette, after Close when it returned nil,
// else after a recovery once the fault is gone (the journal was kept);
// the cassette holds nothing that was not added, and nothing twice.
func checkNothingLost(t *testing.T, dir string, fsys *faultfs.FS, closeErr error, accepted []int, attempted int) {
	t.Helper()
	cp := cassettes.Path(dir, "ghes-3.8", "session")
	if closeErr != nil {
		fsys.Fault(nil)
		fsys.Limit(-1)
		rec, err := cassettes.RecoverWith(dir, cassettes.Options{FS: fsys})
		if err != nil {
			t.Fatalf("recovery once the fault is gone: %v", err)
		}
		for _, m := range rec.Merged {
			if len(m.Skipped) > 0 {
				t.Errorf("recovery skipped %v of %s: a failed write left a torn record", m.Skipped, m.Journal)
			}
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*", "*"+cassettes.DamagedExt)); len(m) > 0 {
		t.Errorf("damaged journals were kept: %v (Close: %v)", m, closeErr)
	}
	got := numbers(t, cp)
	in := map[int]int{}
	for _, n := range got {
		in[n]++
		if n < 0 || n >= attempted {
			t.Errorf("the cassette holds interaction %d, never added", n)
		}
	}
	for _, n := range accepted {
		if in[n] != 1 {
			t.Errorf("interaction %d: Add returned nil, and the cassette holds it %d times (Close: %v)", n, in[n], closeErr)
		}
	}
	if len(got) != len(in) {
		t.Errorf("the cassette holds duplicates: %v", got)
	}
	if leftovers, _ := cassettes.Leftovers(dir); len(leftovers) > 0 {
		t.Errorf("journals left after recovery: %v", leftovers)
	}
}

// TestFaultAtEachWriteStep fails each write step of a recording in turn
// (the journal created, the space ahead filled, a record written, a sync,
// the cassette's temporary file created, written, synced, renamed, the
// journal removed...) with a full disk, once: the recording goes on, at
// most the one interaction being written is not recorded (and its Add
// says so), and every other one is in the cassette, or in the journal
// Close kept and said so.
func TestFaultAtEachWriteStep(t *testing.T) {
	const n = 8
	for _, each := range []bool{false, true} {
		run := func(fsys *faultfs.FS, dir string) (closeErr error, accepted []int, openErr error) {
			s, err := cassettes.OpenStoreWith(dir, "session", redact.NewRandom(), cassettes.Options{FS: fsys, SyncEach: each, SyncInterval: time.Millisecond})
			if err != nil {
				return nil, nil, err
			}
			for k := range n {
				if err := s.Add("ghes-3.8", interaction(k)); err == nil {
					accepted = append(accepted, k)
				}
				if k == n/2 {
					time.Sleep(5 * time.Millisecond) // let the syncer run
				}
			}
			return s.Close(), accepted, nil
		}
		// The steps of a recording without faults.
		clean := faultfs.New(nil)
		if closeErr, accepted, err := run(clean, t.TempDir()); err != nil || closeErr != nil || len(accepted) != n {
			t.Fatalf("without faults: open %v, close %v, %d accepted", err, closeErr, len(accepted))
		}
		steps := clean.Ops()
		t.Logf("sync each %v: %d write steps", each, len(steps))
		for k, op := range steps {
			t.Run(fmt.Sprintf("each=%v/%d-%s", each, k, op), func(t *testing.T) {
				fsys, dir := faultfs.New(nil), t.TempDir()
				fsys.FailAt(k, syscall.ENOSPC)
				closeErr, accepted, err := run(fsys, dir)
				if err != nil {
					if !errors.Is(err, cassettes.ErrNotWritable) {
						t.Errorf("OpenStore: %v, want ErrNotWritable", err)
					}
					return // refused at start-up: nothing recorded, and it said so
				}
				if lost := n - len(accepted); lost > 1 {
					t.Errorf("one failed %s lost %d interactions: the store did not keep going", op, lost)
				}
				checkNothingLost(t, dir, fsys, closeErr, accepted, n)
			})
		}
	}
}

// TestNearlyFullDisk records on a disk with less free space than the
// journal's usual room ahead (4 MiB): every record that fits is recorded,
// the first failure to make room is reported at once, and when the disk
// is full, each interaction that does not fit fails its Add, and the
// cassette (or the journal Close keeps) holds every other one.
func TestNearlyFullDisk(t *testing.T) {
	for _, tc := range []struct {
		name       string
		free       int64
		n, size    int
		wantAll    bool // everything fits, the cassette included
		wantFailed bool // some Adds must fail
	}{
		{"3 MB free, 1.3 MB recorded", 3 << 20, 1000, 300, true, false},
		{"3 MB free, 4.5 MB recorded", 3 << 20, 3000, 1200, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys, dir := faultfs.New(nil), t.TempDir()
			fsys.Limit(tc.free)
			var logs logBuffer
			s, err := cassettes.OpenStoreWith(dir, "session", redact.NewRandom(), cassettes.Options{FS: fsys, Logger: logs.logger()})
			if err != nil {
				t.Fatal(err)
			}
			var accepted []int
			var failures int
			for k := range tc.n {
				if err := s.Add("ghes-3.8", bigInteraction(k, tc.size)); err != nil {
					if !errors.Is(err, syscall.ENOSPC) {
						t.Errorf("Add %d: %v, want ENOSPC", k, err)
					}
					failures++
					continue
				}
				accepted = append(accepted, k)
			}
			if !strings.Contains(logs.String(), "nearly full") {
				t.Errorf("no warning that the disk is nearly full:\n%s", logs.String())
			}
			closeErr := s.Close()
			t.Logf("%d of %d recorded, %d failed; close: %v", len(accepted), tc.n, failures, closeErr)
			if tc.wantAll && (len(accepted) != tc.n || closeErr != nil) {
				t.Errorf("%d of %d recorded (close: %v), want all: they fit", len(accepted), tc.n, closeErr)
			}
			if tc.wantFailed && (failures == 0 || len(accepted) < tc.n/3) {
				t.Errorf("%d failed, %d recorded: want the disk to fill up after most of its space is used", failures, len(accepted))
			}
			checkNothingLost(t, dir, fsys, closeErr, accepted, tc.n)
		})
	}
}

// TestUnwritableDirectory: a cassette directory that cannot be written is
// refused when the store opens, and so is a version directory holding
// this name's cassette; Prepare finds a version directory that cannot be
// made.
func TestUnwritableDirectory(t *testing.T) {
	erofs := func(under string) func(faultfs.Op) error {
		return func(op faultfs.Op) error {
			if strings.HasPrefix(op.Path, under) {
				return syscall.EROFS
			}
			return nil
		}
	}
	t.Run("cassette directory", func(t *testing.T) {
		fsys, dir := faultfs.New(nil), t.TempDir()
		fsys.Fault(erofs(dir))
		_, err := cassettes.OpenStoreWith(dir, "session", redact.NewRandom(), cassettes.Options{FS: fsys})
		if !errors.Is(err, cassettes.ErrNotWritable) || !errors.Is(err, syscall.EROFS) {
			t.Errorf("err = %v, want ErrNotWritable and EROFS", err)
		}
	})
	t.Run("version directory of an earlier cassette", func(t *testing.T) {
		fsys, dir := faultfs.New(nil), t.TempDir()
		s := openStore(t, dir)
		s.Add("ghes-3.8", interaction(0))
		s.Close()
		fsys.Fault(erofs(filepath.Join(dir, "ghes-3.8")))
		_, err := cassettes.OpenStoreWith(dir, "session", redact.NewRandom(), cassettes.Options{FS: fsys})
		if !errors.Is(err, cassettes.ErrNotWritable) {
			t.Errorf("err = %v, want ErrNotWritable", err)
		}
		// Another name does not write there.
		other, err := cassettes.OpenStoreWith(dir, "other", redact.NewRandom(), cassettes.Options{FS: fsys})
		if err != nil {
			t.Fatalf("another name: %v", err)
		}
		if err := other.Prepare("ghes-3.8"); !errors.Is(err, cassettes.ErrNotWritable) {
			t.Errorf("Prepare: %v, want ErrNotWritable", err)
		}
		if err := other.Prepare("ghes-3.10"); err != nil {
			t.Errorf("Prepare of a writable version: %v", err)
		}
		other.Close()
	})
}

// TestDirectoryRemovedWhileRecording removes the cassette directory under
// a running store: the store says so at once, keeps recording into the
// open journal, and Close writes the cassette, every interaction in it,
// into a re-created directory.
func TestDirectoryRemovedWhileRecording(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec")
	var logs logBuffer
	s, err := cassettes.OpenStoreWith(dir, "session", redact.NewRandom(), cassettes.Options{Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	for k := range 10 {
		if err := s.Add("ghes-3.8", interaction(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	k := 10
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "removed while recording"); k++ {
		if time.Now().After(deadline) {
			t.Fatalf("no warning 10 s after the directory was removed:\n%s", logs.String())
		}
		if err := s.Add("ghes-3.8", interaction(k)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for end := k + 5; k < end; k++ {
		if err := s.Add("ghes-3.8", interaction(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := numbers(t, cassettes.Path(dir, "ghes-3.8", "session"))
	if len(got) != k {
		t.Errorf("the re-created cassette holds %d interactions, want %d", len(got), k)
	}
}

// TestRecoverResynchronises damages a journal in the middle (40 bytes
// overwritten, a record's start zeroed, two records run together): every
// checksum-valid record after the damage is recovered too, the skipped
// bytes are reported with offset and length, and the journal is kept as
// <journal>.damaged.
func TestRecoverResynchronises(t *testing.T) {
	const n = 100
	src := t.TempDir()
	s := openStore(t, src)
	for k := range n {
		if err := s.Add("ghes-3.8", interaction(k)); err != nil {
			t.Fatal(err)
		}
	}
	jp := cassettes.Path(src, "ghes-3.8", "session") + cassettes.JournalExt
	data, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Where each record starts.
	var starts []int
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("OCJ1 "))
		if i < 0 {
			break
		}
		starts = append(starts, off+i)
		off += i + 1
	}
	if len(starts) != n {
		t.Fatalf("%d records in the journal, want %d", len(starts), n)
	}
	for _, tc := range []struct {
		name    string
		damage  func(b []byte)
		lost    []int
		skipped cassettes.Span
	}{
		{"40 bytes overwritten mid-record", func(b []byte) {
			copy(b[starts[50]+60:], bytes.Repeat([]byte("#"), 40))
		}, []int{50}, cassettes.Span{Offset: int64(starts[50]), Length: int64(starts[51] - starts[50])}},
		{"a record's start zeroed", func(b []byte) {
			copy(b[starts[30]:], make([]byte, 40))
		}, []int{30}, cassettes.Span{Offset: int64(starts[30]), Length: int64(starts[31] - starts[30])}},
		{"damage across two records", func(b []byte) {
			copy(b[starts[71]-20:], bytes.Repeat([]byte{0xff}, 40))
		}, []int{70, 71}, cassettes.Span{Offset: int64(starts[70]), Length: int64(starts[72] - starts[70])}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := t.TempDir()
			djp := cassettes.Path(dst, "ghes-3.8", "session") + cassettes.JournalExt
			b := bytes.Clone(data)
			tc.damage(b)
			os.MkdirAll(filepath.Dir(djp), 0o755)
			if err := os.WriteFile(djp, b, 0o644); err != nil {
				t.Fatal(err)
			}
			rec, err := cassettes.Recover(dst)
			if err != nil {
				t.Fatal(err)
			}
			lost := map[int]bool{}
			for _, k := range tc.lost {
				lost[k] = true
			}
			var want []int
			for k := range n {
				if !lost[k] {
					want = append(want, k)
				}
			}
			got := numbers(t, strings.TrimSuffix(djp, cassettes.JournalExt))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("recovered %d interactions, want the %d intact ones:\n got %v\nwant %v", len(got), len(want), got, want)
			}
			if len(rec.Merged) != 1 || fmt.Sprint(rec.Merged[0].Skipped) != fmt.Sprint([]cassettes.Span{tc.skipped}) {
				t.Errorf("recovery %+v, want skipped %v", rec.Merged, tc.skipped)
			}
			if kept, err := os.ReadFile(djp + cassettes.DamagedExt); err != nil || !bytes.Equal(kept, b) {
				t.Errorf("the damaged journal is not kept as it was beside the cassette: %v", err)
			}
		})
	}
}
