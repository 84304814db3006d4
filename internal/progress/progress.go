// Package progress prints the progress of long reads of cassettes on a
// terminal: one line on standard error, rewritten in place, once the work
// has taken more than a second; nothing when standard error is not a
// terminal (a pipe, a file, CI logs) or the work is quick.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Delay is how long work runs before its progress is shown.
const Delay = time.Second

// every is how often the line is rewritten.
const every = 200 * time.Millisecond

// Meter counts the bytes of work done and shows them. A nil *Meter is
// valid and shows nothing. It is not safe for concurrent use.
type Meter struct {
	w     io.Writer
	label string
	total int64
	now   func() time.Time

	start, last time.Time
	done        int64
	shown       bool
}

// New returns a meter of total bytes of work, named label ("cassette
// lint"), shown on w when tty is true. now is the clock (nil:
// time.Now).
func New(w io.Writer, label string, total int64, tty bool, now func() time.Time) *Meter {
	if !tty {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return &Meter{w: w, label: label, total: total, now: now, start: now()}
}

// ForStderr returns a meter shown on stderr when it is a terminal.
func ForStderr(stderr io.Writer, label string, total int64) *Meter {
	f, ok := stderr.(*os.File)
	return New(stderr, label, total, ok && IsTerminal(f), nil)
}

// IsTerminal reports whether f is a terminal (a character device).
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Add counts n more bytes done, and rewrites the line when it is due.
func (m *Meter) Add(n int64) {
	if m == nil {
		return
	}
	m.done += n
	t := m.now()
	if t.Sub(m.start) < Delay || t.Sub(m.last) < every {
		return
	}
	m.last = t
	m.shown = true
	fmt.Fprintf(m.w, "\r%s\x1b[K", m.line(t))
}

// line is the progress line at t: "cassette lint: 120 of 470 MB (25%),
// 52 MB/s".
func (m *Meter) line(t time.Time) string {
	const mb = 1 << 20
	rate := float64(m.done) / mb / max(t.Sub(m.start).Seconds(), 1e-9)
	if m.total > 0 {
		pct := min(100, 100*m.done/m.total)
		return fmt.Sprintf("%s: %d of %d MB (%d%%), %.0f MB/s", m.label, m.done/mb, m.total/mb, pct, rate)
	}
	return fmt.Sprintf("%s: %d MB, %.0f MB/s", m.label, m.done/mb, rate)
}

// Done clears the line, if one was shown.
func (m *Meter) Done() {
	if m == nil || !m.shown {
		return
	}
	fmt.Fprint(m.w, "\r\x1b[K")
}
