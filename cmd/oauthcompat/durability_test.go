package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/faultfs"
	"github.com/oauthcompat/oauthcompat/internal/tmpfs"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// lockedBuffer is a buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits up to 10 s for the buffer to hold s.
func (l *lockedBuffer) waitFor(t *testing.T, s string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(l.String(), s); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within 10 s:\n%s", s, l.String())
		}
	}
}

// proc is a long-running command run in-process.
type proc struct {
	url    string
	cancel context.CancelFunc
	done   chan int
	stderr *lockedBuffer
}

// startInProcess runs a command line in-process until stop. When it fails
// before printing its URL, url is "" and stop returns at once.
func startInProcess(t *testing.T, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p := &proc{cancel: cancel, done: make(chan int, 1), stderr: &lockedBuffer{}}
	go func() {
		code := run(ctx, args, pw, p.stderr)
		pw.Close()
		p.done <- code
	}()
	br := bufio.NewReader(pr)
	line, _ := br.ReadString('\n')
	go io.Copy(io.Discard, br)
	p.url = strings.TrimSpace(line)
	t.Cleanup(func() { cancel() })
	return p
}

// stop ends the command as SIGINT would and returns its exit code and
// standard error.
func (p *proc) stop() (int, string) {
	p.cancel()
	code := <-p.done
	return code, p.stderr.String()
}

// binary is the oauthcompat binary, built once for the tests that need a
// real process.
var binary struct {
	once sync.Once
	path string
	err  error
	dir  string
}

func builtBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short mode: builds the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: no go command to build the binary with")
	}
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "oauthcompat-bin")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "oauthcompat")
		out, err := exec.Command(goBin, "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// startBinary starts the real binary with args and returns it, the URL on
// the first line of its output ("" when it exited first) and its standard
// error.
func startBinary(t *testing.T, bin string, args ...string) (*exec.Cmd, string, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, _ := cmd.StdoutPipe()
	errb := &lockedBuffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	return cmd, strings.TrimSpace(line), errb
}

// exitCode waits up to 30 s for cmd to exit and returns its exit code;
// a process still running then is killed and the test fails.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	if !timer.Stop() {
		t.Fatalf("%v still running after 30 s: killed", cmd.Args)
	}
	if cmd.ProcessState == nil {
		t.Fatalf("wait: %v", err)
	}
	return cmd.ProcessState.ExitCode()
}

// padUpstream answers check-token with the token it was sent, the version
// header given, and a pad of ?pad=N bytes.
func padUpstream(version string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			AccessToken string `json:"access_token"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		pad, _ := strconv.Atoi(r.URL.Query().Get("pad"))
		w.Header().Set("Content-Type", "application/json")
		if version != "" {
			w.Header().Set("X-GitHub-Enterprise-Version", version)
		}
		fmt.Fprintf(w, `{"id":1,"token":%q,"pad":%q}`, in.AccessToken, strings.Repeat("x", pad))
	}))
}

// checkToken sends check-token number k (its token and ?seq=k are unique)
// and reports whether the client got a whole 200 with the real token.
func checkTokenN(client *http.Client, base string, k, pad int) bool {
	tok := fmt.Sprintf("gho_%036d", k)
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/applications/Iv1.abc/token?seq=%d&pad=%d", base, k, pad), strings.NewReader(`{"access_token":"`+tok+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return err == nil && resp.StatusCode == 200 && strings.Contains(string(b), tok)
}

// seqs returns the ?seq= of every interaction in the cassettes under dir,
// failing on one recorded twice or holding a real token.
func seqs(t *testing.T, dir string) map[int]bool {
	t.Helper()
	out := map[int]bool{}
	cs, err := cassettes.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		for _, it := range c.Interactions {
			i := strings.Index(it.Request.URL, "seq=")
			if i < 0 {
				continue
			}
			k, _ := strconv.Atoi(strings.SplitN(it.Request.URL[i+4:], "&", 2)[0])
			if out[k] {
				t.Errorf("interaction %d recorded twice", k)
			}
			out[k] = true
			if strings.Contains(it.Request.Body, "gho_0000") {
				t.Errorf("real token in the cassette: %s", it.Request.Body)
			}
		}
	}
	return out
}

