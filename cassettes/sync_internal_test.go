package cassettes

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

func syncTestInteraction(n int) *cassette.Interaction {
	return &cassette.Interaction{
		Request: cassette.Request{Method: "POST", URL: fmt.Sprintf("http://127.0.0.1:9/applications/Iv1.abc/token?n=%d", n),
			Headers: http.Header{"Content-Type": {"application/json"}}, Body: `{"access_token":"x"}`},
		Response: cassette.Response{Code: 200, Status: "200 OK", Body: `{}`},
	}
}

// journalState returns the journal of version: its end, how far it is
// synced and how many syncs it took.
func journalState(s *Store, version string) (off, synced int64, syncs int) {
	s.mu.Lock()
	j := s.journals[version]
	s.mu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.off, j.synced, j.syncs
}

// TestSyncEach holds that with SyncEach every Add returns only once its
// record is on stable storage, concurrent Adds included.
func TestSyncEach(t *testing.T) {
	s, err := OpenStoreWith(t.TempDir(), "session", redact.NewRandom(), Options{SyncEach: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Alone, each Add returns with the whole journal synced.
	for n := range 5 {
		if err := s.Add("ghes-3.8", syncTestInteraction(n)); err != nil {
			t.Fatal(err)
		}
		if off, synced, _ := journalState(s, "ghes-3.8"); synced != off {
			t.Fatalf("Add %d returned with %d of %d bytes synced", n, synced, off)
		}
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 8 {
				if err := s.Add("ghes-3.8", syncTestInteraction(w*8+k)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	off, synced, syncs := journalState(s, "ghes-3.8")
	if synced != off {
		t.Errorf("after every Add returned, synced %d of %d bytes", synced, off)
	}
	t.Logf("133 Adds from 16 goroutines took %d syncs", syncs)
}

// TestSyncInterval holds that without SyncEach the journal is synced soon
// after a write when idle, at most once per interval under load, and fully
// by Close, which does not wait for the interval to end.
func TestSyncInterval(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStoreWith(dir, "session", redact.NewRandom(), Options{SyncInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add("ghes-3.8", syncTestInteraction(0)); err != nil {
		t.Fatal(err)
	}
	// The first write after an idle spell is synced at once.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		off, synced, _ := journalState(s, "ghes-3.8")
		if synced == off {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first record was not synced: %d of %d bytes", synced, off)
		}
	}
	for n := 1; n < 50; n++ {
		if err := s.Add("ghes-3.8", syncTestInteraction(n)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, syncs := journalState(s, "ghes-3.8"); syncs != 1 {
		t.Errorf("%d syncs within one interval, want 1", syncs)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := Load(Path(dir, "ghes-3.8", "session"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 50 {
		t.Errorf("the cassette holds %d interactions, want 50", len(c.Interactions))
	}
}
