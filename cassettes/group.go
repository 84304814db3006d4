package cassettes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// journal is an open journal file. An Add writes its record at once (one
// write under the mutex), so the record is in the kernel's hands, and a
// crash of the process, SIGKILL included, cannot lose it. A syncer
// goroutine fdatasyncs the file behind the writes, at most once per sync
// interval, so an operating-system crash or power loss can lose only the
// records of the last interval. With syncEach, commit also waits for the
// sync that covers its record (group commit: one sync covers every record
// written before it started). Close syncs everything before the journal is
// merged.
//
// The interval is what makes recording cheap: on a virtual disk an
// fdatasync costs tens of microseconds of CPU and more in the kernel, so
// syncing continuously under load costs more than the whole proxy does.
//
// No failure makes the journal unusable: a record that cannot be written
// (the disk is full) is undone and its Add fails, and the next record is
// tried again; a failed sync is reported and tried again by the next one.
// The syncer also notices when the journal's name is removed (its
// directory deleted): the records stay in the open file, and the merge at
// close reads them from there.
type journal struct {
	path     string
	f        File
	fsys     FS
	log      *slog.Logger
	interval time.Duration
	each     bool

	mu      sync.Mutex
	cond    sync.Cond // signalled when a sync ends
	off     int64     // where the next record goes
	synced  int64     // records before this offset are on stable storage
	failed  int64     // the last failed sync was to cover records before this offset
	syncErr error     // that sync's error
	syncs   int       // fdatasyncs done
	alloc   int64     // the file's size: zeros ahead of off
	retryAt int64     // no preallocation is tried again before off reaches this
	closed  bool

	warnedAlloc, warnedSync, gone bool // warned of, until it gets better

	// Rotation (see [Options.RotateSize]): the journal's cassette is the
	// seg-th of its name, base bytes long when the journal was opened at
	// opened; users counts the Adds and Prepares holding it.
	seg    int
	base   int64
	opened time.Time
	users  sync.WaitGroup

	kick    chan struct{} // capacity 1: there are writes to sync
	closing chan struct{} // closed by close: sync now, then stop
	done    chan struct{} // closed when the syncer has stopped
}

// lockWait is how long opening a journal, or recovering one, waits for a
// lock held only for a moment (a reader checking whether a recording is
// running) before it takes the journal as held by another recording.
const lockWait = 200 * time.Millisecond

// openJournal creates (or opens) the journal at path and locks it. A
// journal another process holds is [ErrBusy].
func openJournal(fsys FS, path string, o Options, log *slog.Logger) (*journal, error) {
	if err := fsys.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	f, err := openLocked(fsys, path, lockWait)
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", path, named(path, err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal %s: %w", path, named(path, err))
	}
	// A journal already there is one this process left (a Store closed
	// while its merge failed): the records go after its own.
	off := int64(0)
	if st.Size() > 0 {
		data := make([]byte, st.Size())
		if _, err := f.ReadAt(data, 0); err != nil {
			f.Close()
			return nil, fmt.Errorf("open journal %s: %w", path, named(path, err))
		}
		_, skipped, end := parseJournal(data)
		if len(skipped) > 0 {
			f.Close()
			return nil, fmt.Errorf("open journal %s: it holds damaged records; run 'oauthcompat cassette recover %s' first", path, filepath.Dir(filepath.Dir(path)))
		}
		off = int64(end)
	}
	// The journal's directory entry must be durable too; a failure here
	// loses nothing yet, so it is only reported.
	if err := syncDir(fsys, filepath.Dir(path)); err != nil {
		log.Warn("the journal's directory could not be synced: a power loss may lose the journal", "journal", path, "err", err)
	}
	j := &journal{
		path: path, f: f, fsys: fsys, log: log, interval: o.syncInterval(), each: o.SyncEach,
		off: off, synced: off, alloc: st.Size(),
		kick: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{}),
	}
	j.cond.L = &j.mu
	go j.syncer()
	return j, nil
}

