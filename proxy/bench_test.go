package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
)

// loadResult is one configuration's figures.
type loadResult struct {
	rps      float64
	p50, p99 time.Duration
}

// creds is the app and token a load uses.
type creds struct{ clientID, clientSecret, token string }

// referenceUpstream starts the reference server for ghes-3.8 and returns
// its first app and one of that app's tokens.
func referenceUpstream(b *testing.B) (*httptest.Server, creds) {
	f := reference.DefaultFixtures()
	up := reference.NewTestServer(b, "ghes-3.8", f)
	app := f.Apps[0]
	for _, t := range f.Tokens {
		if t.ClientID == app.ClientID {
			return up, creds{app.ClientID, app.ClientSecret, t.Value}
		}
	}
	b.Fatal("the default fixtures have no token for their first app")
	return nil, creds{}
}

// runLoad sends n check-token requests to base from c goroutines over
// keep-alive connections.
func runLoad(b *testing.B, base string, cr creds, c, n int) loadResult {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	clientID, clientSecret := cr.clientID, cr.clientSecret
	body := `{"access_token":"` + cr.token + `"}`
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
// and 64 directly against the reference server, through a bare
// httputil.ReverseProxy that records nothing, and through the recording
// reverse proxy (every interaction journalled before its response ends),
// then prints a table with the recording/bare ratios. The record runs also
// report how long stopping (writing the cassette) took.
func BenchmarkRecordLoad(b *testing.B) {
	up, cr := referenceUpstream(b)
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
				r := runLoad(b, base, cr, c, b.N)
				b.StopTimer()
				if rec != nil {
					t0 := time.Now()
					if err := rec.Close(); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, "stop-ms")
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

// BenchmarkRecordMemory records a long session (20,000 interactions at
// concurrency 16) and reports the live heap after 2,000 and after 20,000
// interactions, and how long stopping took: interactions go to the
// journal, so the heap must not grow with the length of the recording.
func BenchmarkRecordMemory(b *testing.B) {
	up, cr := referenceUpstream(b)
	target, _ := url.Parse(up.URL)
	heap := func() float64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapAlloc) / (1 << 20)
	}
	for b.Loop() {
		store, err := cassettes.OpenStore(b.TempDir(), "long", redact.NewRandom())
		if err != nil {
			b.Fatal(err)
		}
		rec, err := proxy.NewReverse(proxy.Config{Upstream: target, Store: store})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(rec)
		runLoad(b, srv.URL, cr, 16, 2000)
		at2k := heap()
		runLoad(b, srv.URL, cr, 16, 18000)
		at20k := heap()
		srv.Close()
		t0 := time.Now()
		if err := rec.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(at2k, "heap-MB@2k")
		b.ReportMetric(at20k, "heap-MB@20k")
		b.ReportMetric(float64(time.Since(t0).Milliseconds()), "stop-ms@20k")
	}
}
