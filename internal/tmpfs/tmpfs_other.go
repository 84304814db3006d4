//go:build !linux

package tmpfs

import "testing"

func mount(t testing.TB, size int64) string {
	t.Skip("skipped: a tmpfs can be mounted for this test only on Linux")
	return ""
}

func readOnly(t testing.TB, dir string) {
	t.Skip("skipped: a tmpfs can be remounted read-only for this test only on Linux")
}

func resize(t testing.TB, dir string, size int64) {
	t.Skip("skipped: a tmpfs can be resized for this test only on Linux")
}
