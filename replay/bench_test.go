package replay_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// benchBody is a realistic check-token answer.
const benchBody = `{"id":1,"url":"https://ghes.example.com/api/v3/authorizations/1","app":{"client_id":"Iv1.8a61f9b3a7aba766","name":"Octo CLI","url":"https://octo-cli.example.com"},"token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","hashed_token":"25f94a2a5c7fbaf499c665bc73d67c1c87e496da8985131633ee0a95819db2e8","token_last_eight":"7Ae178B4a","note":null,"note_url":null,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","scopes":["repo","user"],"fingerprint":null,"expires_at":null,"user":{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://ghes.example.com/avatars/u/1","type":"User","site_admin":false}}`

// benchInteractions makes n check-token interactions, each for another
// app, so each is its own key.
func benchInteractions(n int) []*cassette.Interaction {
	its := make([]*cassette.Interaction, n)
	for i := range its {
		cid := fmt.Sprintf("Iv1.%016x", i)
		its[i] = &cassette.Interaction{
			Request: cassette.Request{
				Method: "POST",
				URL:    "https://ghes.example.com/api/v3/applications/" + cid + "/token",
				Body:   `{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`,
				Headers: http.Header{
					"Authorization":           {basic(cid, "0000000000000000000000000000000000000000")},
					"Content-Type":            {"application/json"},
					"Accept":                  {"application/vnd.github+json"},
					"User-Agent":              {"go-github/v68.0.0"},
					cassettes.OperationHeader: {"apps/check-token"},
				},
			},
			Response: cassette.Response{
				Body: benchBody,
				Headers: http.Header{
					"Content-Type":                {"application/json; charset=utf-8"},
					"Etag":                        {`W/"5f0c6f1a0e3b"`},
					"X-Github-Enterprise-Version": {"3.8.0"},
					"X-Github-Media-Type":         {"github.v3; format=json"},
					"X-Github-Request-Id":         {"0400:1F2E:3D4C:5B6A:" + strconv.Itoa(i)},
					"Cache-Control":               {"private, max-age=60, s-maxage=60"},
					"Vary":                        {"Accept, Authorization, Cookie, X-GitHub-OTP"},
				},
				Status: "200 OK",
				Code:   200,
			},
		}
	}
	return its
}

// writeBenchDir writes n interactions into files cassettes under
// dir/ghes-3.8.
func writeBenchDir(tb testing.TB, dir string, n, files int) {
	tb.Helper()
	its := benchInteractions(n)
	per := (n + files - 1) / files
	for f := 0; f < files; f++ {
		part := its[min(f*per, n):min((f+1)*per, n)]
		data, err := cassettes.Marshal(part)
		if err != nil {
			tb.Fatal(err)
		}
		path := cassettes.Path(dir, "ghes-3.8", fmt.Sprintf("session-%03d", f))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// serve runs h on a loopback listener until the benchmark ends.
func serve(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	srv := &http.Server{Handler: h}
	go func() { defer close(done); srv.Serve(ln) }()
	b.Cleanup(func() {
		cancel()
		srv.Shutdown(ctx)
		<-done
	})
	return "http://" + ln.Addr().String()
}

// load sends n requests from conc goroutines over keep-alive connections
// and returns the throughput and the 99th percentile latency.
func load(b *testing.B, client *http.Client, url, auth string, n, conc int) (perSec float64, p99 time.Duration) {
	lat := make([][]time.Duration, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for g := 0; g < conc; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; i < n; i += conc {
				t0 := time.Now()
				req, _ := http.NewRequest("POST", url, strings.NewReader(`{"access_token": "gho_RealRealRealRealRealRealRealRealReal"}`))
				req.Header.Set("Authorization", auth)
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
				lat[g] = append(lat[g], time.Since(t0))
			}
		}(g)
	}
	wg.Wait()
	el := time.Since(start)
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return 0, 0
	}
	slices.Sort(all)
	return float64(len(all)) / el.Seconds(), all[len(all)*99/100]
}

