//go:build unix

package cassettes

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an exclusive advisory lock on f without waiting. busy is
// true when another open file (another recording) holds it.
func tryLock(f *os.File) (busy bool, err error) {
	return flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
}

// heldElsewhere reports whether another open file holds an exclusive lock
// on f: a recording is writing it. It takes a shared lock for a moment to
// find out (a recording opening the file meanwhile waits for it).
func heldElsewhere(f *os.File) bool {
	busy, err := flock(f, syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil && !busy {
		flock(f, syscall.LOCK_UN)
	}
	return busy
}

func flock(f *os.File, how int) (busy bool, err error) {
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}
