package cassettes

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrUnrecovered is wrapped by the error of [Files] (and so of everything
// that loads a directory of cassettes) when a directory holds no cassette
// but journals: recordings that did not finish, whose interactions are
// not in any cassette until 'oauthcompat cassette recover' writes them.
var ErrUnrecovered = errors.New("unrecovered journals")

// Leftover is a journal found among cassettes: the record of a recording
// that did not finish (killed, or its cassette could not be written), or
// of one still running. Its interactions are in no cassette yet.
type Leftover struct {
	Path string
	// Recording is true when a running recording holds the journal.
	Recording bool
}

// Leftovers lists the journals at path: under it, recursively, skipping
// hidden files and directories as [Files] does, or beside it when path is
// a cassette file.
func Leftovers(path string) ([]Leftover, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("look for journals: %w", err)
	}
	var paths []string
	if !st.IsDir() {
		if _, err := os.Stat(path + JournalExt); err == nil {
			paths = append(paths, path+JournalExt)
		}
	} else {
		paths, err = visibleFiles(path, func(p string) bool { return strings.HasSuffix(p, Ext+JournalExt) })
		if err != nil {
			return nil, fmt.Errorf("look for journals: %w", err)
		}
	}
	out := make([]Leftover, 0, len(paths))
	for _, p := range paths {
		l := Leftover{Path: p}
		if f, err := os.Open(p); err == nil {
			l.Recording = heldElsewhere(f)
			f.Close()
		}
		out = append(out, l)
	}
	return out, nil
}

// LeftoverAdvice says what the journals ls found under root are and what
// to do about them, in one sentence: run 'oauthcompat cassette recover
// ROOT' for the journals of recordings that did not finish, stop the
// recording for those of one still running. It is "" when ls is empty.
func LeftoverAdvice(root string, ls []Leftover) string {
	var idle, running []string
	for _, l := range ls {
		if l.Recording {
			running = append(running, l.Path)
		} else {
			idle = append(idle, l.Path)
		}
	}
	var parts []string
	if len(idle) > 0 {
		parts = append(parts, fmt.Sprintf("%s of a recording that did not finish, whose interactions are in no cassette yet (%s): run 'oauthcompat cassette recover %s'",
			count(len(idle), "unrecovered journal"), list(idle), root))
	}
	if len(running) > 0 {
		parts = append(parts, fmt.Sprintf("%s of a recording still running (%s): stop it with SIGINT or SIGTERM to write its cassettes",
			count(len(running), "journal"), list(running)))
	}
	return strings.Join(parts, "; ")
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// list names up to three paths.
func list(ps []string) string {
	if len(ps) <= 3 {
		return strings.Join(ps, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ps[:3], ", "), len(ps)-3)
}
