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
// reverse proxy: "record" with the default durability (every interaction
// written to the journal before its response ends, fdatasynced within the
// sync interval) and "synced" with SyncEach (its response ends only once
// it is fdatasynced). It prints a table with the ratios to bare. The
// record runs also report how long stopping (writing the cassette) took.
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
	modes := []string{"direct", "bare", "record", "synced"}
	for _, c := range []int{1, 16, 64} {
		for _, mode := range modes {
			b.Run(fmt.Sprintf("c=%d/%s", c, mode), func(b *testing.B) {
				base := up.URL
				var rec *proxy.Reverse
				switch mode {
				case "bare":
					base = bare.URL
				case "record", "synced":
					opts := cassettes.Options{SyncEach: mode == "synced"}
					store, err := cassettes.OpenStoreWith(b.TempDir(), "bench", redact.NewRandom(), opts)
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
	fmt.Fprintf(os.Stdout, "\nBenchmarkRecordLoad summary (check-token over loopback; ratios to the bare reverse proxy)\n")
	fmt.Fprintf(os.Stdout, "%-5s %-7s %10s %9s %9s\n", "conc", "mode", "req/s", "p50", "p99")
	for _, c := range []int{1, 16, 64} {
		for _, mode := range modes {
			r, ok := results[fmt.Sprintf("%d/%s", c, mode)]
			if !ok {
				continue
			}
			fmt.Fprintf(os.Stdout, "%-5d %-7s %10.0f %9v %9v\n", c, mode, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond))
		}
		rb, ok := results[fmt.Sprintf("%d/bare", c)]
		for _, mode := range []string{"record", "synced"} {
			rr, ok2 := results[fmt.Sprintf("%d/%s", c, mode)]
			if ok && ok2 && rb.rps > 0 {
				fmt.Fprintf(os.Stdout, "%-5d %-7s throughput %.2f of bare, p99 %+v vs bare\n", c, mode, rr.rps/rb.rps, (rr.p99 - rb.p99).Round(time.Microsecond))
			}
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

// cannedTransport answers every request with one recorded response,
// reading the request body as a server would.
type cannedTransport struct {
	code   int
	header http.Header
	body   string
}

func (c *cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", c.code, http.StatusText(c.code)), StatusCode: c.code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.header.Clone(), ContentLength: int64(len(c.body)),
		Body: io.NopCloser(strings.NewReader(c.body)), Request: req,
	}, nil
}

// BenchmarkRecorderCPU measures, without sockets, what recording adds to
// one check-token round trip: the same canned reference-server response
// through the transport alone and through a Recorder (capture, redaction,
// cassette encoding, journal write).
func BenchmarkRecorderCPU(b *testing.B) {
	up, cr := referenceUpstream(b)
	body := `{"access_token":"` + cr.token + `"}`
	newReq := func(base string) *http.Request {
		req, _ := http.NewRequest("POST", base+"/applications/"+cr.clientID+"/token", strings.NewReader(body))
		req.SetBasicAuth(cr.clientID, cr.clientSecret)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Go-http-client/1.1")
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("X-Forwarded-For", "127.0.0.1")
		return req
	}
	resp, err := http.DefaultClient.Do(newReq(up.URL))
	if err != nil {
		b.Fatal(err)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	canned := &cannedTransport{code: resp.StatusCode, header: resp.Header, body: string(rb)}
	target, _ := url.Parse(up.URL)

	run := func(b *testing.B, rt http.RoundTripper) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := rt.RoundTrip(newReq(up.URL))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.Run("transport", func(b *testing.B) { run(b, canned) })
	b.Run("record", func(b *testing.B) {
		store, err := cassettes.OpenStore(b.TempDir(), "bench", redact.NewRandom())
		if err != nil {
			b.Fatal(err)
		}
		rec, err := proxy.NewRecorder(proxy.Config{Upstream: target, Store: store, Transport: canned})
		if err != nil {
			b.Fatal(err)
		}
		run(b, rec)
		b.StopTimer()
		rec.Close()
	})
}
