// Package tmpfs mounts small tmpfs file systems for tests that need a real
// disk that fills up or turns read-only. Mounting needs Linux and the
// privilege to mount (root, or CAP_SYS_ADMIN); elsewhere the test is
// skipped with the reason.
package tmpfs

import (
	"testing"
)

// Mount mounts a tmpfs of size bytes on a new directory under
// t.TempDir(), unmounted when the test ends, and returns the directory.
// It skips the test, saying why, when no tmpfs can be mounted here.
func Mount(t testing.TB, size int64) string {
	t.Helper()
	return mount(t, size)
}

// ReadOnly remounts the tmpfs at dir read-only. It skips the test, saying
// why, when that cannot be done here.
func ReadOnly(t testing.TB, dir string) {
	t.Helper()
	readOnly(t, dir)
}

// Resize remounts the tmpfs at dir with a new size, as a user freeing
// space would. It skips the test, saying why, when that cannot be done.
func Resize(t testing.TB, dir string, size int64) {
	t.Helper()
	resize(t, dir, size)
}
