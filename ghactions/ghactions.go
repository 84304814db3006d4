// Package ghactions speaks to GitHub Actions: it appends a Markdown
// summary to the file $GITHUB_STEP_SUMMARY names, and writes ::error and
// ::warning workflow commands that the runner turns into annotations, for
// conformance runs (one server or many) and diffs.
//
// Everything it writes comes from the reports, which mask secrets; it adds
// none.
package ghactions

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Mode values of --ci.
const (
	ModeAuto   = "auto"   // GitHub Actions output when GITHUB_ACTIONS is "true"
	ModeGitHub = "github" // always
	ModeNone   = "none"   // never
)

// Enabled reports whether to write GitHub Actions output under mode (as
// --ci spells it; "" is ModeAuto), reading GITHUB_ACTIONS through getenv.
func Enabled(mode string, getenv func(string) string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(mode)) {
	case "", ModeAuto:
		return getenv("GITHUB_ACTIONS") == "true", nil
	case ModeGitHub, "github-actions":
		return true, nil
	case ModeNone, "off", "false":
		return false, nil
	}
	return false, fmt.Errorf("unknown CI %q: use auto, github or none", mode)
}

// Level is an annotation's kind.
type Level string

// The levels the runner knows.
const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
	LevelNotice  Level = "notice"
)

// Annotation is one workflow command: "::error title=T::message".
type Annotation struct {
	Level   Level
	Title   string
	Message string
}

// String is the workflow command, escaped as the runner expects:
// %, CR and LF in the message; also : and , in the title.
func (a Annotation) String() string {
	s := "::" + string(a.Level)
	if a.Title != "" {
		s += " title=" + escapeProperty(a.Title)
	}
	return s + "::" + escapeData(a.Message)
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// MaxPerLevel is how many annotations of one level [Write] prints: the
// runner shows ten of each per step, so more would only be noise in the
// log; a notice says how many more the report holds.
const MaxPerLevel = 10

// Write prints the annotations, at most [MaxPerLevel] of each level, then
// one notice per level that had more, naming where the rest is.
func Write(w io.Writer, annots []Annotation, rest string) error {
	count := map[Level]int{}
	var b strings.Builder
	for _, a := range annots {
		count[a.Level]++
		if count[a.Level] <= MaxPerLevel {
			b.WriteString(a.String() + "\n")
		}
	}
	for _, l := range []Level{LevelError, LevelWarning, LevelNotice} {
		if n := count[l] - MaxPerLevel; n > 0 {
			b.WriteString(Annotation{Level: LevelNotice, Title: "oauthcompat", Message: fmt.Sprintf("%d more %ss: see %s", n, l, rest)}.String() + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MaxSummary is the most a step summary may hold: GitHub refuses larger.
const MaxSummary = 1 << 20

// AppendSummary appends markdown to the file $GITHUB_STEP_SUMMARY names
// (read through getenv), cut at a line boundary to fit [MaxSummary] with
// a note saying so. Without the variable it does nothing.
func AppendSummary(getenv func(string) string, markdown string) error {
	path := getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	const cut = "\n\n…cut to fit the step summary: the whole report is in the report files.\n"
	if len(markdown) > MaxSummary-len(cut) {
		markdown = markdown[:MaxSummary-len(cut)]
		if i := strings.LastIndexByte(markdown, '\n'); i > 0 {
			markdown = markdown[:i]
		}
		markdown += cut
	}
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("append to the step summary: %w", err)
	}
	_, err = f.WriteString(markdown + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("append to the step summary %s: %w", path, err)
	}
	return nil
}
