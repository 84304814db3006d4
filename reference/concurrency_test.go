package reference_test

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
)

// TestConcurrentCheckResetDelete has many goroutines check, reset and
// delete the same tokens over a real loopback server (run it with -race).
// Each shared token must be reset or deleted exactly once, every token a
// reset returned must still work, and no shared token may survive.
func TestConcurrentCheckResetDelete(t *testing.T) {
	srv := reference.NewTestServer(t, "3.8", reference.DefaultFixtures())
	client := srv.Client()
	do := func(method, b string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+"/api/v3"+tokenPath(app1), strings.NewReader(b))
		req.SetBasicAuth(app1, secret1)
		res, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer res.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := res.Body.Read(buf)
			sb.WriteString(string(buf[:n]))
			if err != nil {
				break
			}
		}
		return res.StatusCode, sb.String()
	}
	shared := []string{tok(0), tok(1), tok(2), tok(3), tok(4)}
	var resets, deletes, okChecks atomic.Int64
	var mu sync.Mutex
	minted := map[string]bool{}
	var wg sync.WaitGroup
	for g := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				tk := shared[(g+i)%len(shared)]
				switch (g + i) % 3 {
				case 0:
					if code, _ := do("POST", body(tk)); code == 200 {
						okChecks.Add(1)
					} else if code != 404 {
						t.Errorf("check: %d", code)
					}
				case 1:
					code, out := do("PATCH", body(tk))
					switch code {
					case 200:
						resets.Add(1)
						i := strings.Index(out, `"token":"`)
						nt := out[i+9 : i+9+40]
						mu.Lock()
						if minted[nt] {
							t.Errorf("token %s minted twice", nt)
						}
						minted[nt] = true
						mu.Unlock()
					case 404:
					default:
						t.Errorf("reset: %d", code)
					}
				case 2:
					if code, _ := do("DELETE", body(tk)); code == 204 {
						deletes.Add(1)
					} else if code != 404 {
						t.Errorf("delete: %d", code)
					}
				}
			}
		}()
	}
	wg.Wait()
	// Every shared token meets many resets and deletes: exactly one of
	// them wins, the others find it gone.
	if n := resets.Load() + deletes.Load(); n != int64(len(shared)) {
		t.Errorf("%d resets and deletes succeeded on %d shared tokens: want exactly one each", n, len(shared))
	}
	if int(resets.Load()) != len(minted) {
		t.Errorf("%d successful resets minted %d distinct tokens", resets.Load(), len(minted))
	}
	t.Logf("%d checks found their token, %d resets, %d deletes", okChecks.Load(), resets.Load(), deletes.Load())
	for nt := range minted {
		if code, _ := do("POST", body(nt)); code != 200 {
			t.Errorf("minted token: check %d, want 200", code)
		}
	}
	for _, tk := range shared {
		if code, _ := do("POST", body(tk)); code != 404 {
			t.Errorf("a shared token survived: check %d", code)
		}
	}
}
