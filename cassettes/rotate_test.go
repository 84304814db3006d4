package cassettes_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
)

func TestRotation(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      cassettes.Options
		existing  int // interactions recorded before, without rotation
		n         int
		wantFiles int // at least
		maxSize   int64
		workers   int
	}{
		{name: "by size", opts: cassettes.Options{RotateSize: 4000}, n: 40, wantFiles: 5, maxSize: 4000 + 4*1500, workers: 4},
		{name: "by time", opts: cassettes.Options{RotateEvery: time.Nanosecond}, n: 6, wantFiles: 6, workers: 1},
		{name: "by size after a full cassette", opts: cassettes.Options{RotateSize: 4000}, existing: 20, n: 10, wantFiles: 3, workers: 4},
		{name: "by size after a cassette with room", opts: cassettes.Options{RotateSize: 1 << 20}, existing: 20, n: 10, wantFiles: 1, workers: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.existing > 0 {
				if err := record(t, dir, nil, 0, tc.existing); err != nil {
					t.Fatal(err)
				}
			}
			s, err := cassettes.OpenStoreWith(dir, "session", redact.New([]byte("0123456789abcdef0123456789abcdef"), redact.Options{}), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			// Concurrent Adds: none is lost or refused across a rotation.
			for w := range tc.workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := tc.existing + w; n < tc.existing+tc.n; n += tc.workers {
						if err := s.Add("ghes-3.8", interaction(n)); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			files, err := cassettes.Files(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) < tc.wantFiles {
				t.Errorf("%d cassettes, want at least %d: %v", len(files), tc.wantFiles, files)
			}
			for k, f := range files {
				want := cassettes.RotatedPath(dir, "ghes-3.8", "session", k)
				if f != want {
					t.Errorf("cassette %d is %s, want %s", k, f, want)
				}
				if st, _ := os.Stat(f); tc.maxSize > 0 && st.Size() > tc.maxSize {
					t.Errorf("%s is %d bytes, over %d", filepath.Base(f), st.Size(), tc.maxSize)
				}
			}
			var got []int
			if err := cassettes.Walk(dir, func(it cassettes.Item) error {
				_, v, _ := strings.Cut(it.Interaction.Request.URL, "?n=")
				n, _ := strconv.Atoi(v)
				got = append(got, n)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			sort.Ints(got[tc.existing:]) // concurrent Adds: any order within the recording
			if fmt.Sprint(got) != fmt.Sprint(seq(0, tc.existing+tc.n)) {
				t.Errorf("read %v, want each of 0..%d once", got, tc.existing+tc.n-1)
			}
			if ls, _ := cassettes.Leftovers(dir); len(ls) > 0 {
				t.Errorf("journals left: %v", ls)
			}
		})
	}
}
