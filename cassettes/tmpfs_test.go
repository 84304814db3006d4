package cassettes_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/faultfs"
	"github.com/oauthcompat/oauthcompat/internal/tmpfs"
	"github.com/oauthcompat/oauthcompat/redact"
)

// TestRealFullDisk records onto a real 3 MB tmpfs more than fits: the
// store warns at once that the disk is nearly full, records every
// interaction that fits, fails the Add of each that does not, and Close
// either writes them all or keeps the journal and says so. Skipped, with
// the reason, where no tmpfs can be mounted.
func TestRealFullDisk(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, size int
		wantAll bool
	}{
		{"1.3 MB recorded", 1000, 300, true},
		{"4.5 MB recorded", 3000, 1200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tmpfs.Mount(t, 3<<20)
			var logs logBuffer
			s, err := cassettes.OpenStoreWith(dir, "session", redact.NewRandom(), cassettes.Options{Logger: logs.logger()})
			if err != nil {
				t.Fatal(err)
			}
			var accepted []int
			for k := range tc.n {
				err := s.Add("ghes-3.8", bigInteraction(k, tc.size))
				if err == nil {
					accepted = append(accepted, k)
				} else if !errors.Is(err, syscall.ENOSPC) {
					t.Errorf("Add %d: %v, want ENOSPC", k, err)
				}
			}
			if !strings.Contains(logs.String(), "nearly full") {
				t.Errorf("no warning that the disk is nearly full:\n%s", logs.String())
			}
			closeErr := s.Close()
			t.Logf("%d of %d recorded; close: %v", len(accepted), tc.n, closeErr)
			if tc.wantAll && (len(accepted) != tc.n || closeErr != nil) {
				t.Errorf("%d of %d recorded (close: %v), want all: they fit", len(accepted), tc.n, closeErr)
			}
			if !tc.wantAll && len(accepted) < tc.n/3 {
				t.Errorf("only %d of %d recorded: the disk holds more", len(accepted), tc.n)
			}
			if closeErr != nil {
				// Free the space the cassette needs, as a user would, then recover.
				tmpfs.Resize(t, dir, 16<<20)
			}
			checkNothingLost(t, dir, faultfs.New(nil), closeErr, accepted, tc.n)
		})
	}
}

// TestRealReadOnlyDirectory: a store on a read-only tmpfs is refused when
// it opens.
func TestRealReadOnlyDirectory(t *testing.T) {
	dir := tmpfs.Mount(t, 1<<20)
	tmpfs.ReadOnly(t, dir)
	_, err := cassettes.OpenStore(dir, "session", redact.NewRandom())
	if !errors.Is(err, cassettes.ErrNotWritable) || !errors.Is(err, syscall.EROFS) {
		t.Errorf("err = %v, want ErrNotWritable and EROFS", err)
	}
}
