package redact

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the length in bytes of a key made by [LoadOrCreateKey].
const KeySize = 32

// minKeySize is the shortest key [New] accepts.
const minKeySize = 16

// ErrWeakKey is wrapped by the error of [LoadOrCreateKey] for a key file
// whose key is too weak to keep pseudonyms from being guessed: shorter than
// [KeySize] bytes, or all one byte repeated.
var ErrWeakKey = errors.New("weak redaction key")

// LoadOrCreateKey reads the redaction key at path. When the file does not
// exist it creates it (and its directory) with a random [KeySize]-byte key
// and mode 0600. Keep the file: cassettes recorded with different keys
// carry different pseudonyms for the same secret. A key shorter than
// [KeySize] bytes, or made of one byte repeated, is refused with an error
// wrapping [ErrWeakKey].
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(key) < KeySize {
			return nil, fmt.Errorf("%w: %s holds %d bytes, want at least %d random bytes; move it away and a new one is made (cassettes recorded with it then need it to be matched exactly)", ErrWeakKey, path, len(key), KeySize)
		}
		if bytes.Count(key, key[:1]) == len(key) {
			return nil, fmt.Errorf("%w: %s is one byte repeated %d times, so its pseudonyms can be guessed; move it away and a new random one is made", ErrWeakKey, path, len(key))
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read redaction key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create redaction key: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("create redaction key: %w", err)
	}
	// Write a temporary file, then link it into place: a crash never leaves
	// a partial key, and a concurrent creator's key wins over ours.
	f, err := os.CreateTemp(filepath.Dir(path), ".redact-key.tmp*")
	if err != nil {
		return nil, fmt.Errorf("create redaction key: %w", err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("create redaction key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("write redaction key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write redaction key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write redaction key %s: %w", path, err)
	}
	if err := os.Link(f.Name(), path); errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path) // another process made it first: use theirs
	} else if err != nil {
		return nil, fmt.Errorf("create redaction key: %w", err)
	}
	return key, nil
}
