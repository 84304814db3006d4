package main

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"

	"github.com/oauthcompat/oauthcompat/redact"
)

// keyName is the default redaction key file, inside the cassettes directory.
const keyName = ".redact-key"

// createRedactor loads, or creates with mode 0600, the redaction key of a
// recording into dir: explicit, or dir/.redact-key. A key it creates in dir
// gets a .gitignore beside it, so committing the cassettes does not publish
// the key (whoever holds it can test guesses of a secret against its
// pseudonym).
func createRedactor(dir, explicit string, opts redact.Options) (*redact.Redactor, string, error) {
	path := explicit
	if path == "" {
		path = filepath.Join(dir, keyName)
	}
	_, statErr := os.Stat(path)
	key, err := redact.LoadOrCreateKey(path)
	if err != nil {
		return nil, path, fmt.Errorf("redaction key for the cassettes in %s: %w", dir, err)
	}
	if errors.Is(statErr, iofs.ErrNotExist) && explicit == "" {
		ignore := filepath.Join(dir, ".gitignore")
		if _, err := os.Stat(ignore); errors.Is(err, iofs.ErrNotExist) {
			if err := os.WriteFile(ignore, []byte(keyName+"\n"), 0o644); err != nil {
				return nil, path, fmt.Errorf("write %s: %w", ignore, err)
			}
		}
	}
	return redact.New(key, opts), path, nil
}

// findRedactor returns the redactor for the cassettes at path (a cassettes
// directory, one of its version directories, or a cassette file): the key
// named by explicit, which must exist, or the first .redact-key in path or
// the two directories above it. It returns a nil Redactor and "" when there
// is none.
func findRedactor(path, explicit string, opts redact.Options) (*redact.Redactor, string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return nil, explicit, fmt.Errorf("--redact-key-file: %w", err)
		}
		key, err := redact.LoadOrCreateKey(explicit)
		if err != nil {
			return nil, explicit, err
		}
		return redact.New(key, opts), explicit, nil
	}
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	for range 3 {
		candidate := filepath.Join(dir, keyName)
		if _, err := os.Stat(candidate); err == nil {
			key, err := redact.LoadOrCreateKey(candidate)
			if err != nil {
				return nil, candidate, err
			}
			return redact.New(key, opts), candidate, nil
		}
		dir = filepath.Dir(dir)
	}
	return nil, "", nil
}
