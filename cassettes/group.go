package cassettes

import (
	"bytes"
	"fmt"
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
type journal struct {
	path     string
	f        *os.File
	interval time.Duration
	each     bool

	mu     sync.Mutex
	cond   sync.Cond // signalled when synced moves or err is set
	off    int64     // where the next record goes
	synced int64     // records before this offset are on stable storage
	syncs  int       // fdatasyncs done
	alloc  int64     // bytes of zeros written ahead of off
	closed bool
	err    error // first write or sync failure; the journal is unusable after it

	kick    chan struct{} // capacity 1: there are writes to sync
	closing chan struct{} // closed by close: sync now, then stop
	done    chan struct{} // closed when the syncer has stopped
}

func openJournal(path string, o Options) (*journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	busy, err := tryLock(f)
	if busy {
		f.Close()
		return nil, fmt.Errorf("open journal %s: %w; choose another --name or wait for it to stop", path, ErrBusy)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal %s: lock: %w", path, err)
	}
	// The journal's directory entry must be durable too.
	if err := syncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, err
	}
	j := &journal{
		path: path, f: f, interval: o.syncInterval(), each: o.SyncEach,
		kick: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{}),
	}
	j.cond.L = &j.mu
	go j.syncer()
	return j, nil
}

// commit appends one encoded record. When it returns, the record survives
// the death of the process; with each, it is on stable storage too.
func (j *journal) commit(rec []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if j.err != nil {
		return j.err
	}
	if err := j.write(rec); err != nil {
		j.err = fmt.Errorf("write journal %s: %w", j.path, err)
		j.cond.Broadcast()
		return j.err
	}
	select {
	case j.kick <- struct{}{}:
	default: // a sync is already due; it will cover this record
	}
	if !j.each {
		return nil
	}
	for end := j.off; j.synced < end && j.err == nil; {
		j.cond.Wait()
	}
	return j.err
}

// syncer fdatasyncs the journal when records were written since its last
// sync, no sooner than the interval after the last one began (at once
// with each: group commit), until close.
func (j *journal) syncer() {
	defer close(j.done)
	var last time.Time
	timer := time.NewTimer(0)
	<-timer.C
	for {
		select {
		case <-j.kick:
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
	}
}

// sync fdatasyncs what has been written so far and wakes the commits
// waiting for it.
func (j *journal) sync() error {
	j.mu.Lock()
	target := j.off
	j.mu.Unlock()
	err := syncData(j.f)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil && j.err == nil {
		j.err = fmt.Errorf("sync journal %s: %w", j.path, err)
	}
	if err == nil && target > j.synced {
		j.synced = target
	}
	j.syncs++
	j.cond.Broadcast()
	return j.err
}

// preallocChunk is how far ahead of its records a journal is filled with
// zeros. Overwriting zeros in place changes no file size, so each sync
// flushes data only, not the file's metadata; the size changes once per
// chunk.
const preallocChunk = 4 << 20

// write puts buf at the journal's end. It must be called with j.mu held.
func (j *journal) write(buf []byte) error {
	if end := j.off + int64(len(buf)); end > j.alloc {
		size := (end/preallocChunk + 1) * preallocChunk
		zeros := make([]byte, 64<<10)
		for at := j.alloc; at < size; at += int64(len(zeros)) {
			if _, err := j.f.WriteAt(zeros[:min(int64(len(zeros)), size-at)], at); err != nil {
				return err
			}
		}
		j.alloc = size
	}
	if _, err := j.f.WriteAt(buf, j.off); err != nil {
		return err
	}
	j.off += int64(len(buf))
	return nil
}

// close stops accepting records, stops the syncer and syncs what it has
// not. The file stays open (and locked) for merge.
func (j *journal) close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return j.err
	}
	j.closed = true
	close(j.closing)
	j.mu.Unlock()
	<-j.done
	return j.sync()
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