// BenchmarkReplay measures replay throughput and p99 latency over loopback
// at concurrency 16, next to a bare net/http handler writing the same
// status, headers and body bytes, in the same run, with 10 and with 1,000
// interactions loaded. The two alternate in rounds so drift hits both.
func BenchmarkReplay(b *testing.B) {
	const conc = 16
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("interactions=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			writeBenchDir(b, dir, n, 1)
			ix, err := replay.Load(dir, replay.Options{})
			if err != nil {
				b.Fatal(err)
			}
			its := benchInteractions(n)
			target := its[n/2]
			replayURL := serve(b, ix)
			bare := serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				h := w.Header()
				for k, vs := range target.Response.Headers {
					h[k] = vs
				}
				h["Content-Length"] = []string{strconv.Itoa(len(target.Response.Body))}
				w.WriteHeader(200)
				io.WriteString(w, target.Response.Body)
			}))
			path := strings.TrimPrefix(target.Request.URL, "https://ghes.example.com")
			auth := basic(fmt.Sprintf("Iv1.%016x", n/2), "c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b")
			tr := &http.Transport{MaxIdleConns: 2 * conc, MaxIdleConnsPerHost: 2 * conc}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			load(b, client, replayURL+path, auth, 200, conc) // warm up connections
			load(b, client, bare+path, auth, 200, conc)
			b.ResetTimer()
			var rSum, bSum float64
			var rP99, bP99 time.Duration
			const rounds = 4
			per := max(b.N/rounds, conc)
			for r := 0; r < rounds; r++ {
				bs, bp := load(b, client, bare+path, auth, per, conc)
				rs, rp := load(b, client, replayURL+path, auth, per, conc)
				bSum, rSum = bSum+bs, rSum+rs
				bP99, rP99 = max(bP99, bp), max(rP99, rp)
			}
			b.StopTimer()
			b.ReportMetric(rSum/rounds, "replay-req/s")
			b.ReportMetric(bSum/rounds, "bare-req/s")
			b.ReportMetric(100*rSum/bSum, "replay/bare-%")
			b.ReportMetric(float64(rP99.Microseconds()), "replay-p99-µs")
			b.ReportMetric(float64(bP99.Microseconds()), "bare-p99-µs")
			if m := ix.Misses(); len(m) > 0 {
				b.Fatalf("misses: %s", m[0].Message)
			}
		})
	}
}

// benchKey is the redaction key of the benchmarks' recordings.
var benchKey = []byte("0123456789abcdef0123456789abcdef")

// BenchmarkLoad measures loading a directory of 10,000 interactions, in
// one cassette and in 10, by shape and with the redaction key (each
// recorded request is redacted again as it is read).
func BenchmarkLoad(b *testing.B) {
	for _, c := range []struct {
		files int
		key   bool
	}{{1, false}, {10, false}, {1, true}} {
		name := fmt.Sprintf("interactions=10000/files=%d", c.files)
		if c.key {
			name += "/key"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			var opts replay.Options
			if c.key {
				// Recorded with the key, as the recorder writes it: each
				// secret is a pseudonym, which the load finds a fixed point.
				opts.Redactor = redact.New(benchKey, redact.Options{})
				its := benchInteractions(10000)
				for _, it := range its {
					opts.Redactor.Interaction(it)
				}
				data, err := cassettes.Marshal(its)
				if err != nil {
					b.Fatal(err)
				}
				writeFile(b, cassettes.Path(dir, "ghes-3.8", "session"), data)
			} else {
				writeBenchDir(b, dir, 10000, c.files)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ix, err := replay.Load(dir, opts)
				if err != nil {
					b.Fatal(err)
				}
				if ix.Len() != 10000 {
					b.Fatalf("loaded %d interactions", ix.Len())
				}
			}
		})
	}
}

// BenchmarkMatch measures the lookup alone (no HTTP), by shape, with 10
// and 10,000 interactions loaded.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{10, 10000} {
		dir := b.TempDir()
		writeBenchDir(b, dir, n, 1)
		ix, err := replay.Load(dir, replay.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("interactions=%d", n), func(b *testing.B) {
			benchLookups(b, ix, "http://replay", n, "gho_RealRealRealRealRealRealRealRealReal", "x")
		})
	}
}

// benchLookups looks up b.N check-token requests for the n/2-th app of
// benchInteractions, sent to base with token and the client secret.
func benchLookups(b *testing.B, ix *replay.Index, base string, n int, token, secret string) {
	cid := fmt.Sprintf("Iv1.%016x", n/2)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", base+"/api/v3/applications/"+cid+"/token", strings.NewReader(`{"access_token": "`+token+`"}`))
		req.Header.Set("Authorization", basic(cid, secret))
		resp, err := ix.Lookup(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

// BenchmarkMatchWithKey measures the lookup alone with the redaction key:
// the live request is pseudonymised as at record time, and the answer,
// which holds the pseudonym of the token sent, is re-hydrated.
func BenchmarkMatchWithKey(b *testing.B) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	r := redact.New(key, redact.Options{})
	const realToken = "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"
	for _, n := range []int{10, 10000} {
		its := benchInteractions(n)
		for _, it := range its {
			it.Request.Body = `{"access_token":"` + realToken + `"}`
			it.Response.Body = strings.ReplaceAll(benchBody, "gho_16C7e42F292c6912E7710c838347Ae178B4a", realToken)
			r.Interaction(it)
		}
		data, err := cassettes.Marshal(its)
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		path := cassettes.Path(dir, "ghes-3.8", "session")
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		ix, err := replay.Load(dir, replay.Options{Redactor: redact.New(key, redact.Options{})})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("interactions=%d", n), func(b *testing.B) {
			benchLookups(b, ix, "https://ghes.example.com", n, realToken, "0000000000000000000000000000000000000000")
		})
	}
}
