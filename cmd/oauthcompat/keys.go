package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
)

// keyName is the default redaction key file, inside the cassettes directory.
const keyName = ".redact-key"

// createRedactor loads, or creates with mode 0600, the redaction key of a
// recording into dir: explicit, or dir/.redact-key. A key in dir is kept
// out of git: a key it creates gets a .gitignore beside it, and a
// .gitignore already there that does not ignore the key gets a line
// appended, which is logged (whoever holds the key can test guesses of a
// secret against its pseudonym). A key readable by group or others is
// logged as a warning; a weak one is refused (see [keyFailure]).
func createRedactor(dir, explicit string, opts redact.Options, logger *slog.Logger) (*redact.Redactor, string, error) {
	path := explicit
	if path == "" {
		path = filepath.Join(dir, keyName)
	}
	_, statErr := os.Stat(path)
	key, err := redact.LoadOrCreateKey(path)
	if err != nil {
		return nil, path, fmt.Errorf("redaction key for the cassettes in %s: %w", dir, err)
	}
	if err := ignoreInGit(dir, path, errors.Is(statErr, iofs.ErrNotExist) && explicit == "", logger); err != nil {
		return nil, path, err
	}
	warnKeyMode(path, logger)
	return redact.New(key, opts), path, nil
}

// gitignored is what a cassettes directory's .gitignore keeps out of git
// besides the redaction key: the lock files of recordings, and the damaged
// journals recovery keeps for a closer look.
var gitignored = []string{"*.lock", "*" + cassettes.JournalExt + cassettes.DamagedExt}

// findRedactor returns the redactor for the cassettes at path (a cassettes
// directory, one of its version directories, or a cassette file): the key
// named by explicit, which must exist, or the first .redact-key in path or
// the two directories above it. It returns a nil Redactor and "" when there
// is none. A key readable by group or others is logged as a warning.
func findRedactor(path, explicit string, opts redact.Options, logger *slog.Logger) (*redact.Redactor, string, error) {
	load := func(p string) (*redact.Redactor, string, error) {
		key, err := redact.LoadOrCreateKey(p)
		if err != nil {
			return nil, p, err
		}
		warnKeyMode(p, logger)
		return redact.New(key, opts), p, nil
	}
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return nil, explicit, fmt.Errorf("--redact-key-file: %w", err)
		}
		return load(explicit)
	}
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	for range 3 {
		candidate := filepath.Join(dir, keyName)
		if _, err := os.Stat(candidate); err == nil {
			return load(candidate)
		}
		dir = filepath.Dir(dir)
	}
	return nil, "", nil
}

// keyFailure is the exit of a command whose redaction key could not be
// had: a usage error (2) for a weak key the user must replace, else a
// failure (3).
func keyFailure(stderr io.Writer, name string, err error) int {
	if errors.Is(err, redact.ErrWeakKey) {
		return usageError(stderr, name, "%v", err)
	}
	return failure(stderr, name, err)
}

// stderrLogger is the logger of a command that has none of its own: text
// lines on stderr.
func stderrLogger(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, nil))
}

// warnKeyMode logs a warning, and how to fix it, when the key file at
// path can be read by its group or by others.
func warnKeyMode(path string, logger *slog.Logger) {
	st, err := os.Stat(path)
	if err != nil || logger == nil || st.Mode().Perm()&0o077 == 0 {
		return
	}
	logger.Warn(fmt.Sprintf("the redaction key is readable by group or others (mode %04o): whoever reads it can test guesses of a secret against its pseudonyms; run chmod 600 %s", st.Mode().Perm(), path), "key", path)
}

// ignoreInGit keeps the key at key out of git when it lies in dir. A
// missing .gitignore is created, when create is set (the key was just
// made), with the key and the lines of gitignored. A .gitignore that names
// the key on a line of its own was written by this program (perhaps an
// earlier release) and gets the lines of gitignored it lacks. Any other
// .gitignore is the user's: one that does not ignore the key gets a line
// appended (never rewritten), which is logged; nothing else is added.
func ignoreInGit(dir, key string, create bool, logger *slog.Logger) error {
	rel, err := filepath.Rel(dir, key)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil // the key is not in the cassettes directory
	}
	rel = filepath.ToSlash(rel)
	ignore := filepath.Join(dir, ".gitignore")
	old, err := os.ReadFile(ignore)
	var add []string
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		if !create {
			return nil
		}
		add = append([]string{rel}, gitignored...)
	case err != nil:
		return fmt.Errorf("read %s: %w", ignore, err)
	case hasLine(old, rel):
		for _, l := range gitignored {
			if !hasLine(old, l) {
				add = append(add, l)
			}
		}
	case !gitIgnores(old, rel):
		add = []string{rel}
		if logger != nil {
			logger.Info("appended the redaction key to .gitignore: it did not ignore it", "gitignore", ignore, "key", key)
		}
	}
	if len(add) == 0 {
		return nil
	}
	text := strings.Join(add, "\n") + "\n"
	if len(old) > 0 && old[len(old)-1] != '\n' {
		text = "\n" + text
	}
	f, err := os.OpenFile(ignore, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = f.WriteString(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("keep the redaction key out of git in %s: %w", ignore, err)
	}
	return nil
}

// hasLine reports whether content holds line on a line of its own.
func hasLine(content []byte, line string) bool {
	for _, l := range strings.Split(string(content), "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}

// gitIgnores reports whether the .gitignore content ignores the file at
// rel (slash-separated, relative to the .gitignore): its patterns taken in
// order, the last match winning, "!" undoing, a pattern without a slash
// matching the base name, as git reads them. Directory patterns ("dir/")
// ignore what is below them.
func gitIgnores(content []byte, rel string) bool {
	ignored := false
	sc := bufio.NewScanner(bytes.NewReader(content))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		negate := strings.HasPrefix(line, "!")
		line = strings.TrimPrefix(line, "!")
		line = strings.TrimPrefix(line, `\`)
		dirOnly := strings.HasSuffix(line, "/")
		line = strings.TrimSuffix(line, "/")
		anchored := strings.Contains(line, "/")
		line = strings.TrimPrefix(line, "/")
		match := false
		parts := strings.Split(rel, "/")
		for i := range parts {
			// Each leading part of rel (a directory, or the file itself).
			cand := strings.Join(parts[:i+1], "/")
			if dirOnly && i == len(parts)-1 {
				break
			}
			name := cand
			if !anchored {
				name = parts[i]
			}
			if ok, _ := path.Match(line, name); ok || line == "**" {
				match = true
				break
			}
		}
		if match {
			ignored = !negate
		}
	}
	return ignored
}
