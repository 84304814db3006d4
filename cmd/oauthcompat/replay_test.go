package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReplayCommand runs "oauthcompat replay" in-process: the first line on
// stdout is the base URL, recorded answers come back in order, a miss is a
// 501, and cancelling the context stops it cleanly.
func TestReplayCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"replay", "--cassettes", "../../replay/testdata", "--listen", "127.0.0.1:0", "--exhausted", "error"}, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, stderr.String())
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q, want the base URL", line)
	}
	var got []int
	for _, m := range []string{"POST", "DELETE", "POST", "POST"} {
		// The reference server's fixtures the example cassette was recorded
		// from; its key (beside it) pseudonymises them as at record time.
		req, _ := http.NewRequest(m, base+"/api/v3/applications/Iv1.8a61f9b3a7aba766/token", strings.NewReader(`{"access_token":"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"}`))
		req.SetBasicAuth("Iv1.8a61f9b3a7aba766", "c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got = append(got, resp.StatusCode)
	}
	if want := []int{200, 204, 404, 501}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d, stderr: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("replay did not stop after cancel")
	}
	if !strings.Contains(stderr.String(), "replay miss") {
		t.Errorf("the log does not report the miss:\n%s", stderr.String())
	}
}

func TestReplayUsage(t *testing.T) {
	for _, args := range [][]string{
		{"replay"},
		{"replay", "--cassettes", "x", "--on-miss", "proxy"},
		{"replay", "--cassettes", "x", "--on-miss", "maybe"},
		{"replay", "--cassettes", "x", "--exhausted", "never"},
		{"replay", "--cassettes", "x", "--upstream", "http://127.0.0.1:1"},
		{"cassette", "lint"},
		{"replay", "--cassettes", "../../replay/testdata", "--match-field", "/note=("},
		{"replay", "--cassettes", "../../replay/testdata", "--match-field", "/note"},
		{"replay", "--cassettes", "../../replay/testdata", "--ignore-field", "/", "--listen", "127.0.0.1:0"},
	} {
		if code, _, stderr := runCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %s)", args, code, exitUsage, stderr)
		}
	}
	if code, _, _ := runCmd(t, "replay", "-h"); code != exitOK {
		t.Errorf("replay -h: exit %d", code)
	}
}

// TestCassetteLintCommand lints a cassette holding a Basic password that is
// no pseudonym (testdata/lint-unredacted, a hand-written cassette), and the
// committed example cassette of replay, a redacted recording that must
// stay clean (its key is beside it).
func TestCassetteLintCommand(t *testing.T) {
	const bad = "testdata/lint-unredacted"
	code, stdout, _ := runCmd(t, "cassette", "lint", bad)
	if code != exitFindings || !strings.Contains(stdout, "unredacted-secret") {
		t.Errorf("lint of credentials without a key: exit %d, output:\n%s", code, stdout)
	}
	code, stdout, _ = runCmd(t, "cassette", "lint", "--json", bad+"/ghes-3.8/unredacted.yaml")
	if code != exitFindings || !strings.HasPrefix(stdout, "[") {
		t.Errorf("lint --json: exit %d, output:\n%s", code, stdout)
	}
	code, stdout, _ = runCmd(t, "cassette", "lint", "../../replay/testdata")
	if code != exitOK {
		t.Errorf("lint of replay's example cassette: exit %d, want %d; output:\n%s", code, exitOK, stdout)
	}
}

// startReplay runs "oauthcompat replay ARGS --listen 127.0.0.1:0" in-process
// and returns its base URL; it stops when the test ends.
func startReplay(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append(append([]string{"replay"}, args...), "--listen", "127.0.0.1:0"), pw, &stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("replay did not stop after cancel")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, stderr.String())
	}
	return strings.TrimSpace(line)
}

// TestReplayMatchingFlags checks the flags that change matching and
// answers: --ignore-field lets another token match, --match-field holds a
// field to a pattern, and --keep-urls keeps the recorded URLs that are
// otherwise the replay server's.
func TestReplayMatchingFlags(t *testing.T) {
	const cassettes = "../../replay/testdata"
	const recorded, other = "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", "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"
	tests := []struct {
		name  string
		args  []string
		token string
		want  int
		url   string // a URL the body must hold; "" for none
	}{
		{"another token misses", nil, other, 501, ""},
		{"--ignore-field", []string{"--ignore-field", "access_token"}, other, 200, ""},
		{"--match-field matched", []string{"--match-field", "/access_token=^gho_"}, other, 200, ""},
		{"--match-field not matched", []string{"--match-field", "/access_token=^ghu_"}, other, 501, ""},
		{"URLs point at the replay server", nil, recorded, 200, "BASE/api/v3/authorizations/1"},
		{"--keep-urls", []string{"--keep-urls"}, recorded, 200, "https://ghes.example.com/api/v3/authorizations/1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := startReplay(t, append([]string{"--cassettes", cassettes}, tc.args...)...)
			code, body := checkToken(t, base, tc.token) // the cassette was recorded with the reference fixtures' first app
			if code != tc.want {
				t.Errorf("status %d, want %d: %s", code, tc.want, body)
			}
			if want := strings.ReplaceAll(tc.url, "BASE", base); want != "" && !strings.Contains(body, want) {
				t.Errorf("the body does not hold %s:\n%s", want, body)
			}
		})
	}
}
