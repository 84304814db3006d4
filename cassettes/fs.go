package cassettes

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// FS is the file system a [Store] and [Recover] write through: [OS] in
// production; a test passes one that injects faults (a full disk at a
// chosen write, a directory removed, a read-only directory) through
// [Options.FS].
type FS interface {
	// OpenFile opens a file as [os.OpenFile] does.
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// MkdirAll creates a directory and its parents as [os.MkdirAll] does.
	MkdirAll(path string, perm fs.FileMode) error
	// ReadDir lists a directory as [os.ReadDir] does.
	ReadDir(name string) ([]fs.DirEntry, error)
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// Rename renames a file, replacing the target.
	Rename(oldpath, newpath string) error
	// Stat describes the file at name.
	Stat(name string) (fs.FileInfo, error)
	// SyncDir makes the entries of a directory durable (an fsync of the
	// directory).
	SyncDir(dir string) error
}

// File is an open file of an [FS].
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.WriterAt
	io.Closer
	// Name is the name the file was opened with.
	Name() string
	// Stat describes the open file, even once its name is removed.
	Stat() (fs.FileInfo, error)
	// Truncate changes the file's size.
	Truncate(size int64) error
	// Chmod changes the file's mode.
	Chmod(mode fs.FileMode) error
	// Sync puts the file's data and metadata on stable storage (fsync).
	Sync() error
	// SyncData puts the file's data, and the metadata needed to read it
	// back, on stable storage (fdatasync where there is one).
	SyncData() error
	// TryLock takes an exclusive advisory lock on the file without
	// waiting. busy is true when another open file holds one. The lock
	// goes with Close.
	TryLock() (busy bool, err error)
}

// OS is the operating system's file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }
func (osFS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }
func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

type osFile struct{ *os.File }

func (f osFile) SyncData() error                 { return syncData(f.File) }
func (f osFile) TryLock() (busy bool, err error) { return tryLock(f.File) }

// syncDir fsyncs dir through fsys, naming it in the error.
func syncDir(fsys FS, dir string) error {
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// readFile reads the whole file at name through fsys.
func readFile(fsys FS, name string) ([]byte, error) {
	f, err := fsys.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// walk lists the files under dir, recursively, whose names keep reports
// true, sorted. A directory that vanishes meanwhile is skipped.
func walk(fsys FS, dir string, keep func(name string) bool) ([]string, error) {
	var out []string
	var visit func(d string) error
	visit = func(d string) error {
		entries, err := fsys.ReadDir(d)
		if err != nil {
			if d != dir && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		for _, e := range entries {
			p := filepath.Join(d, e.Name())
			if e.IsDir() {
				if err := visit(p); err != nil {
					return err
				}
				continue
			}
			if keep(e.Name()) {
				out = append(out, p)
			}
		}
		return nil
	}
	if err := visit(dir); err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// named returns err for a message that names path already: when err is
// the file system's error about path (a [fs.PathError], or an
// [os.LinkError] whose target is path), it says its operation and cause
// without the path again. It unwraps to err, so [errors.Is] and
// [errors.As] see what they saw.
func named(path string, err error) error {
	switch e := err.(type) {
	case *fs.PathError:
		if filepath.Clean(e.Path) == filepath.Clean(path) {
			return pathless{e.Op + ": " + e.Err.Error(), err}
		}
	case *os.LinkError:
		if filepath.Clean(e.New) == filepath.Clean(path) {
			return pathless{e.Op + " from " + filepath.Base(e.Old) + ": " + e.Err.Error(), err}
		}
	}
	return err
}

type pathless struct {
	msg string
	err error
}

func (p pathless) Error() string { return p.msg }
func (p pathless) Unwrap() error { return p.err }
