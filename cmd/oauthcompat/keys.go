package main

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/oauthcompat/oauthcompat/cassettes"
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
	if explicit == "" {
		if err := ensureGitignore(dir, errors.Is(statErr, iofs.ErrNotExist)); err != nil {
			return nil, path, err
		}
	}
	return redact.New(key, opts), path, nil
}

// gitignored is what a cassettes directory's .gitignore keeps out of git:
// the redaction key, the lock files of recordings, and the damaged
// journals recovery keeps for a closer look.
var gitignored = []string{keyName, "*.lock", "*" + cassettes.JournalExt + cassettes.DamagedExt}

// ensureGitignore gives dir a .gitignore holding the lines of gitignored:
// it writes one when there is none and create is true (the key was just
// created), and adds the missing lines to one that already ignores the
// key (written by this program, perhaps an earlier release). A .gitignore
// of the user's, without the key's line, is left alone.
func ensureGitignore(dir string, create bool) error {
	ignore := filepath.Join(dir, ".gitignore")
	b, err := os.ReadFile(ignore)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		if !create {
			return nil
		}
	case err != nil:
		return fmt.Errorf("read %s: %w", ignore, err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	if len(b) > 0 && !have[keyName] {
		return nil
	}
	add := ""
	for _, l := range gitignored {
		if !have[l] {
			add += l + "\n"
		}
	}
	if add == "" {
		return nil
	}
	if len(b) > 0 && !strings.HasSuffix(string(b), "\n") {
		add = "\n" + add
	}
	f, err := os.OpenFile(ignore, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = f.WriteString(add)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", ignore, err)
	}
	return nil
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
