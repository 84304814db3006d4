package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestReplayMatchingFlagsChecked: a matching flag that would change
// nothing or cannot be understood is a usage error that says why, once;
// the good ones start the server.
func TestReplayMatchingFlagsChecked(t *testing.T) {
	for _, tc := range []struct {
		flags []string
		want  int
		msg   string
	}{
		{[]string{"--ignore-header", "Content-Type"}, exitOK, "--ignore-header Content-Type changes nothing: replay compares Authorization, X-GitHub-OTP and If-None-Match only"},
		{[]string{"--ignore-header", " "}, exitUsage, "empty name"},
		{[]string{"--ignore-field", "/a/~2"}, exitUsage, "~2"},
		{[]string{"--ignore-query", ""}, exitUsage, "empty name"},
		{[]string{"--match-field", "note=["}, exitUsage, "missing closing ]"},
		{[]string{"--ignore-header", "authorization", "--ignore-header", "X-GitHub-OTP", "--ignore-query", "page", "--ignore-field", "/a~1b/*", "--match-field", "note=^x"}, exitOK, ""},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"replay", "--cassettes", "../../replay/testdata", "--listen", "127.0.0.1:0"}, tc.flags...), &out, &errb)
		cancel()
		if code != tc.want || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", tc.flags, code, tc.want, tc.msg, errb.String())
		}
		if strings.Contains(errb.String(), "replay: replay:") {
			t.Errorf("%v: the message repeats itself:\n%s", tc.flags, errb.String())
		}
	}
}