var summaryLine = func(stderr string) (recorded, notRecorded int, ok bool) {
	for _, l := range strings.Split(stderr, "\n") {
		if _, rest, found := strings.Cut(l, ": recorded "); found && strings.HasPrefix(l, "oauthcompat ") {
			fmt.Sscanf(rest, "%d", &recorded)
			if _, m, found := strings.Cut(rest, "; "); found {
				fmt.Sscanf(m, "%d not recorded", &notRecorded)
			}
			return recorded, notRecorded, true
		}
	}
	return 0, 0, false
}

// TestSecondRecordRefused: a second record into the same directory and
// name is refused at start-up with exit 2, saying why and what to do;
// another name records alongside.
func TestSecondRecordRefused(t *testing.T) {
	bin := builtBinary(t)
	up := padUpstream("3.8.4")
	defer up.Close()
	dir := t.TempDir()
	first, base, _ := startBinary(t, bin, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0")
	if base == "" {
		t.Fatal("the first record did not start")
	}
	second, url2, errb := startBinary(t, bin, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0")
	if url2 != "" {
		second.Process.Signal(syscall.SIGTERM)
	}
	code := exitCode(t, second)
	if code != exitUsage || url2 != "" || !strings.Contains(errb.String(), "being recorded by another process") || !strings.Contains(errb.String(), "--name") {
		t.Errorf("second record: exit %d, URL %q, stderr:\n%s\nwant exit 2 before listening, saying why and --name", code, url2, errb)
	}
	third, url3, _ := startBinary(t, bin, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0", "--name", "other")
	if url3 == "" {
		t.Error("a record under another name did not start")
	}
	client := &http.Client{}
	for k := range 3 {
		if !checkTokenN(client, base, k, 0) || !checkTokenN(client, url3, 100+k, 0) {
			t.Fatal("a request through the proxies failed")
		}
	}
	for _, c := range []*exec.Cmd{first, third} {
		c.Process.Signal(syscall.SIGTERM)
		if code := exitCode(t, c); code != exitOK {
			t.Errorf("exit %d after SIGTERM", code)
		}
	}
	if got := seqs(t, dir); len(got) != 6 {
		t.Errorf("%d interactions recorded, want 6", len(got))
	}
}

// TestRecordUnwritableDirectory: a cassette directory that cannot be
// written (the key elsewhere) is refused at start-up, exit 3, before
// anything is listened to: through a fault-injecting file system always,
// and on a real read-only tmpfs where one can be mounted.
func TestRecordUnwritableDirectory(t *testing.T) {
	up := padUpstream("3.8.4")
	defer up.Close()
	key := filepath.Join(t.TempDir(), "key")
	t.Run("injected", func(t *testing.T) {
		dir := t.TempDir()
		fsys := faultfs.New(nil)
		fsys.Fault(func(op faultfs.Op) error {
			if strings.HasPrefix(op.Path, dir) {
				return syscall.EROFS
			}
			return nil
		})
		storeFS = fsys
		defer func() { storeFS = nil }()
		p := startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--redact-key-file", key, "--listen", "127.0.0.1:0")
		code, stderr := p.stop()
		if code != exitFailure || p.url != "" || !strings.Contains(stderr, "cannot be written") || !strings.Contains(stderr, "read-only file system") {
			t.Errorf("exit %d, URL %q; want 3 before listening, saying why:\n%s", code, p.url, stderr)
		}
	})
	t.Run("real read-only tmpfs", func(t *testing.T) {
		bin := builtBinary(t)
		dir := tmpfs.Mount(t, 1<<20)
		tmpfs.ReadOnly(t, dir)
		cmd, url, errb := startBinary(t, bin, "record", "--upstream", up.URL, "--cassettes", dir, "--redact-key-file", key, "--listen", "127.0.0.1:0")
		if code := exitCode(t, cmd); code != exitFailure || url != "" || !strings.Contains(errb.String(), "read-only file system") {
			t.Errorf("exit %d, URL %q; want 3 before listening, saying why:\n%s", code, url, errb)
		}
	})
}

// TestRecordSummaryAndExitCode: the one-line summary counts what was
// recorded and what was not; an interaction not recorded is logged when
// it happens and makes the exit code 3; a version header holding "/" is
// recorded under a safe name, not dropped.
func TestRecordSummaryAndExitCode(t *testing.T) {
	t.Run("version header with a slash", func(t *testing.T) {
		up := padUpstream("3.8/x")
		defer up.Close()
		dir := t.TempDir()
		p := startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0")
		for k := range 2 {
			if !checkTokenN(http.DefaultClient, p.url, k, 0) {
				t.Fatal("request failed")
			}
		}
		code, stderr := p.stop()
		recorded, lost, ok := summaryLine(stderr)
		if code != exitOK || !ok || recorded != 2 || lost != 0 {
			t.Errorf("exit %d, summary %v (%d recorded, %d not); want 0 and 2 recorded:\n%s", code, ok, recorded, lost, stderr)
		}
		if got := seqs(t, dir); len(got) != 2 {
			t.Errorf("%d interactions in the cassettes, want 2", len(got))
		}
		if _, err := os.Stat(filepath.Join(dir, "3.8-x", "session.yaml")); err != nil {
			t.Errorf("not recorded under a safe name: %v", err)
		}
	})
	t.Run("disk full for some", func(t *testing.T) {
		up := padUpstream("3.8.4")
		defer up.Close()
		dir := t.TempDir()
		fsys := faultfs.New(nil)
		var mu sync.Mutex
		fail := false
		fsys.Fault(func(op faultfs.Op) error {
			mu.Lock()
			defer mu.Unlock()
			if fail && op.Kind == faultfs.Write && strings.HasSuffix(op.Path, cassettes.JournalExt) {
				return syscall.ENOSPC
			}
			return nil
		})
		storeFS = fsys
		defer func() { storeFS = nil }()
		p := startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0", "--version", "3.8")
		for k := range 9 {
			mu.Lock()
			fail = k >= 3 && k < 6
			mu.Unlock()
			if !checkTokenN(http.DefaultClient, p.url, k, 0) {
				t.Fatal("request failed: the client must get its answer whatever the disk does")
			}
			if k == 4 {
				if n := strings.Count(p.stderr.String(), "interaction not recorded"); n != 2 {
					t.Errorf("after 2 failed, %d logged at once", n)
				}
			}
		}
		code, stderr := p.stop()
		recorded, lost, ok := summaryLine(stderr)
		if code != exitFailure || !ok || recorded != 6 || lost != 3 || !strings.Contains(stderr, "3 not recorded (see log)") {
			t.Errorf("exit %d, summary %d recorded, %d not; want 3, 6 and 3:\n%s", code, recorded, lost, stderr)
		}
		got := seqs(t, dir)
		for k := range 9 {
			if got[k] != (k < 3 || k >= 6) {
				t.Errorf("interaction %d: in the cassette %v", k, got[k])
			}
		}
	})
}

// TestRecordNearlyFullDisk records onto a real 3 MB tmpfs more than fits:
// recording starts at all (the room made ahead of the journal is not
// needed), the first failure to make room is logged at once, each
// interaction that does not fit is logged and counted, and the exit code
// says so; every other interaction a client saw complete is in the
// cassette, or in the journal kept for 'cassette recover'. Skipped, with
// the reason, where no tmpfs can be mounted.
func TestRecordNearlyFullDisk(t *testing.T) {
	bin := builtBinary(t)
	dir := tmpfs.Mount(t, 3<<20)
	up := padUpstream("3.8.4")
	defer up.Close()
	key := filepath.Join(t.TempDir(), "key")
	cmd, base, errb := startBinary(t, bin, "record", "--upstream", up.URL, "--cassettes", dir, "--redact-key-file", key, "--listen", "127.0.0.1:0")
	if base == "" {
		t.Fatalf("record did not start:\n%s", errb)
	}
	const n = 3000
	complete := map[int]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < n; k += 8 {
				if checkTokenN(client, base, k, 1200) {
					mu.Lock()
					complete[k] = true
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(complete) != n {
		t.Errorf("%d of %d clients got their answer: a full disk must not cost a client its response", len(complete), n)
	}
	errb.waitFor(t, "nearly full")
	cmd.Process.Signal(syscall.SIGTERM)
	code := exitCode(t, cmd)
	stderr := errb.String()
	recorded, lost, ok := summaryLine(stderr)
	logged := strings.Count(stderr, "interaction not recorded")
	t.Logf("exit %d; %d recorded, %d not recorded, %d logged", code, recorded, lost, logged)
	if !ok || recorded+lost != n || logged != lost {
		t.Errorf("summary %v: %d recorded + %d not != %d, or %d logged", ok, recorded, lost, n, logged)
	}
	if recorded < 1000 {
		t.Errorf("only %d recorded: recording must go on as long as records fit", recorded)
	}
	if code == exitOK && lost > 0 {
		t.Errorf("exit 0 with %d interactions not recorded", lost)
	}
	if code != exitOK {
		// Make room, as the user would, and recover what the journal kept.
		tmpfs.Resize(t, dir, 64<<20)
		if out, err := exec.Command(bin, "cassette", "recover", dir).CombinedOutput(); err != nil && !strings.Contains(stderr, "not recorded") {
			t.Fatalf("cassette recover: %v\n%s", err, out)
		}
	}
	if got := seqs(t, dir); len(got) != recorded {
		t.Errorf("the cassette holds %d interactions, the summary says %d were recorded", len(got), recorded)
	}
}

// TestRecordDirectoryRemoved removes the cassette directory (key
// included) under a running record: it says so at once, and at shutdown
// writes every interaction into a re-created directory, key and all,
// exiting 0.
func TestRecordDirectoryRemoved(t *testing.T) {
	bin := builtBinary(t)
	up := padUpstream("3.8.4")
	defer up.Close()
	dir := filepath.Join(t.TempDir(), "rec")
	cmd, base, errb := startBinary(t, bin, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0")
	client := &http.Client{}
	for k := range 10 {
		if !checkTokenN(client, base, k, 0) {
			t.Fatal("request failed")
		}
	}
	key, err := os.ReadFile(filepath.Join(dir, keyName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	k := 10
	for ; k < 20; k++ {
		if !checkTokenN(client, base, k, 0) {
			t.Fatal("request failed")
		}
	}
	errb.waitFor(t, "removed while recording")
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, cmd); code != exitOK {
		t.Errorf("exit %d, want 0: nothing was lost\n%s", code, errb)
	}
	if got := seqs(t, dir); len(got) != 20 {
		t.Errorf("the re-created cassette holds %d interactions, want 20\n%s", len(got), errb)
	}
	if again, err := os.ReadFile(filepath.Join(dir, keyName)); err != nil || !bytes.Equal(again, key) {
		t.Errorf("the redaction key was not written back: %v", err)
	}
}

// TestRecordUpstreamTLS: a self-signed upstream gets a 502 saying that its
// certificate is not trusted and how to trust it, logged on the
// recorder's stderr and filed under the version given; --upstream-ca with
// its certificate makes it work; --upstream-insecure warns loudly.
func TestRecordUpstreamTLS(t *testing.T) {
	up := httptest.NewTLSServer(padUpstream("3.8.4").Config.Handler)
	defer up.Close()
	dir := t.TempDir()
	p := startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0", "--version", "3.8")
	resp, err := http.Post(p.url+"/applications/Iv1.abc/token", "application/json", strings.NewReader(`{"access_token":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	code, stderr := p.stop()
	if resp.StatusCode != 502 || !strings.Contains(string(body), "--upstream-ca") || !strings.Contains(string(body), "x509") || strings.Contains(string(body), "check that it is running") {
		t.Errorf("%d %s; want a 502 naming the certificate problem and --upstream-ca", resp.StatusCode, body)
	}
	if !strings.Contains(stderr, "upstream failed") || !strings.Contains(stderr, "x509") {
		t.Errorf("the failure is not logged:\n%s", stderr)
	}
	if code != exitOK {
		t.Errorf("exit %d: the failure was recorded", code)
	}
	if _, err := os.Stat(cassettes.Path(dir, "ghes-3.8", "session")); err != nil {
		t.Errorf("the failure is not filed under ghes-3.8: %v", err)
	}

	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw}), 0o644)
	p = startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0", "--upstream-ca", ca)
	if !checkTokenN(http.DefaultClient, p.url, 1, 0) {
		t.Error("with --upstream-ca: the request failed")
	}
	if code, stderr := p.stop(); code != exitOK {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	p = startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0", "--upstream-insecure", "--name", "insecure")
	ok := checkTokenN(http.DefaultClient, p.url, 2, 0)
	if code, stderr := p.stop(); !ok || code != exitOK || !strings.Contains(stderr, "NOT verified") {
		t.Errorf("--upstream-insecure: request ok %v, exit %d, want a loud warning:\n%s", ok, code, stderr)
	}
}

// TestRecordUpstreamWithAPIPath: --upstream https://host/api/v3, the form
// the conform docs use, records what the client sends to /api/v3/... (not
// /api/v3/api/v3/..., a 404).
func TestRecordUpstreamWithAPIPath(t *testing.T) {
	inner := padUpstream("3.8.4")
	defer inner.Close()
	up := httptest.NewServer(http.StripPrefix("/api/v3", inner.Config.Handler))
	defer up.Close()
	dir := t.TempDir()
	p := startInProcess(t, "record", "--upstream", up.URL+"/api/v3", "--cassettes", dir, "--listen", "127.0.0.1:0")
	for k, base := range []string{p.url + "/api/v3", p.url} {
		if !checkTokenN(http.DefaultClient, base, k, 0) {
			t.Errorf("through %s: the request failed", base)
		}
	}
	if code, stderr := p.stop(); code != exitOK {
		t.Errorf("exit %d\n%s", code, stderr)
	}
	if got := seqs(t, dir); len(got) != 2 {
		t.Errorf("%d interactions recorded, want 2", len(got))
	}
}

// TestConformChecksOutputsFirst: conform checks that --report and --record
// can be written before it sends the first request.
func TestConformChecksOutputsFirst(t *testing.T) {
	var requests int
	var mu sync.Mutex
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer up.Close()
	withEnv(t, fixtureEnv())
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	for _, tc := range []struct{ flag, value string }{
		{"--report", filepath.Join(blocker, "reports")},
		{"--record", filepath.Join(blocker, "rec")},
	} {
		code, _, stderr := conform("--version", "3.8", "--target", up.URL, tc.flag, tc.value)
		if code != exitFailure || !strings.Contains(stderr, "nothing was sent") {
			t.Errorf("%s %s: exit %d, want 3 saying nothing was sent:\n%s", tc.flag, tc.value, code, stderr)
		}
	}
	if requests != 0 {
		t.Errorf("%d requests were sent before the outputs were found unwritable", requests)
	}
}

// writeJournal leaves a journal of one interaction under dir/ghes-3.8, as
// a record killed with SIGKILL does, and returns its path.
func writeJournal(t *testing.T, dir, name string) string {
	t.Helper()
	s, err := cassettes.OpenStore(t.TempDir(), name, redact.NewRandom())
	if err != nil {
		t.Fatal(err)
	}
	it := journalInteraction()
	if err := s.Add("ghes-3.8", it); err != nil {
		t.Fatal(err)
	}
	src := cassettes.Path(s.Dir(), "ghes-3.8", name) + cassettes.JournalExt
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	jp := cassettes.Path(dir, "ghes-3.8", name) + cassettes.JournalExt
	os.MkdirAll(filepath.Dir(jp), 0o755)
	if err := os.WriteFile(jp, bytes.TrimRight(data, "\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	return jp
}

// TestLeftoverJournals: every command that reads cassettes says when a
// directory holds only journals (and to run 'cassette recover'), with the
// same exit code, and reports a journal next to a cassette; 'cassette
// recover' says when a running record holds a journal; a new record that
// recovers old journals logs it.
func TestLeftoverJournals(t *testing.T) {
	only := t.TempDir()
	writeJournal(t, only, "killed")
	for _, args := range [][]string{
		{"replay", "--cassettes", only, "--listen", "127.0.0.1:0"},
		{"cassette", "lint", only},
		{"diff", "--from-cassettes", only, "--to-cassettes", only},
		{"upgrade-check", "--traffic", only, "--to", "3.10"},
	} {
		code, _, stderr := runCmd(t, args...)
		if code != exitFailure || !strings.Contains(stderr, "unrecovered journal") || !strings.Contains(stderr, "cassette recover "+only) {
			t.Errorf("%v: exit %d, want 3 naming the journal and 'cassette recover':\n%s", args, code, stderr)
		}
	}

	beside := t.TempDir()
	code, _, stderr := runCmd(t, "cassette", "recover", only)
	if code != exitOK {
		t.Fatalf("recover: exit %d\n%s", code, stderr)
	}
	os.CopyFS(beside, os.DirFS(only))
	writeJournal(t, beside, "another")
	for _, args := range [][]string{
		{"upgrade-check", "--traffic", beside, "--to", "3.10"},
		{"diff", "--from-cassettes", beside, "--to-cassettes", only},
	} {
		_, _, stderr := runCmd(t, args...)
		if !strings.Contains(stderr, "another.yaml.journal") || !strings.Contains(stderr, "cassette recover") {
			t.Errorf("%v: the journal beside the cassette is not reported:\n%s", args, stderr)
		}
	}
	if code, stdout, _ := runCmd(t, "cassette", "lint", beside); code != exitFindings || !strings.Contains(stdout, "unrecovered-journal") {
		t.Errorf("lint: exit %d, want 1 reporting the journal:\n%s", code, stdout)
	}

	// A running record holds its journal: recover says so and leaves it.
	up := padUpstream("3.8.4")
	defer up.Close()
	p := startInProcess(t, "record", "--upstream", up.URL, "--cassettes", beside, "--listen", "127.0.0.1:0", "--version", "3.8", "--name", "running")
	if p.url == "" {
		code, stderr := p.stop()
		t.Fatalf("record did not start: %d\n%s", code, stderr)
	}
	if !strings.Contains(p.stderr.String(), "recovered the journal") || !strings.Contains(p.stderr.String(), "another.yaml.journal") {
		t.Errorf("record did not log the journal it recovered:\n%s", p.stderr)
	}
	checkTokenN(http.DefaultClient, p.url, 1, 0)
	code, _, stderr = runCmd(t, "cassette", "recover", beside)
	if code != exitOK || !strings.Contains(stderr, "running.yaml.journal is being written by a recording still running") {
		t.Errorf("recover during a recording: exit %d:\n%s", code, stderr)
	}
	if _, _, stderr := runCmd(t, "replay", "--cassettes", beside, "--listen", "256.0.0.1:0"); strings.Contains(stderr, "running.yaml") {
		t.Errorf("a bad --listen is found before anything is loaded:\n%s", stderr)
	}
	if code, _ := p.stop(); code != exitOK {
		t.Errorf("record: exit %d", code)
	}
}

// TestSameFaultSameExitCode: a malformed cassette is 3 for every command
// that reads it; a bad --listen or --name is 2 for every command that
// takes one.
func TestSameFaultSameExitCode(t *testing.T) {
	withEnv(t, fixtureEnv())
	ts := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	dir := t.TempDir()
	if code, stdout, stderr := conform("--version", "3.8", "--target", ts.URL, "--record", dir, "--only", "apps/check-token"); code != exitOK {
		t.Fatalf("conform --record: exit %d\n%s%s", code, stdout, stderr)
	}
	os.WriteFile(filepath.Join(dir, "ghes-3.8", "conform.yaml"), []byte("version: 2\ninteractions:\n  - id: [\n"), 0o644)
	for _, args := range [][]string{
		{"conform", "--version", "3.8", "--cassettes", dir},
		{"replay", "--cassettes", dir, "--listen", "127.0.0.1:0"},
		{"diff", "--from-cassettes", dir, "--to-cassettes", dir},
		{"upgrade-check", "--traffic", dir, "--to", "3.10"},
		{"cassette", "lint", dir},
	} {
		if code, stdout, stderr := runCmd(t, args...); code != exitFailure || !strings.Contains(stdout+stderr, "conform.yaml") || !strings.Contains(stdout+stderr, "line 3") {
			t.Errorf("%v on a malformed cassette: exit %d, want 3 naming the file and line:\n%s%s", args, code, stdout, stderr)
		}
	}
	rec := t.TempDir()
	// A command that takes a bad address or name for a good one would
	// serve until stopped: stop it after a while, so the test fails
	// rather than hangs.
	runLimited := func(args ...string) (int, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		code := run(ctx, args, &out, &errb)
		return code, out.String() + errb.String()
	}
	for _, args := range [][]string{
		{"record", "--upstream", "http://127.0.0.1:1", "--cassettes", rec, "--listen", "nonsense"},
		{"record", "--upstream", "http://127.0.0.1:1", "--cassettes", rec, "--listen", "127.0.0.1:99999"},
		{"record", "--upstream", "http://127.0.0.1:1", "--cassettes", rec, "--listen", "192.0.2.1:0"},
		{"record", "--upstream", "http://127.0.0.1:1", "--cassettes", rec, "--name", "../x"},
		{"record", "--upstream", "http://127.0.0.1:1", "--cassettes", rec, "--version", "3.8/../../x"},
		{"replay", "--cassettes", "../../replay/testdata", "--listen", "nonsense"},
		{"replay", "--cassettes", "../../replay/testdata", "--on-miss", "proxy", "--upstream", "http://127.0.0.1:1", "--name", "../x"},
		{"serve", "--version", "3.8", "--listen", "127.0.0.1"},
	} {
		if code, out := runLimited(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2:\n%s", args, code, out)
		}
	}
	if entries, _ := os.ReadDir(rec); len(entries) != 0 {
		t.Errorf("a usage error left files in the cassettes directory: %v", entries)
	}
}

// TestLintCommandCounts: a clean lint prints a one-line count; a cassette
// of a version the catalog does not know fails, saying the checks did
// not run.
func TestLintCommandCounts(t *testing.T) {
	code, _, stderr := runCmd(t, "cassette", "lint", "../../replay/testdata")
	if code != exitOK || !strings.Contains(stderr, "clean: 1 cassette, ") || !strings.Contains(stderr, "interactions checked") {
		t.Errorf("clean lint: exit %d, stderr %q; want the count", code, stderr)
	}
	up := padUpstream("")
	defer up.Close()
	dir := t.TempDir()
	p := startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0", "--version", "3.99")
	checkTokenN(http.DefaultClient, p.url, 1, 0)
	if code, stderr := p.stop(); code != exitOK || !strings.Contains(stderr, "does not document") {
		t.Fatalf("record --version 3.99: exit %d\n%s", code, stderr)
	}
	code, stdout, _ := runCmd(t, "cassette", "lint", dir)
	if code != exitFindings || !strings.Contains(stdout, "version-unknown") || !strings.Contains(stdout, "--version") {
		t.Errorf("lint of ghes-3.99: exit %d, want 1 saying the checks did not run:\n%s", code, stdout)
	}
}

// journalInteraction is one check-token interaction.
func journalInteraction() *cassette.Interaction {
	return &cassette.Interaction{
		Request: cassette.Request{Method: "POST", URL: "http://127.0.0.1:9/applications/Iv1.abc/token?seq=900",
			Headers: http.Header{"Content-Type": {"application/json"}}, Body: `{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`},
		Response: cassette.Response{Code: 200, Status: "200 OK", Headers: http.Header{"Content-Type": {"application/json"}}, Body: `{"id":1}`},
	}
}

// TestRecordFaultAtEachWriteStep fails each write step of a whole record
// run in turn (start-up, the journal, each record, each sync, writing the
// cassette at shutdown) with a full disk: the command refuses to start,
// or every response a client saw complete is in the cassette, or the
// command logged each interaction it lost when it happened, counted them
// in its summary, and exited non-zero (and what its journal kept is
// recovered once the disk has room). Nothing is lost silently.
func TestRecordFaultAtEachWriteStep(t *testing.T) {
	up := padUpstream("3.8.4")
	defer up.Close()
	const n = 5
	type outcome struct {
		started  bool
		code     int
		stderr   string
		complete []int
	}
	runOnce := func(fsys *faultfs.FS, dir string) outcome {
		storeFS = fsys
		defer func() { storeFS = nil }()
		p := startInProcess(t, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0", "--version", "3.8", "--sync-interval", "1ms")
		var o outcome
		o.started = p.url != ""
		if o.started {
			for k := range n {
				if checkTokenN(http.DefaultClient, p.url, k, 0) {
					o.complete = append(o.complete, k)
				}
				time.Sleep(2 * time.Millisecond) // let syncs happen between records
			}
		}
		o.code, o.stderr = p.stop()
		return o
	}
	clean := faultfs.New(nil)
	if o := runOnce(clean, t.TempDir()); o.code != exitOK || len(o.complete) != n {
		t.Fatalf("without faults: exit %d, %d complete\n%s", o.code, len(o.complete), o.stderr)
	}
	steps := clean.Ops()
	t.Logf("%d write steps", len(steps))
	for k, op := range steps {
		t.Run(fmt.Sprintf("%d-%s", k, op), func(t *testing.T) {
			fsys, dir := faultfs.New(nil), t.TempDir()
			fsys.FailAt(k, syscall.ENOSPC)
			o := runOnce(fsys, dir)
			if !o.started {
				if o.code == exitOK || !strings.Contains(o.stderr, "no space left on device") {
					t.Errorf("did not start, exit %d, without saying why:\n%s", o.code, o.stderr)
				}
				return
			}
			if len(o.complete) != n {
				t.Errorf("%d of %d clients got their answer: the disk must not cost a client its response", len(o.complete), n)
			}
			recorded, lost, ok := summaryLine(o.stderr)
			logged := strings.Count(o.stderr, "interaction not recorded")
			if !ok || logged != lost || recorded+lost != n {
				t.Fatalf("summary %v: %d recorded, %d not, %d logged at once; want %d in all:\n%s", ok, recorded, lost, logged, n, o.stderr)
			}
			if o.code == exitOK && lost > 0 {
				t.Errorf("exit 0 with %d interactions not recorded", lost)
			}
			if o.code != exitOK {
				fsys.Fault(nil)
				rec, err := cassettes.Recover(dir)
				if err != nil {
					t.Fatalf("recover once the disk has room: %v", err)
				}
				for _, m := range rec.Merged {
					if len(m.Skipped) > 0 {
						t.Errorf("recovery skipped %v of %s: a failed write left a torn record", m.Skipped, m.Journal)
					}
				}
			} else if ls, _ := cassettes.Leftovers(dir); len(ls) > 0 {
				t.Errorf("exit 0 with journals left: %v", ls)
			}
			got := seqs(t, dir)
			in := 0
			for _, k := range o.complete {
				if got[k] {
					in++
				}
			}
			if in < len(o.complete)-lost || len(got) != recorded {
				t.Errorf("%d of the %d complete responses are in the cassette (%d held), %d were reported lost:\n%s", in, len(o.complete), len(got), lost, o.stderr)
			}
		})
	}
}

// TestRecordSIGKILLUnderLoad kills the real binary with SIGKILL at random
// moments while 64 clients send requests, then, in later rounds, at
// random moments of its stop (SIGTERM), while it appends its journal in
// place to the cassette the earlier rounds wrote: after recovery, every
// response a client got whole is in the cassette, once; only requests in
// flight may be missing.
func TestRecordSIGKILLUnderLoad(t *testing.T) {
	bin := builtBinary(t)
	up := padUpstream("3.8.4")
	defer up.Close()
	dir := t.TempDir()
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d", seed)
	complete := map[int]bool{}
	var mu sync.Mutex
	for round := range 6 {
		cmd, base, errb := startBinary(t, bin, "record", "--upstream", up.URL, "--cassettes", dir, "--listen", "127.0.0.1:0")
		if base == "" {
			t.Fatalf("round %d: record did not start:\n%s", round, errb)
		}
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		var next atomic.Int64
		next.Store(int64(round) * 1_000_000)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					k := int(next.Add(1))
					if checkTokenN(client, base, k, k%7*300) {
						mu.Lock()
						complete[k] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(100+rng.IntN(500)) * time.Millisecond)
		if round >= 3 {
			// Stop it, and kill it while it appends.
			cmd.Process.Signal(syscall.SIGTERM)
			time.Sleep(time.Duration(rng.IntN(20_000)) * time.Microsecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		close(stop)
		wg.Wait()
		client.CloseIdleConnections()
		t.Logf("round %d: killed after %d requests", round, next.Load()-int64(round)*1_000_000)
	}
	if out, err := exec.Command(bin, "cassette", "recover", dir).CombinedOutput(); err != nil {
		t.Fatalf("cassette recover: %v\n%s", err, out)
	}
	got := seqs(t, dir)
	missing := 0
	for k := range complete {
		if !got[k] {
			missing++
		}
	}
	t.Logf("%d responses complete, %d interactions recovered", len(complete), len(got))
	if missing > 0 {
		t.Errorf("%d responses a client got whole are not in the cassette", missing)
	}
	if len(complete) == 0 {
		t.Error("no request completed: the test checked nothing")
	}
}
