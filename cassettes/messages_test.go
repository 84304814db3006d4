package cassettes_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/faultfs"
	"github.com/oauthcompat/oauthcompat/redact"
)

// TestErrorMessages: an error of the store names each path once (the
// file system's error names it too), and the error of a busy cassette
// names the process holding it and what to do.
func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(dir string) func(faultfs.Op) error
		do    func(s *cassettes.Store) error
		path  func(dir string) string
	}{
		{"journal write", func(string) func(faultfs.Op) error {
			return func(op faultfs.Op) error {
				if op.Kind == faultfs.Write && strings.HasSuffix(op.Path, cassettes.JournalExt) {
					return syscall.ENOSPC
				}
				return nil
			}
		}, func(s *cassettes.Store) error { return s.Add("ghes-3.8", interaction(0)) },
			func(dir string) string { return cassettes.Path(dir, "ghes-3.8", "session") + cassettes.JournalExt }},
		{"journal create", func(string) func(faultfs.Op) error {
			return func(op faultfs.Op) error {
				if op.Kind == faultfs.Create && strings.HasSuffix(op.Path, cassettes.JournalExt) {
					return syscall.EROFS
				}
				return nil
			}
		}, func(s *cassettes.Store) error { return s.Prepare("ghes-3.8") },
			func(dir string) string { return cassettes.Path(dir, "ghes-3.8", "session") + cassettes.JournalExt }},
		{"cassette write", func(string) func(faultfs.Op) error {
			return func(op faultfs.Op) error {
				if op.Kind == faultfs.Rename {
					return syscall.ENOSPC
				}
				return nil
			}
		}, func(s *cassettes.Store) error {
			if err := s.Add("ghes-3.8", interaction(0)); err != nil {
				return err
			}
			return s.Close()
		}, func(dir string) string { return cassettes.Path(dir, "ghes-3.8", "session") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys, dir := faultfs.New(nil), t.TempDir()
			s, err := cassettes.OpenStoreWith(dir, "session", redact.NewRandom(), cassettes.Options{FS: fsys})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			fsys.Fault(tc.fault(dir))
			err = tc.do(s)
			if err == nil {
				t.Fatal("no error")
			}
			p := tc.path(dir)
			// The path itself, not as the prefix of a longer one.
			if n := strings.Count(err.Error()+" ", p+" ") + strings.Count(err.Error(), p+":"); n != 1 {
				t.Errorf("the error names %s %d times, want once:\n%v", p, n, err)
			}
		})
	}

	t.Run("busy", func(t *testing.T) {
		dir := t.TempDir()
		s := openStore(t, dir)
		defer s.Close()
		_, err := cassettes.OpenStore(dir, "session", redact.NewRandom())
		if !errors.Is(err, cassettes.ErrBusy) {
			t.Fatalf("err = %v, want ErrBusy", err)
		}
		msg := err.Error()
		for _, w := range []string{"pid " + strconv.Itoa(os.Getpid()), "--name", filepath.Join(dir, ".session.lock")} {
			if !strings.Contains(msg, w) {
				t.Errorf("the busy error does not say %q:\n%s", w, msg)
			}
		}
		if strings.Contains(msg, "are cassette") || strings.Count(msg, dir) != 1 {
			t.Errorf("the busy error does not read well:\n%s", msg)
		}
	})
}
