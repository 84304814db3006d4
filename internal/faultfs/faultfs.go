// Package faultfs is a [cassettes.FS] that injects faults, for the tests of
// what a recording does when its disk fails it: a disk that fills up
// (writes past the free space fail with ENOSPC, partly written as a real
// disk would), short writes (part of a write done, with or without an
// error, as pwrite(2) may return), any chosen operation failing (a failed
// fsync included), and a log of the operations done, so a test can make
// each write step of a recording fail in turn.
package faultfs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// Kind names an operation of the file system.
type Kind string

// The operations an [FS] logs and can fail. The reads (open for reading,
// read, stat, readdir, lock) are not logged.
const (
	Create   Kind = "create"   // OpenFile creating or opening a file for writing
	Mkdir    Kind = "mkdir"    // MkdirAll
	Write    Kind = "write"    // Write or WriteAt
	Truncate Kind = "truncate" // File.Truncate
	Chmod    Kind = "chmod"    // File.Chmod
	Sync     Kind = "sync"     // File.Sync
	SyncData Kind = "syncdata" // File.SyncData
	SyncDir  Kind = "syncdir"  // SyncDir
	Rename   Kind = "rename"   // Rename
	Remove   Kind = "remove"   // Remove
)

// Op is one operation an [FS] did or was asked to do.
type Op struct {
	Kind Kind
	Path string
}

func (o Op) String() string { return string(o.Kind) + " " + filepath.Base(o.Path) }

// FS wraps a [cassettes.FS]. The zero value is not usable: call [New].
type FS struct {
	inner cassettes.FS

	mu     sync.Mutex
	free   int64 // bytes that may still be allocated; -1 for no limit
	ops    []Op
	fault  func(Op) error
	writes WriteFault
}

// WriteFault decides what a write of p at off into the file at path does:
// n, at most len(p), is how many of its bytes are written, and err what
// the write returns. (len(p), nil) is a write done whole; (0, nil) or
// (k, nil) with k < len(p) is a short write without an error, which
// pwrite(2) may return and a caller must finish or undo; (k, err) is a
// write that failed after k bytes, and reports 0 written, as
// os.File.WriteAt does.
type WriteFault func(path string, off int64, p []byte) (n int, err error)

// Writes sets the function asked before each write (after [FS.Fault] let
// it through and within the free space); nil removes it.
func (f *FS) Writes(fn WriteFault) {
	f.mu.Lock()
	f.writes = fn
	f.mu.Unlock()
}

// New returns an FS over inner (nil means [cassettes.OS]) with no limit
// and no fault.
func New(inner cassettes.FS) *FS {
	if inner == nil {
		inner = cassettes.OS
	}
	return &FS{inner: inner, free: -1}
}

// ENOSPC is the error of a write past the free space.
var ENOSPC error = syscall.ENOSPC

// Limit sets how many bytes files may still grow by, in all (-1: no
// limit). A write that would grow a file past it writes what fits and
// fails with ENOSPC; truncating or removing a file frees its bytes.
func (f *FS) Limit(free int64) {
	f.mu.Lock()
	f.free = free
	f.mu.Unlock()
}

// Free returns the bytes files may still grow by (-1: no limit).
func (f *FS) Free() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.free
}

// Fault sets the function asked before each logged operation: a non-nil
// error fails it (nothing is done). Nil removes it.
func (f *FS) Fault(fn func(Op) error) {
	f.mu.Lock()
	f.fault = fn
	f.mu.Unlock()
}

// FailAt makes the n-th logged operation from now on (0 for the next one)
// fail with err, and no other.
func (f *FS) FailAt(n int, err error) {
	var k int
	var mu sync.Mutex
	f.Fault(func(Op) error {
		mu.Lock()
		defer mu.Unlock()
		k++
		if k-1 == n {
			return err
		}
		return nil
	})
}

// Ops returns the logged operations so far.
func (f *FS) Ops() []Op {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Op(nil), f.ops...)
}

// do logs op and returns the fault to inject, if any.
func (f *FS) do(kind Kind, path string) error {
	f.mu.Lock()
	op := Op{kind, path}
	f.ops = append(f.ops, op)
	fault := f.fault
	f.mu.Unlock()
	if fault != nil {
		if err := fault(op); err != nil {
			return &fs.PathError{Op: string(kind), Path: path, Err: err}
		}
	}
	return nil
}

// grow takes up to want bytes of free space and returns how many it got.
func (f *FS) grow(want int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.free < 0 || want <= 0 {
		return want
	}
	got := min(want, f.free)
	f.free -= got
	return got
}

// release gives n bytes back.
func (f *FS) release(n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.free >= 0 && n > 0 {
		f.free += n
	}
}

