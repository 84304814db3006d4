package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// tokenUpstream answers check-token with the token it was sent.
func tokenUpstream() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-GitHub-Enterprise-Version", "3.8.4")
		fmt.Fprintf(w, `{"id":1,"token":%s}`, strings.TrimSuffix(strings.TrimPrefix(string(b), `{"access_token":`), "}"))
	}))
}

// startRecord starts "oauthcompat record" and returns the process and
// the proxy URL from its first line of output.
func startRecord(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"record", "--listen", "127.0.0.1:0"}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("no URL on stdout: %v", err)
	}
	return cmd, strings.TrimSpace(line)
}

func send(t *testing.T, base string, from, n int) {
	t.Helper()
	for k := from; k < from+n; k++ {
		body := fmt.Sprintf(`{"access_token":"gho_%036d"}`, k)
		resp, err := http.Post(base+"/applications/Iv1.abc/token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(got), fmt.Sprintf("gho_%036d", k)) {
			t.Fatalf("request %d: live response %q lacks the real token", k, got)
		}
	}
}

func interactions(t *testing.T, path string) int {
	t.Helper()
	c, err := cassettes.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, it := range c.Interactions {
		if seen[it.Request.Body] {
			t.Errorf("interaction recorded twice: %s", it.Request.Body)
		}
		seen[it.Request.Body] = true
		if strings.Contains(it.Request.Body, "gho_0000") {
			t.Errorf("real token in the cassette: %s", it.Request.Body)
		}
	}
	return len(c.Interactions)
}

// TestRecordSurvivesSIGKILL kills the real process mid-recording: every
// completed interaction is in the journal, and "cassette recover" makes a
// valid cassette of it. A second run stops on SIGTERM and appends.
func TestRecordSurvivesSIGKILL(t *testing.T) {
	bin := builtBinary(t)
	up := tokenUpstream()
	defer up.Close()
	dir := t.TempDir()
	cassette := cassettes.Path(dir, "ghes-3.8", "session")

	cmd, base := startRecord(t, bin, "--upstream", up.URL, "--cassettes", dir)
	const n = 25
	send(t, base, 0, n)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(cassette); !os.IsNotExist(err) {
		t.Fatalf("cassette exists before recovery: %v", err)
	}
	if _, err := os.Stat(cassette + cassettes.JournalExt); err != nil {
		t.Fatalf("no journal after SIGKILL: %v", err)
	}
	out, err := exec.Command(bin, "cassette", "recover", dir).Output()
	if err != nil {
		t.Fatalf("cassette recover: %v", err)
	}
	if strings.TrimSpace(string(out)) != cassette {
		t.Errorf("recover printed %q, want %q", out, cassette)
	}
	if got := interactions(t, cassette); got != n {
		t.Errorf("%d interactions recovered, want %d", got, n)
	}
	if st, err := os.Stat(filepath.Join(dir, ".redact-key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("redaction key: %v, %v; want mode 0600 in the cassettes dir", st, err)
	}

	// Killed again (syncing before each response this time), then
	// recovered by the next record; that one stops on SIGTERM and writes
	// everything.
	cmd, base = startRecord(t, bin, "--upstream", up.URL, "--cassettes", dir, "--sync-each")
	send(t, base, n, 5)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	cmd, base = startRecord(t, bin, "--upstream", up.URL, "--cassettes", dir, "--sync-interval", "1ms")
	send(t, base, n+5, 5)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("record after SIGTERM: %v", err)
	}
	t.Logf("stopped in %v", time.Since(start))
	if got := interactions(t, cassette); got != n+10 {
		t.Errorf("%d interactions, want %d", got, n+10)
	}
	if _, err := os.Stat(cassette + cassettes.JournalExt); !os.IsNotExist(err) {
		t.Errorf("journal left after a clean stop: %v", err)
	}
}

func TestRecordUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"record"}, "--cassettes is required"},
		{[]string{"record", "--cassettes", "x"}, "--upstream is required"},
		{[]string{"record", "--cassettes", "x", "--upstream", "ftp://x"}, "want an http:// or https:// URL"},
		{[]string{"record", "--cassettes", "x", "--forward"}, "--forward needs --mitm-host and --ca"},
		{[]string{"record", "--cassettes", "x", "--upstream", "http://x", "--mitm-host", "h"}, "need --forward"},
		{[]string{"record", "--cassettes", "x", "--upstream", "http://x", "--sync-interval", "0s"}, "--sync-interval must be positive"},
		{[]string{"record", "--cassettes", "x", "--upstream", "http://x", "--name", ".hidden"}, "does not start with"},
		{[]string{"record", "--cassettes", "x", "--upstream", "http://x", "--name", "a/b"}, "without path separators"},
		{[]string{"record", "--cassettes", "x", "--upstream", "http://x", "--name", ".."}, "--name"},
		{[]string{"record", "--cassettes", "x", "--upstream", "http://x", "--rotate-size", "lots"}, "want a positive size"},
		{[]string{"record", "--cassettes", "x", "--upstream", "http://x", "--rotate-size", "0"}, "want a positive size"},
		{[]string{"record", "--cassettes", "x", "--upstream", "http://x", "--rotate-every", "-1h"}, "--rotate-every must be positive"},
		{[]string{"cassette"}, "want a subcommand"},
		{[]string{"cassette", "recover"}, "want exactly one DIR"},
		{[]string{"ca"}, "ca init --out DIR"},
		{[]string{"ca", "init"}, "--out is required"},
	} {
		code, _, stderr := runCmd(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, exitUsage, tc.want)
		}
	}
	code, _, stderr := runCmd(t, "record", "-h")
	if code != exitOK || !strings.Contains(stderr, ".redact-key") {
		t.Errorf("record -h: exit %d, help must name the default key file:\n%s", code, stderr)
	}
}

func TestCAInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	code, stdout, stderr := runCmd(t, "ca", "init", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"--cacert", "SSL_CERT_FILE", "AppendCertsFromPEM", "SystemCertPool", filepath.Join(dir, "ca.pem")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, _ := runCmd(t, "ca", "init", "--out", dir); code != exitFailure {
		t.Errorf("second ca init: exit %d, want %d", code, exitFailure)
	}
}

// TestRecordRotates: record --rotate-size writes a series of bounded
// cassettes that replay reads as one recording, in the order recorded.
func TestRecordRotates(t *testing.T) {
	up := padUpstream("3.8.4")
	defer up.Close()
	dir := t.TempDir()
	p := startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0", "--version", "3.8", "--rotate-size", "4KB")
	if p.url == "" {
		_, stderr := p.stop()
		t.Fatalf("record did not start:\n%s", stderr)
	}
	const n = 30
	for k := range n {
		if !checkTokenN(http.DefaultClient, p.url, k, 100) {
			t.Fatalf("request %d failed", k)
		}
	}
	if code, stderr := p.stop(); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	files, err := cassettes.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("%d cassettes, want a series: %v", len(files), files)
	}
	var got []string
	cassettes.Walk(dir, func(it cassettes.Item) error {
		got = append(got, it.Interaction.Request.URL)
		return nil
	})
	for k := range n {
		if k >= len(got) || !strings.Contains(got[k], fmt.Sprintf("seq=%d&", k)) {
			t.Fatalf("interaction %d of the recording is not request %d: %v", k, k, got)
		}
	}
}
