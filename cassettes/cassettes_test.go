package cassettes_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"
)

const gho = "gho_16C7e42F292c6912E7710c838347Ae178B4a"

func interaction(n int) *cassette.Interaction {
	body := fmt.Sprintf(`{"access_token":"%s","n":%d}`, gho, n)
	return &cassette.Interaction{
		Request: cassette.Request{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Method: "POST", URL: fmt.Sprintf("http://127.0.0.1:9/applications/Iv1.abc/token?n=%d", n),
			Headers:       http.Header{"Content-Type": {"application/json"}, "Authorization": {"Basic SXYxLmFiYzpzM2NyM3Q="}},
			Body:          body,
			ContentLength: int64(len(body)),
		},
		Response: cassette.Response{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Status: "200 OK", Code: 200,
			Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			Body:    fmt.Sprintf(`{"id":%d,"token":"%s"}`, n, gho),
		},
	}
}

func openStore(t testing.TB, dir string) *cassettes.Store {
	t.Helper()
	s, err := cassettes.OpenStore(dir, "session", redact.New([]byte("0123456789abcdef0123456789abcdef"), redact.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGoVCRReplaysOurCassettes loads a cassette with go-vcr's own loader
// and replays it with go-vcr's recorder in replay-only mode, matching on
// method, URL and body.
func TestGoVCRReplaysOurCassettes(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	for n := range 3 {
		if err := s.Add("ghes-3.8", interaction(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := cassettes.Path(dir, "ghes-3.8", "session")
	if diff := cmp.Diff([]string{path}, s.Written()); diff != "" {
		t.Errorf("written (-want +got):\n%s", diff)
	}
	name := strings.TrimSuffix(path, ".yaml")
	c, err := cassette.Load(name)
	if err != nil {
		t.Fatalf("go-vcr cannot load our cassette: %v", err)
	}
	if len(c.Interactions) != 3 {
		t.Fatalf("go-vcr loaded %d interactions, want 3", len(c.Interactions))
	}
	rec, err := recorder.NewWithOptions(&recorder.Options{CassetteName: name, Mode: recorder.ModeReplayOnly, SkipRequestLatency: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Stop()
	rec.SetMatcher(func(r *http.Request, i cassette.Request) bool {
		var b []byte
		if r.Body != nil {
			b, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		return r.Method == i.Method && r.URL.String() == i.URL && string(b) == i.Body
	})
	client := rec.GetDefaultClient()
	for n := 2; n >= 0; n-- { // out of order: the matcher, not the position, decides
		want := c.Interactions[n]
		req, _ := http.NewRequest(want.Request.Method, want.Request.URL, strings.NewReader(want.Request.Body))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("replay %d: %v", n, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if diff := cmp.Diff(want.Response.Body, string(got)); diff != "" {
			t.Errorf("replay %d body (-want +got):\n%s", n, diff)
		}
		if strings.Contains(string(got), gho) || strings.Contains(want.Request.Body, gho) {
			t.Errorf("replay %d: the real token reached the cassette", n)
		}
	}
	// A request never recorded is not found.
	req, _ := http.NewRequest("POST", "http://127.0.0.1:9/applications/Iv1.abc/token?n=7", strings.NewReader("{}"))
	if _, err := client.Do(req); !errors.Is(err, cassette.ErrInteractionNotFound) {
		t.Errorf("unrecorded request: err = %v, want ErrInteractionNotFound", err)
	}
}

// TestStoreConcurrentAdds records from 64 goroutines: every interaction
// is in the cassette exactly once and whole.
func TestStoreConcurrentAdds(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	const workers, each = 64, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				version := []string{"ghes-3.8", "api.github.com"}[k%2]
				if err := s.Add(version, interaction(w*each+k)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cs, err := cassettes.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, c := range cs {
		for i, it := range c.Interactions {
			if it.ID != i {
				t.Errorf("%s: interaction %d has id %d", c.File, i, it.ID)
			}
			seen[it.Request.URL]++
			if !strings.HasSuffix(it.Response.Body, "}") || !strings.HasSuffix(it.Request.Body, "}") {
				t.Errorf("interaction %s is cut: %q", it.Request.URL, it.Response.Body)
			}
		}
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct interactions, want %d", len(seen), workers*each)
	}
	for u, n := range seen {
		if n != 1 {
			t.Errorf("%s recorded %d times", u, n)
		}
	}
}

// TestRecoverTornJournal simulates a crash: the journal is left behind
// with a torn last record. Recover keeps every whole record, reports the
// bytes it skipped, and keeps a journal it skipped bytes of as
// <journal>.damaged.
func TestRecoverTornJournal(t *testing.T) {
	for _, tail := range []struct {
		name    string
		cut     func([]byte) []byte
		want    int
		skipped bool
	}{
		{"whole", func(b []byte) []byte { return b }, 5, false},
		{"zero-filled tail", func(b []byte) []byte { return append(b, make([]byte, 8192)...) }, 5, false},
		{"torn payload", func(b []byte) []byte { return b[:len(b)-10] }, 4, true},
		{"torn payload, zeros after", func(b []byte) []byte { return append(b[:len(b)-10], make([]byte, 8192)...) }, 4, true},
		{"torn header", func(b []byte) []byte { return append(b, "OCJ1 12"...) }, 5, true},
		{"bad checksum", func(b []byte) []byte { b = bytes.Clone(b); b[len(b)-3] ^= 1; return b }, 4, true},
	} {
		t.Run(tail.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			s := openStore(t, src)
			for n := range 5 {
				if err := s.Add("ghes-3.8", interaction(n)); err != nil {
					t.Fatal(err)
				}
			}
			jp := cassettes.Path(src, "ghes-3.8", "session") + cassettes.JournalExt
			data, err := os.ReadFile(jp) // what a SIGKILL right now would leave
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.TrimRight(data, "\x00") // the records, without the space made ahead
			s.Close()
			djp := cassettes.Path(dst, "ghes-3.8", "session") + cassettes.JournalExt
			os.MkdirAll(filepath.Dir(djp), 0o755)
			if err := os.WriteFile(djp, tail.cut(data), 0o644); err != nil {
				t.Fatal(err)
			}
			rec, err := cassettes.Recover(dst)
			if err != nil {
				t.Fatal(err)
			}
			want := cassettes.Path(dst, "ghes-3.8", "session")
			if len(rec.Merged) != 1 || rec.Merged[0].Cassette != want || rec.Merged[0].Records != tail.want {
				t.Fatalf("recovery %+v, want %d records into %s", rec, tail.want, want)
			}
			c, err := cassettes.Load(want)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Interactions) != tail.want {
				t.Errorf("%d interactions recovered, want %d", len(c.Interactions), tail.want)
			}
			if _, err := os.Stat(djp); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("journal still there after recovery: %v", err)
			}
			m := rec.Merged[0]
			if skipped := len(m.Skipped) > 0; skipped != tail.skipped {
				t.Errorf("skipped %v, want skipped bytes reported: %v", m.Skipped, tail.skipped)
			}
			_, err = os.Stat(djp + cassettes.DamagedExt)
			if kept := err == nil; kept != tail.skipped || (m.Kept != "") != tail.skipped {
				t.Errorf("damaged journal kept: %v (%q), want %v", kept, m.Kept, tail.skipped)
			}
		})
	}
}

// TestRecoverAfterCrashBeforeJournalRemoved: the cassette was written but
// the journal not yet removed. Recovering must not duplicate.
func TestRecoverAfterCrashBeforeJournalRemoved(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	for n := range 3 {
		s.Add("ghes-3.8", interaction(n))
	}
	jp := cassettes.Path(dir, "ghes-3.8", "session") + cassettes.JournalExt
	data, _ := os.ReadFile(jp)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(jp, data, 0o644) // as if the crash came before the remove
	if _, err := cassettes.Recover(dir); err != nil {
		t.Fatal(err)
	}
	c, err := cassettes.Load(cassettes.Path(dir, "ghes-3.8", "session"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 3 {
		t.Errorf("%d interactions, want 3 (no duplicates)", len(c.Interactions))
	}
}

// TestCloseAppendsToExistingCassette records twice into one name.
func TestCloseAppendsToExistingCassette(t *testing.T) {
	dir := t.TempDir()
	for round := range 2 {
		s := openStore(t, dir)
		for n := range 2 {
			if err := s.Add("api.github.com", interaction(round*10+n)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	c, err := cassettes.Load(cassettes.Path(dir, "api.github.com", "session"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range c.Interactions {
		got = append(got, it.Request.URL[strings.Index(it.Request.URL, "?"):])
	}
	if diff := cmp.Diff([]string{"?n=0", "?n=1", "?n=10", "?n=11"}, got); diff != "" {
		t.Errorf("interactions (-want +got):\n%s", diff)
	}
}

// TestSecondRecordingIntoSameCassetteIsRefused: two stores, one directory
// and name. The second is refused when it opens, naming the process that
// holds the cassettes; once the first closes, the name is free again and
// its lock file gone.
func TestSecondRecordingIntoSameCassetteIsRefused(t *testing.T) {
	dir := t.TempDir()
	a := openStore(t, dir)
	if err := a.Add("ghes-3.8", interaction(1)); err != nil {
		t.Fatal(err)
	}
	_, err := cassettes.OpenStore(dir, "session", redact.NewRandom())
	if !errors.Is(err, cassettes.ErrBusy) || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) || !strings.Contains(err.Error(), "--name") {
		t.Errorf("second store: err = %v, want ErrBusy naming process %d and --name", err, os.Getpid())
	}
	// Another name in the same directory records alongside.
	other, err := cassettes.OpenStore(dir, "other", redact.NewRandom())
	if err != nil {
		t.Fatal(err)
	}
	// Recover leaves a journal in use alone, and says so.
	rec, err := cassettes.Recover(dir)
	if err != nil || len(rec.Merged) != 0 || len(rec.Busy) != 1 {
		t.Errorf("Recover during a recording = %+v, %v; want one busy journal and nothing merged", rec, err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	other.Close()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".lock") {
			t.Errorf("lock file %s left after Close", e.Name())
		}
	}
	b := openStore(t, dir)
	if err := b.Add("ghes-3.8", interaction(2)); err != nil {
		t.Errorf("a store after the first closed: %v", err)
	}
	b.Close()
}

func TestAddAfterClose(t *testing.T) {
	s := openStore(t, t.TempDir())
	s.Close()
	if err := s.Add("ghes-3.8", interaction(1)); !errors.Is(err, cassettes.ErrClosed) {
		t.Errorf("err = %v, want ErrClosed", err)
	}
	if err := s.Add("../x", interaction(1)); err == nil {
		t.Error("a version with a path separator was accepted")
	}
}

// TestWriteAtomic rewrites a cassette while readers read it: every read
// sees a whole cassette, and no temporary file is left.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v", "c.yaml")
	write := func(n int) {
		c := cassette.New("unused")
		for k := range n {
			c.Interactions = append(c.Interactions, interaction(k))
		}
		if err := cassettes.WriteAtomic(path, c); err != nil {
			t.Error(err)
		}
	}
	write(1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := cassettes.Load(path); err != nil {
					t.Errorf("a reader saw a partial cassette: %v", err)
					return
				}
			}
		}()
	}
	for n := 2; n < 12; n++ {
		write(n)
	}
	close(stop)
	wg.Wait()
	entries, _ := os.ReadDir(filepath.Dir(path))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{"c.yaml"}, names); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"missing version", "---\ninteractions: []\n", "missing version"},
		{"old version", "---\nversion: 1\ninteractions: []\n", "version 1 is not supported"},
		{"syntax", "---\nversion: 2\ninteractions:\n  - id: [\n", "line"},
		{"not a mapping", "- 1\n- 2\n", "not a go-vcr cassette"},
		{"wrong type", "version: 2\ninteractions:\n  - id: 0\n    request: 12\n", "line 4"},
		{"missing fields", "version: 2\ninteractions:\n  - id: 0\n    request:\n      method: GET\n    response:\n      code: 200\n", "request.url"},
		{"empty", "", "not a go-vcr cassette"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.yaml")
			os.WriteFile(path, []byte(tc.data), 0o644)
			_, err := cassettes.Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	if _, err := cassettes.LoadDir(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("LoadDir of a missing directory: no error")
	}
}

func FuzzLoad(f *testing.F) {
	data, _ := cassettes.Marshal([]*cassette.Interaction{interaction(1)})
	f.Add(data)
	f.Add([]byte("version: 2\ninteractions: [{request: {method: GET, url: /}, response: {code: 200}}]"))
	f.Add([]byte("version: 2\ninteractions: [~]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.yaml")
		os.WriteFile(path, data, 0o644)
		cassettes.Load(path) // must not panic
	})
}

// TestCloseDuringAdds closes a store while goroutines keep adding: every
// Add that returned nil is in the cassette, every other one returned
// ErrClosed.
func TestCloseDuringAdds(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	var (
		wg       sync.WaitGroup
		accepted atomic.Int64
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				err := s.Add("ghes-3.8", interaction(w*100000+k))
				if errors.Is(err, cassettes.ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				accepted.Add(1)
			}
		}()
	}
	for accepted.Load() < 50 {
		runtime.Gosched()
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	c, err := cassettes.Load(cassettes.Path(dir, "ghes-3.8", "session"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.Interactions), int(accepted.Load()); got != want {
		t.Errorf("the cassette holds %d interactions; %d Adds returned nil", got, want)
	}
}
