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
	n        int
	elapsed  time.Duration
	lat      []time.Duration // sorted
}

// merge combines rounds of one configuration: requests over the time they
// took, percentiles over every request.
func merge(rs []loadResult) loadResult {
	var out loadResult
	for _, r := range rs {
		out.n += r.n
		out.elapsed += r.elapsed
		out.lat = append(out.lat, r.lat...)
	}
	slices.Sort(out.lat)
	if len(out.lat) == 0 || out.elapsed <= 0 {
		return out
	}
	out.rps = float64(out.n) / out.elapsed.Seconds()
	out.p50 = out.lat[len(out.lat)/2]
	out.p99 = out.lat[min(len(out.lat)-1, len(out.lat)*99/100)]
	return out
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
	return merge([]loadResult{{n: len(all), elapsed: elapsed, lat: all}})
}

// recordingProxy starts a recording reverse proxy in front of target,
// writing into a temporary directory. Close the recorder to write the
// cassette, and the server.
func recordingProxy(b *testing.B, target *url.URL, opts cassettes.Options) (*proxy.Reverse, *httptest.Server) {
	store, err := cassettes.OpenStoreWith(b.TempDir(), "bench", redact.NewRandom(), opts)
	if err != nil {
		b.Fatal(err)
	}
	rec, err := proxy.NewReverse(proxy.Config{Upstream: target, Store: store})
	if err != nil {
		b.Fatal(err)
	}
	return rec, httptest.NewServer(rec)
}

// loadRounds is how many rounds BenchmarkRecordLoad splits each mode's
// requests into, the modes taking turns: a machine whose speed drifts
// during the run affects every mode alike. loadMin is the fewest requests
// a mode sends (b.N when more): short runs on a shared machine are noise.
const (
	loadRounds = 8
	loadMin    = 16000
)

// BenchmarkRecordLoad runs the same check-token load at concurrency 1, 16
// and 64 directly against the reference server ("direct"), through a bare
// httputil.ReverseProxy that records nothing ("bare"), and through the
// recording reverse proxy: "record" with the default durability (every
// interaction written to the journal before its response ends, fdatasynced
// within the sync interval) and "synced" with SyncEach (its response ends
// only once it is fdatasynced). Each mode sends b.N requests (loadMin at
// least), in loadRounds rounds taken in turn with the other modes. It reports each
// mode's throughput and latency and the ratios to bare, and prints them as
// a table; "stop-ms" is how long stopping (writing the cassette) took.
func BenchmarkRecordLoad(b *testing.B) {
	up, cr := referenceUpstream(b)
	target, _ := url.Parse(up.URL)

	bare := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:    func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
		Transport:  proxy.NewTransport(),
		BufferPool: &proxy.BufferPool{}, // as the recording proxy has
	})
	defer bare.Close()

	modes := []string{"direct", "bare", "record", "synced"}
	results := map[string]loadResult{}
	for _, c := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			base := map[string]string{"direct": up.URL, "bare": bare.URL}
			recs := map[string]*proxy.Reverse{}
			for _, mode := range []string{"record", "synced"} {
				rec, srv := recordingProxy(b, target, cassettes.Options{SyncEach: mode == "synced"})
				defer srv.Close()
				recs[mode], base[mode] = rec, srv.URL
			}
			total := max(b.N, loadMin)
			runs := map[string][]loadResult{}
			b.ResetTimer()
			for k := range loadRounds {
				n := total/loadRounds + btoi(k < total%loadRounds)
				for _, mode := range modes {
					runs[mode] = append(runs[mode], runLoad(b, base[mode], cr, c, n))
				}
			}
			b.StopTimer()
			for _, mode := range []string{"record", "synced"} {
				t0 := time.Now()
				if err := recs[mode].Close(); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, mode+"-stop-ms")
			}
			for _, mode := range modes {
				r := merge(runs[mode])
				results[fmt.Sprintf("%d/%s", c, mode)] = r
				b.ReportMetric(r.rps, mode+"-req/s")
				b.ReportMetric(float64(r.p99.Microseconds())/1000, mode+"-p99-ms")
			}
			rb := results[fmt.Sprintf("%d/bare", c)]
			for _, mode := range []string{"record", "synced"} {
				b.ReportMetric(results[fmt.Sprintf("%d/%s", c, mode)].rps/rb.rps, mode+"/bare")
			}
		})
	}
	if len(results) == 0 {
		return
	}
	fmt.Fprintf(os.Stdout, "\nBenchmarkRecordLoad summary (check-token over loopback; %d rounds, the modes in turn; ratios to the bare reverse proxy)\n", loadRounds)
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

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
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
		rec, srv := recordingProxy(b, target, cassettes.Options{})
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
