package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// clock is a fake clock the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestMeter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tty   bool
		steps []time.Duration // the clock moves this much before each Add of 1 MB
		want  []string        // in the output, in order ("" for none at all)
	}{
		{"not a terminal", false, []time.Duration{0, 2 * time.Second, time.Second}, nil},
		{"quick work", true, []time.Duration{0, 300 * time.Millisecond, 300 * time.Millisecond}, nil},
		{"slow work", true, []time.Duration{0, 1500 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond},
			[]string{"\rcassette lint: 2 of 10 MB (20%), 1 MB/s\x1b[K", "\rcassette lint: 4 of 10 MB (40%), 2 MB/s\x1b[K", "\r\x1b[K"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			c := &clock{t: time.Unix(0, 0)}
			m := New(&out, "cassette lint", 10<<20, tc.tty, c.now)
			for _, d := range tc.steps {
				c.t = c.t.Add(d)
				m.Add(1 << 20)
			}
			m.Done()
			got := out.String()
			if len(tc.want) == 0 {
				if got != "" {
					t.Fatalf("printed %q, want nothing", got)
				}
				return
			}
			if w := strings.Join(tc.want, ""); got != w {
				t.Errorf("printed %q, want %q", got, w)
			}
		})
	}
}

func TestForStderrIsSilentOffTerminal(t *testing.T) {
	var out bytes.Buffer
	if m := ForStderr(&out, "lint", 1); m != nil {
		t.Error("a buffer is taken for a terminal")
	}
}
