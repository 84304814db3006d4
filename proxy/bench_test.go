package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
)

// loadResult is one configuration's figures.
type loadResult struct {
	rps      float64
	p50, p99 time.Duration
}

// runLoad sends n check-token requests to base from c goroutines over
// keep-alive connections.
func runLoad(b *testing.B, base string, c, n int) loadResult {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	body := `{"access_token":"` + realToken + `"}`
	u := base + "/applications/" + clientID + "/token"
	var next atomic.Int64
	lat := make([][]time.Duration, c)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				req, _ := http.NewRequest("POST", u, strings.NewReader(body))
				req.SetBasicAuth(clientID, clientSecret)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return loadResult{}
	}
	return loadResult{
		rps: float64(len(all)) / elapsed.Seconds(),
		p50: all[len(all)/2],
		p99: all[min(len(all)-1, len(all)*99/100)],
	}
}

// BenchmarkRecordLoad runs the same check-token load at concurrency 1, 16
// and 64 directly against the upstream, through a bare
// httputil.ReverseProxy that records nothing, and through the recording
// reverse proxy (journal fsynced per interaction, group commit), then
// prints a table with the recording/bare ratios.
func BenchmarkRecordLoad(b *testing.B) {
	up := httptest.NewServer(upstream(b, "3.8.0"))
	defer up.Close()
	target, _ := url.Parse(up.URL)

	bare := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:       func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
		Transport:     proxy.NewTransport(),
		FlushInterval: -1,
		BufferPool:    &proxy.BufferPool{}, // as the recording proxy has

	})
	defer bare.Close()

	results := map[string]loadResult{}
	modes := []string{"direct", "bare", "record"}
	for _, c := range []int{1, 16, 64} {
		for _, mode := range modes {
			b.Run(fmt.Sprintf("c=%d/%s", c, mode), func(b *testing.B) {
				base := up.URL
				var rec *proxy.Reverse
				switch mode {
				case "bare":
					base = bare.URL
				case "record":
					store, err := cassettes.OpenStore(b.TempDir(), "bench", redact.NewRandom())
					if err != nil {
						b.Fatal(err)
					}
					rec, err = proxy.NewReverse(proxy.Config{Upstream: target, Store: store})
					if err != nil {
						b.Fatal(err)
					}
					srv := httptest.NewServer(rec)
					defer srv.Close()
					base = srv.URL
				}
				b.ResetTimer()
				r := runLoad(b, base, c, b.N)
				b.StopTimer()
				if rec != nil {
					if err := rec.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(r.rps, "req/s")
				b.ReportMetric(float64(r.p50.Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
				results[fmt.Sprintf("%d/%s", c, mode)] = r
			})
		}
	}
	if len(results) == 0 {
		return
	}
	fmt.Fprintf(os.Stdout, "\nBenchmarkRecordLoad summary (check-token over loopback; ratio = record/bare)\n")
	fmt.Fprintf(os.Stdout, "%-5s %-7s %10s %9s %9s\n", "conc", "mode", "req/s", "p50", "p99")
	for _, c := range []int{1, 16, 64} {
		for _, mode := range modes {
			r, ok := results[fmt.Sprintf("%d/%s", c, mode)]
			if !ok {
				continue
			}
			fmt.Fprintf(os.Stdout, "%-5d %-7s %10.0f %9v %9v\n", c, mode, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond))
		}
		rb, ok1 := results[fmt.Sprintf("%d/bare", c)]
		rr, ok2 := results[fmt.Sprintf("%d/record", c)]
		if ok1 && ok2 && rb.rps > 0 {
			fmt.Fprintf(os.Stdout, "%-5d ratio   throughput %.2f, p99 %+v vs bare\n", c, rr.rps/rb.rps, (rr.p99 - rb.p99).Round(time.Microsecond))
		}
	}
}