// openLocked opens (creating it) the file at path for reading and
// writing and takes its lock, waiting up to wait for a lock held only for
// a moment. It makes sure the file locked is still the one at path (a
// recovery may have merged and removed it meanwhile). A lock held longer
// is [ErrBusy].
func openLocked(fsys FS, path string, wait time.Duration) (File, error) {
	for {
		f, err := fsys.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		deadline := time.Now().Add(wait)
		for {
			busy, err := f.TryLock()
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("lock: %w", err)
			}
			if !busy {
				break
			}
			if time.Now().After(deadline) {
				f.Close()
				return nil, ErrBusy
			}
			time.Sleep(time.Millisecond)
		}
		if same, err := samePath(fsys, f, path); err != nil || same {
			if err != nil {
				f.Close()
				return nil, err
			}
			return f, nil
		}
		f.Close() // removed or replaced while we waited: open it anew
	}
}

// samePath reports whether f is still the file at path.
func samePath(fsys FS, f File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := fsys.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(a, b), nil
}

// commit appends one encoded record. When it returns nil, the record
// survives the death of the process; with each, it is on stable storage
// too. When it fails, the record is not in the journal, and the journal
// takes the next one.
func (j *journal) commit(rec []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if err := j.write(rec); err != nil {
		return fmt.Errorf("write journal %s: %w", j.path, named(j.path, err))
	}
	select {
	case j.kick <- struct{}{}:
	default: // a sync is already due; it will cover this record
	}
	if !j.each {
		return nil
	}
	for end := j.off; j.synced < end; {
		if j.failed >= end && j.syncErr != nil {
			return fmt.Errorf("sync journal %s: %w", j.path, named(j.path, j.syncErr))
		}
		j.cond.Wait()
	}
	return nil
}

// syncer fdatasyncs the journal when records were written since its last
// sync, no sooner than the interval after the last one began (at once
// with each: group commit), until close. After each sync, and every
// second, it checks that the journal still has its name.
func (j *journal) syncer() {
	defer close(j.done)
	var last time.Time
	timer := time.NewTimer(0)
	<-timer.C
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-j.kick:
		case <-tick.C:
			j.checkName()
			continue
		case <-j.closing:
			return
		}
		if wait := j.interval - time.Since(last); !j.each && wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-j.closing:
				timer.Stop()
				return
			}
		}
		last = time.Now()
		j.sync()
		j.checkName()
	}
}

// sync fdatasyncs what has been written so far and wakes the commits
// waiting for it. A failure is reported once (until a sync succeeds
// again) and returned.
func (j *journal) sync() error {
	j.mu.Lock()
	target := j.off
	j.mu.Unlock()
	err := j.f.SyncData()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.syncs++
	if err != nil {
		j.failed, j.syncErr = target, err
		if !j.warnedSync {
			j.warnedSync = true
			j.log.Warn("the journal could not be synced to stable storage: recorded interactions survive a crash of the process, not a power loss; recording goes on",
				"journal", j.path, "err", err)
		}
		j.cond.Broadcast()
		return fmt.Errorf("sync journal %s: %w", j.path, named(j.path, err))
	}
	if j.warnedSync {
		j.warnedSync = false
		j.log.Info("the journal is synced again", "journal", j.path)
	}
	if target > j.synced {
		j.synced = target
	}
	j.cond.Broadcast()
	return nil
}

// checkName warns, once, when the journal's name no longer leads to it:
// its directory (or the journal) was removed while recording. Nothing is
// lost: the records are in the open file, and close merges them from
// there into a re-created directory.
func (j *journal) checkName() {
	same, err := samePath(j.fsys, j.f, j.path)
	if err != nil || same {
		return
	}
	j.mu.Lock()
	warn := !j.gone
	j.gone = true
	j.mu.Unlock()
	if warn {
		j.log.Warn("the journal was removed while recording (was its directory deleted?): recording goes on into the open file, and the cassette is written into a re-created directory when the recording stops; do not stop it with SIGKILL",
			"journal", j.path)
	}
}

// preallocChunk is how far ahead of its records a journal is filled with
// zeros. Overwriting zeros in place changes no file size, so each sync
// flushes data only, not the file's metadata; the size changes once per
// chunk.
const preallocChunk = 4 << 20

// zeros is what the space ahead of the records is filled with.
var zeros = make([]byte, 64<<10)

