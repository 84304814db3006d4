package cassettes

import (
	"errors"
	"os"
	"syscall"
)

// syncData flushes a file's data (and the size needed to read it back)
// to stable storage; fdatasync skips the metadata fsync would also write.
func syncData(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
