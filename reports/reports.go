// Package reports renders conformance reports: JUnit XML for CI, JSON in a
// stable documented shape (see [JSONSchema]), Markdown that fits a
// pull-request comment, and a single self-contained HTML page with the
// version × operation matrix coloured by result. It computes nothing the
// report does not say.
package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/oauthcompat/oauthcompat/conformance"
)

// Format is an output format.
type Format string

// The formats, as --format spells them.
const (
	JUnit    Format = "junit"
	JSON     Format = "json"
	Markdown Format = "md"
	HTML     Format = "html"
)

// Formats lists every format, in the order files are written.
var Formats = []Format{JUnit, JSON, Markdown, HTML}

// File returns the file name a format is written to.
func (f Format) File() string {
	switch f {
	case JUnit:
		return "report.xml"
	case JSON:
		return "report.json"
	case Markdown:
		return "report.md"
	case HTML:
		return "report.html"
	}
	return ""
}

// ParseFormats parses a comma-separated list such as "junit,json,md,html"
// ("markdown" and "xml" are accepted too). Empty means every format.
func ParseFormats(s string) ([]Format, error) {
	if strings.TrimSpace(s) == "" {
		return Formats, nil
	}
	var out []Format
	seen := map[Format]bool{}
	for _, p := range strings.Split(s, ",") {
		var f Format
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "junit", "xml":
			f = JUnit
		case "json":
			f = JSON
		case "md", "markdown":
			f = Markdown
		case "html":
			f = HTML
		default:
			return nil, fmt.Errorf("unknown report format %q: use junit, json, md or html", strings.TrimSpace(p))
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// Write renders r in format f.
func Write(w io.Writer, f Format, r *conformance.Report) error {
	switch f {
	case JUnit:
		return WriteJUnit(w, r)
	case JSON:
		return WriteJSON(w, r)
	case Markdown:
		return WriteMarkdown(w, r)
	case HTML:
		return WriteHTML(w, r)
	}
	return fmt.Errorf("unknown report format %q", f)
}

// WriteFiles writes r in each format into dir (created if needed), each
// file atomically, and returns the paths written.
func WriteFiles(dir string, r *conformance.Report, formats []Format) ([]string, error) {
	return writeFormats(dir, formats, Format.File, func(w io.Writer, f Format) error { return Write(w, f, r) })
}

// writeFormats renders each format with render into dir/name(format),
// atomically, and returns the paths written.
func writeFormats(dir string, formats []Format, name func(Format) string, render func(io.Writer, Format) error) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write reports: %w", err)
	}
	var paths []string
	for _, f := range formats {
		var b bytes.Buffer
		if err := render(&b, f); err != nil {
			return paths, fmt.Errorf("render %s report: %w", f, err)
		}
		p := filepath.Join(dir, name(f))
		if err := writeAtomic(p, b.Bytes()); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// SummaryLine is the one-line verdict every format starts with:
// "ghes-3.8 (live): conformant — 64 passed, 0 failed, 1 not exercised; 52/57 documented statuses exercised, 4 cannot be provoked".
// The last part is there only when some documented status cannot be
// provoked (conformance.CannotProvoke).
func SummaryLine(r *conformance.Report) string {
	verdict := "conformant"
	if !r.Conformant {
		verdict = "NOT conformant"
	}
	s := r.Summary
	line := fmt.Sprintf("%s (%s): %s — %d passed, %d failed, %d not exercised; %d/%d documented statuses exercised",
		r.Version, r.Mode, verdict, s.Passed, s.Failed, s.NotExercised, s.Exercised, s.Documented)
	if s.Unprovokable > 0 {
		line += fmt.Sprintf(", %d cannot be provoked", s.Unprovokable)
	}
	return line
}
