package cassettes_test

import (
	"bytes"
	"errors"
	"fmt"
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
)

// TestTornWrites makes the journal write of one record go wrong as disks
// and file systems do: nothing written or part of it, with or without an
// error, the undo failing too, the disk filling up mid-record, fsync
// failing. Whatever happens, no torn record is left for later records to
// be appended after: a copy of the journal taken at any moment (as after
// SIGKILL) recovers with no span skipped and every interaction whose Add
// returned nil; and after Close every one of them is in the cassette, or
// the Add said it was not recorded.
func TestTornWrites(t *testing.T) {
	const n, victim = 8, 3
	isVictim := func(p []byte) bool {
		return bytes.HasPrefix(p, []byte("OCJ1 ")) && bytes.Contains(p, []byte(fmt.Sprintf("?n=%d\n", victim)))
	}
	for _, tc := range []struct {
		name  string
		setup func(fsys *faultfs.FS)
		each  bool
		// tornTail: the disk would not let the part written be undone, so
		// until the next record overwrites it, a crash leaves the failed
		// record torn at the journal's end (its Add said so).
		tornTail bool
	}{
		{"nothing written, no error", func(fsys *faultfs.FS) {
			fsys.Writes(func(_ string, _ int64, p []byte) (int, error) {
				if isVictim(p) {
					return 0, nil
				}
				return len(p), nil
			})
		}, false, false},
		{"half written, no error", func(fsys *faultfs.FS) {
			fsys.Writes(func(_ string, _ int64, p []byte) (int, error) {
				if isVictim(p) {
					return len(p) / 2, nil
				}
				return len(p), nil
			})
		}, false, false},
		{"half written, no error, once", func(fsys *faultfs.FS) {
			var once sync.Once
			fsys.Writes(func(_ string, _ int64, p []byte) (int, error) {
				k := len(p)
				if isVictim(p) {
					once.Do(func() { k = len(p) / 2 })
				}
				return k, nil
			})
		}, false, false},
		{"nothing written, EIO", func(fsys *faultfs.FS) {
			fsys.Writes(func(_ string, _ int64, p []byte) (int, error) {
				if isVictim(p) {
					return 0, syscall.EIO
				}
				return len(p), nil
			})
		}, false, false},
		{"half written, EIO, undo fails", func(fsys *faultfs.FS) {
			var mu sync.Mutex
			broken := false
			fsys.Writes(func(_ string, _ int64, p []byte) (int, error) {
				mu.Lock()
				defer mu.Unlock()
				if isVictim(p) {
					broken = true
					return len(p) / 2, syscall.EIO
				}
				if broken && bytes.Count(p, []byte{0}) == len(p) {
					return 0, syscall.EIO // the zeros of the undo
				}
				return len(p), nil
			})
			fsys.Fault(func(op faultfs.Op) error {
				mu.Lock()
				defer mu.Unlock()
				if broken && op.Kind == faultfs.Truncate {
					broken = false // once: the disk is back for the next record
					return syscall.EIO
				}
				return nil
			})
		}, false, true},
		{"disk full mid-record", func(fsys *faultfs.FS) {
			fsys.Writes(func(_ string, _ int64, p []byte) (int, error) {
				if isVictim(p) {
					return len(p) / 3, syscall.ENOSPC
				}
				return len(p), nil
			})
		}, false, false},
		{"fsync fails", func(fsys *faultfs.FS) {
			fsys.Fault(func(op faultfs.Op) error {
				if op.Kind == faultfs.SyncData {
					return syscall.EIO
				}
				return nil
			})
		}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys, dir := faultfs.New(nil), t.TempDir()
			s, err := cassettes.OpenStoreWith(dir, "session", redact.NewRandom(), cassettes.Options{FS: fsys, SyncEach: tc.each, SyncInterval: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			tc.setup(fsys)
			jp := cassettes.Path(dir, "ghes-3.8", "session") + cassettes.JournalExt
			var accepted []int
			for k := range n {
				if err := s.Add("ghes-3.8", interaction(k)); err == nil {
					accepted = append(accepted, k)
				} else if k != victim && !tc.each {
					t.Errorf("Add %d: %v: only the faulty record may fail", k, err)
				}
				if k >= victim {
					// SIGKILL now: the journal as it is on disk.
					data, err := os.ReadFile(jp)
					if err != nil {
						t.Fatal(err)
					}
					crash := t.TempDir()
					cjp := cassettes.Path(crash, "ghes-3.8", "session") + cassettes.JournalExt
					os.MkdirAll(filepath.Dir(cjp), 0o755)
					os.WriteFile(cjp, data, 0o644)
					rec, err := cassettes.Recover(crash)
					if err != nil {
						t.Fatalf("after record %d: recover: %v", k, err)
					}
					for _, m := range rec.Merged {
						if len(m.Skipped) > 0 && !(tc.tornTail && k == victim && len(accepted) == victim) {
							t.Errorf("after record %d: recovery skipped %v: a torn record was left in the journal", k, m.Skipped)
						}
					}
					// Every accepted one; an Add that failed only its
					// fsync may be there too.
					got := numbers(t, strings.TrimSuffix(cjp, cassettes.JournalExt))
					in := map[int]bool{}
					for _, g := range got {
						in[g] = true
					}
					for _, a := range accepted {
						if !in[a] {
							t.Errorf("after record %d: a crash would keep %v, not every accepted one %v", k, got, accepted)
							break
						}
					}
				}
			}
			fsys.Writes(nil)
			fsys.Fault(nil)
			closeErr := s.Close()
			if len(accepted) < n-1 && !tc.each {
				t.Errorf("%d of %d accepted: one faulty write lost more than its own record", len(accepted), n)
			}
			checkNothingLost(t, dir, fsys, closeErr, accepted, n)
			if m, _ := filepath.Glob(filepath.Join(dir, "*", "*"+cassettes.DamagedExt)); len(m) > 0 {
				t.Errorf("a damaged journal was kept: %v", m)
			}
			if errors.Is(closeErr, syscall.EIO) {
				t.Logf("close: %v", closeErr)
			}
		})
	}
}
