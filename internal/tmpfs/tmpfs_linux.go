package tmpfs

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func mount(t testing.TB, size int64) string {
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0755", size)); err != nil {
		t.Skipf("skipped: cannot mount a %d-byte tmpfs here to test a real full disk (needs root or CAP_SYS_ADMIN): %v", size, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

func readOnly(t testing.TB, dir string) {
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("skipped: cannot remount the tmpfs at %s read-only here: %v", dir, err)
	}
}

func resize(t testing.TB, dir string, size int64) {
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("skipped: cannot resize the tmpfs at %s here: %v", dir, err)
	}
}
