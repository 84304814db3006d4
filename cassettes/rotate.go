package cassettes

import (
	"path/filepath"
	"strings"
	"time"
)

// segment returns the rotation number of the cassette of version the
// store records into first, and that cassette's size: the last of its
// name already there (or being recovered), or the next one when
// rotation by size is on and that one is full.
func (s *Store) segment(version string) (seg int, size int64) {
	vdir := filepath.Join(s.dir, version)
	entries, _ := s.fsys.ReadDir(vdir)
	found := false
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), JournalExt)
		if e.IsDir() || !strings.HasSuffix(name, Ext) {
			continue
		}
		_, stem, n := rotated(name)
		if stem == s.name && (!found || n > seg) {
			seg, found = n, true
		}
	}
	if st, err := s.fsys.Stat(RotatedPath(s.dir, version, s.name, seg)); err == nil {
		size = st.Size()
	}
	if s.opts.RotateSize > 0 && size >= s.opts.RotateSize {
		return seg + 1, 0
	}
	return seg, size
}

// due reports whether j's cassette is to be left for the next one.
func (s *Store) due(j *journal) bool {
	if s.opts.RotateSize > 0 {
		j.mu.Lock()
		size := j.base + j.off
		j.mu.Unlock()
		if size >= s.opts.RotateSize {
			return true
		}
	}
	return s.opts.RotateEvery > 0 && time.Since(j.opened) >= s.opts.RotateEvery
}

// maybeRotate starts the next cassette of version when j, its current
// journal, is due: later Adds go to a new journal at once, and j is
// turned into its cassette once the Adds holding it have committed. What
// that fails with is returned by Close.
func (s *Store) maybeRotate(version string, j *journal) {
	if s.opts.RotateSize <= 0 && s.opts.RotateEvery <= 0 || !s.due(j) {
		return
	}
	s.mu.Lock()
	if s.journals[version] != j {
		s.mu.Unlock()
		return // rotated already
	}
	next, err := openJournal(s.fsys, RotatedPath(s.dir, version, s.name, j.seg+1)+JournalExt, s.opts, s.log)
	if err != nil {
		// Recording goes on into the current cassette; the next Add
		// tries again.
		s.mu.Unlock()
		s.log.Warn("the next cassette could not be started: recording goes on into the current one", "journal", j.path, "err", err)
		return
	}
	next.seg, next.opened = j.seg+1, time.Now()
	s.journals[version] = next
	s.rotating.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.rotating.Done()
		j.users.Wait()
		if err := s.finish(j); err != nil {
			s.mu.Lock()
			s.rotErrs = append(s.rotErrs, err)
			s.mu.Unlock()
			s.log.Error("a rotated cassette could not be written; its journal is kept for 'oauthcompat cassette recover'", "journal", j.path, "err", err)
		}
	}()
}