// write puts buf at the journal's end. It must be called with j.mu held.
// The space ahead is filled as far as it can be; when it cannot (the disk
// is nearly full), that is reported and the record is written all the
// same. A record that cannot be written whole is undone: what of it was
// written is zeroed (or cut off), so the journal ends where it did.
func (j *journal) write(buf []byte) error {
	if end := j.off + int64(len(buf)); end > j.alloc && j.off >= j.retryAt {
		j.prealloc(end)
	}
	n, err := writeFull(j.f, buf, j.off)
	if err == nil {
		j.off += int64(len(buf))
		j.alloc = max(j.alloc, j.off)
		return nil
	}
	// n does not say what to undo: os.File.WriteAt reports 0 when
	// pwrite(2) wrote part of the record, then failed (the disk filled
	// up). Every byte of the record's extent the file now holds is zeroed:
	// the record's, or zeros made ahead. That takes no new space.
	undo := int64(n)
	if st, serr := j.f.Stat(); serr == nil {
		undo = max(undo, min(int64(len(buf)), st.Size()-j.off))
		j.alloc = max(j.alloc, st.Size())
	}
	if undo > 0 {
		if zerr := j.zero(j.off, undo); zerr != nil {
			// Cutting the file frees space rather than taking any.
			if terr := j.f.Truncate(j.off); terr != nil {
				return fmt.Errorf("%w; and the part written could not be undone (%v): recover this journal when the recording stops", err, terr)
			}
			j.alloc = j.off
		}
	}
	return err
}

// writeFull writes all of buf at off. A write that returns less without
// an error (pwrite(2) may; a File need not hide it) is continued where it
// stopped; one that makes no progress is io.ErrShortWrite. n is how many
// bytes were written.
func writeFull(f File, buf []byte, off int64) (n int, err error) {
	for n < len(buf) {
		k, err := f.WriteAt(buf[n:], off+int64(n))
		n += max(0, k)
		if err != nil {
			return n, err
		}
		if k <= 0 {
			return n, io.ErrShortWrite
		}
	}
	return n, nil
}

// prealloc fills the file with zeros up to the chunk after end, as far as
// the disk lets it. It must be called with j.mu held.
func (j *journal) prealloc(end int64) {
	size := (end/preallocChunk + 1) * preallocChunk
	for j.alloc < size {
		n, err := j.f.WriteAt(zeros[:min(int64(len(zeros)), size-j.alloc)], j.alloc)
		j.alloc += int64(n)
		if err != nil {
			// The count of a write that failed part way is 0 (see write):
			// the file's size says how far the zeros went.
			if st, serr := j.f.Stat(); serr == nil {
				j.alloc = max(j.alloc, st.Size())
			}
			// Try again a chunk further on: each try costs a write.
			j.retryAt = j.off + preallocChunk
			if !j.warnedAlloc {
				j.warnedAlloc = true
				j.log.Warn("the disk is nearly full: no room could be made ahead of the journal; recording goes on as long as records fit, and each one that does not is reported",
					"journal", j.path, "err", err)
			}
			return
		}
	}
	if j.warnedAlloc {
		j.warnedAlloc = false
		j.log.Info("there is room ahead of the journal again", "journal", j.path)
	}
}

// zero overwrites n bytes at off with zeros.
func (j *journal) zero(off, n int64) error {
	for n > 0 {
		k := min(n, int64(len(zeros)))
		if _, err := writeFull(j.f, zeros[:k], off); err != nil {
			return err
		}
		off += k
		n -= k
	}
	return nil
}

// close stops accepting records, stops the syncer, cuts the space made
// ahead of the records (freeing it for the cassette) and syncs. The file
// stays open (and locked) for merge. A sync failure loses nothing yet:
// the merge writes the records into a cassette it syncs itself.
func (j *journal) close() {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return
	}
	j.closed = true
	close(j.closing)
	j.mu.Unlock()
	<-j.done
	j.checkName()
	if j.alloc > j.off {
		if err := j.f.Truncate(j.off); err == nil {
			j.alloc = j.off
		}
	}
	j.sync()
}

// isGone reports whether the journal's name was removed while recording.
func (j *journal) isGone() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.gone
}

// endsWith reports whether have ends with tail: the cassette already holds
// the journal's records (a crash came between writing the cassette and
// removing its journal). Entries are compared in their cassette encoding.
func endsWith(have, tail [][]byte) bool {
	if len(tail) == 0 || len(have) < len(tail) {
		return false
	}
	off := len(have) - len(tail)
	for k, t := range tail {
		if !bytes.Equal(have[off+k], t) {
			return false
		}
	}
	return true
}