// size is the size of the file at path, 0 when there is none.
func (f *FS) size(path string) int64 {
	st, err := f.inner.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// OpenFile opens a file; opening for writing or creating is logged.
func (f *FS) OpenFile(name string, flag int, perm fs.FileMode) (cassettes.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE) != 0 {
		if err := f.do(Create, name); err != nil {
			return nil, err
		}
	}
	in, err := f.inner.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &file{File: in, fs: f}, nil
}

// MkdirAll creates a directory; one that exists is no operation.
func (f *FS) MkdirAll(path string, perm fs.FileMode) error {
	if st, err := f.inner.Stat(path); err == nil && st.IsDir() {
		return nil
	}
	if err := f.do(Mkdir, path); err != nil {
		return err
	}
	return f.inner.MkdirAll(path, perm)
}

// ReadDir lists a directory.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) { return f.inner.ReadDir(name) }

// Stat describes a file.
func (f *FS) Stat(name string) (fs.FileInfo, error) { return f.inner.Stat(name) }

// Remove removes a file, freeing its bytes.
func (f *FS) Remove(name string) error {
	if err := f.do(Remove, name); err != nil {
		return err
	}
	n := f.size(name)
	if err := f.inner.Remove(name); err != nil {
		return err
	}
	f.release(n)
	return nil
}

// Rename renames a file, freeing the bytes of the one it replaces.
func (f *FS) Rename(oldpath, newpath string) error {
	if err := f.do(Rename, newpath); err != nil {
		return err
	}
	n := f.size(newpath)
	if err := f.inner.Rename(oldpath, newpath); err != nil {
		return err
	}
	f.release(n)
	return nil
}

// SyncDir syncs a directory.
func (f *FS) SyncDir(dir string) error {
	if err := f.do(SyncDir, dir); err != nil {
		return err
	}
	return f.inner.SyncDir(dir)
}

// file is an open file of an FS.
type file struct {
	cassettes.File
	fs *FS

	mu  sync.Mutex
	pos int64 // where Write writes
}

func (f *file) size() int64 {
	st, err := f.File.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

func (f *file) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.WriteAt(p, f.pos)
	f.pos += int64(n)
	return n, err
}

// WriteAt writes p at off. A write that fails part way reports 0 bytes
// written, whatever it wrote, as os.File.WriteAt does (it drops the count
// of the pwrite(2) that failed): a caller cannot rely on n to undo it.
func (f *file) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.writeFaulty(p, off)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (f *file) writeFaulty(p []byte, off int64) (int, error) {
	if err := f.fs.do(Write, f.Name()); err != nil {
		return 0, err
	}
	f.fs.mu.Lock()
	wf := f.fs.writes
	f.fs.mu.Unlock()
	if wf != nil {
		if n, err := wf(f.Name(), off, p); n < len(p) || err != nil {
			n = max(0, min(n, len(p)))
			k, werr := f.writeAt(p[:n], off)
			if werr != nil {
				return k, werr
			}
			if err != nil {
				err = &fs.PathError{Op: "write", Path: f.Name(), Err: err}
			}
			return k, err
		}
	}
	return f.writeAt(p, off)
}

// writeAt writes p at off within the free space.
func (f *file) writeAt(p []byte, off int64) (int, error) {
	size := f.size()
	want := off + int64(len(p)) - size
	got := f.fs.grow(want)
	if got < want {
		room := max(0, size+got-off)
		n, err := f.File.WriteAt(p[:min(int64(len(p)), room)], off)
		if n < int(room) {
			f.fs.release(room - int64(n))
		}
		if err == nil {
			err = &fs.PathError{Op: "write", Path: f.Name(), Err: ENOSPC}
		}
		return n, err
	}
	n, err := f.File.WriteAt(p, off)
	if err != nil && want > 0 {
		f.fs.release(max(0, want-max(0, off+int64(n)-size)))
	}
	return n, err
}

func (f *file) Truncate(size int64) error {
	if err := f.fs.do(Truncate, f.Name()); err != nil {
		return err
	}
	old := f.size()
	if size > old {
		if got := f.fs.grow(size - old); got < size-old {
			f.fs.release(got)
			return &fs.PathError{Op: "truncate", Path: f.Name(), Err: ENOSPC}
		}
	}
	if err := f.File.Truncate(size); err != nil {
		return err
	}
	f.fs.release(old - size)
	return nil
}

func (f *file) Chmod(mode fs.FileMode) error {
	if err := f.fs.do(Chmod, f.Name()); err != nil {
		return err
	}
	return f.File.Chmod(mode)
}

func (f *file) Sync() error {
	if err := f.fs.do(Sync, f.Name()); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *file) SyncData() error {
	if err := f.fs.do(SyncData, f.Name()); err != nil {
		return err
	}
	return f.File.SyncData()
}

// String describes the free space, for test messages.
func (f *FS) String() string {
	if free := f.Free(); free >= 0 {
		return fmt.Sprintf("faultfs (%d bytes free)", free)
	}
	return "faultfs"
}
