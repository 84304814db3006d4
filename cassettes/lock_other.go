//go:build !unix

package cassettes

import "os"

// tryLock is a no-op where advisory locks are not available: two
// recordings into the same cassette are not detected there.
func tryLock(*os.File) (busy bool, err error) { return false, nil }

// heldElsewhere cannot tell where advisory locks are not available.
func heldElsewhere(*os.File) bool { return false }
