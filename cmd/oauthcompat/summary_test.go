package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/proxy"
)

// TestRecordSummaryLine: the shutdown summary counts in the singular and
// the plural, names the cassettes relative to the directory, and says
// what was not recorded.
func TestRecordSummaryLine(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		st      proxy.Stats
		written []string
		want    string
		code    int
	}{
		{proxy.Stats{}, nil, "recorded 0 interactions into " + dir + "\n", exitOK},
		{proxy.Stats{Recorded: 1}, []string{filepath.Join(dir, "ghes-3.8", "session.yaml")}, "recorded 1 interaction into " + dir + " (" + filepath.Join("ghes-3.8", "session.yaml") + ")\n", exitOK},
		{proxy.Stats{Recorded: 2, NotRecorded: 1}, nil, "recorded 2 interactions into " + dir + "; 1 not recorded (see log)\n", exitFailure},
	} {
		var b strings.Builder
		code := recordSummary(&b, "record", dir, tc.st, tc.written, nil)
		if got := strings.TrimPrefix(b.String(), "oauthcompat record: "); got != tc.want || code != tc.code {
			t.Errorf("%+v: %q, exit %d; want %q, exit %d", tc.st, got, code, tc.want, tc.code)
		}
	}
}
