//go:build scale

package scalebench

import (
	"bufio"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/diff"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
	"github.com/oauthcompat/oauthcompat/schemas"
)

var (
	total   = flag.Int("scale.n", 200_000, "interactions in the generated recording")
	session = flag.Int("scale.session", 20_000, "interactions recorded by the session that stops")
	loads   = flag.Int("scale.loads", 3, "loads of the recording per replay figure (the median is reported)")
)

// data is the generated recording, made once: DIR/ghes-3.8/session.yaml.
var data struct {
	once sync.Once
	dir  string
	size int64
	err  error
}

func recording(b *testing.B) (string, int64) {
	data.once.Do(func() {
		data.dir, data.err = os.MkdirTemp("", "oauthcompat-scale-")
		if data.err == nil {
			data.size, data.err = WriteCassette(cassettes.Path(data.dir, "ghes-3.8", "session"), 0, *total)
		}
	})
	if data.err != nil {
		b.Fatal(data.err)
	}
	return data.dir, data.size
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if data.dir != "" {
		os.RemoveAll(data.dir)
	}
	os.Exit(code)
}

// resetPeak returns memory to the system and resets the process's peak
// resident set (VmHWM), so that peakMB measures what follows.
func resetPeak(b *testing.B) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("the peak resident set cannot be reset (%v): the figure includes what came before", err)
	}
}

// status reads a field of /proc/self/status in MB.
func status(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}

const mb = 1 << 20

// cpuTime is the processor time (user and system) the process used so
// far, or 0 where it cannot be read.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScaleStop measures stopping a recording of -scale.session
// interactions appended to a cassette of -scale.n.
func BenchmarkScaleStop(b *testing.B) {
	red := redact.New(Key, redact.Options{})
	for range b.N {
		b.StopTimer()
		dir, err := os.MkdirTemp("", "oauthcompat-scale-stop-")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := WriteCassette(cassettes.Path(dir, "ghes-3.8", "session"), 0, *total); err != nil {
			b.Fatal(err)
		}
		s, err := cassettes.OpenStore(dir, "session", red)
		if err != nil {
			b.Fatal(err)
		}
		for i := *total; i < *total+*session; i++ {
			if err := s.Add("ghes-3.8", Interaction(i)); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		t0 := time.Now()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "stop-s")
		b.StopTimer()
		os.RemoveAll(dir)
	}
}

// BenchmarkScaleReplayReady measures loading the recording for replay,
// without and with the redaction key: the time until it answers, and the
// resident memory that takes (at its peak during the load, and after it)
// next to the cassette's size.
func BenchmarkScaleReplayReady(b *testing.B) {
	b.Run("no-key", func(b *testing.B) { replayReady(b, func() replay.Options { return replay.Options{} }) })
	// With the redaction key, each request is pseudonymised as it is read.
	b.Run("key", func(b *testing.B) {
		replayReady(b, func() replay.Options { return replay.Options{Redactor: redact.New(Key, redact.Options{})} })
	})
}

func replayReady(b *testing.B, opts func() replay.Options) {
	dir, size := recording(b)
	for range b.N {
		// The machine's noise moves one load's figures by a fifth: each
		// figure is the median of several loads, each with a redactor of
		// its own (nothing it remembers carries over), and the slowest
		// ready time is reported too.
		var ready, cpu, free, peak []float64
		var live, rss float64
		for range *loads {
			resetPeak(b)
			before := status("VmRSS")
			cpu0 := cpuTime()
			t0 := time.Now()
			ix, err := replay.Load(dir, opts())
			if err != nil {
				b.Fatal(err)
			}
			// Ready: the replay command announces its address now.
			ready = append(ready, time.Since(t0).Seconds())
			// What the load cost in processor time, which a busy
			// machine changes less than the time until ready.
			cpu = append(cpu, (cpuTime() - cpu0).Seconds())
			// The command then returns what the load no longer needs to
			// the system, while it serves; the resident figures are
			// after that.
			t1 := time.Now()
			debug.FreeOSMemory()
			free = append(free, time.Since(t1).Seconds())
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			live, rss = float64(ms.HeapAlloc)/mb, status("VmRSS")-before
			peak = append(peak, status("VmHWM")-before)
			runtime.KeepAlive(ix)
		}
		b.ReportMetric(median(ready), "ready-s")
		b.ReportMetric(slices.Max(ready), "ready-max-s")
		b.ReportMetric(median(cpu), "cpu-s")
		b.ReportMetric(median(free), "free-s")
		b.ReportMetric(live, "live-heap-MB")
		b.ReportMetric(rss, "rss-MB")
		b.ReportMetric(slices.Max(peak), "peak-rss-MB")
		b.ReportMetric(float64(size)/mb, "cassette-MB")
	}
}

// median returns the middle of xs (the upper one of an even count).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

// BenchmarkScaleLookup measures a lookup in the loaded recording (the
// same request many times, as a client repeating a call: the sequence of
// identical requests repeats its last answer), with the redaction key as replay uses it.
// ns/lookup is the figure; compare with -scale.n 10.
func BenchmarkScaleLookup(b *testing.B) {
	dir, _ := recording(b)
	ix, err := replay.Load(dir, replay.Options{Redactor: redact.New(Key, redact.Options{})})
	if err != nil {
		b.Fatal(err)
	}
	in := Interaction(*total / 2)
	const lookups = 20_000
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	for range b.N * lookups {
		req, _ := http.NewRequest(in.Request.Method, in.Request.URL, strings.NewReader(in.Request.Body))
		req.Header = in.Request.Headers.Clone()
		resp, err := ix.Lookup(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(time.Since(t0).Nanoseconds())/float64(b.N*lookups), "ns/lookup")
}

// throughput runs fn over the recording and reports MB/s of cassette and
// the peak resident memory.
func throughput(b *testing.B, fn func(dir string) error) {
	dir, size := recording(b)
	b.SetBytes(size)
	b.ResetTimer() // the recording is made once, by whichever benchmark runs first
	for range b.N {
		resetPeak(b)
		before := status("VmRSS")
		if err := fn(dir); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(status("VmHWM")-before, "peak-rss-MB")
	}
}

// BenchmarkScaleLint measures cassette lint over the recording.
func BenchmarkScaleLint(b *testing.B) {
	throughput(b, func(dir string) error {
		r, err := replay.LintAll(dir, replay.LintOptions{Redactor: redact.New(Key, redact.Options{})})
		if err == nil && r.Interactions != *total {
			err = fmt.Errorf("linted %d interactions", r.Interactions)
		}
		return err
	})
}

// BenchmarkScaleDiff measures diff --from-cassettes of the recording with
// itself (each side is read once).
func BenchmarkScaleDiff(b *testing.B) {
	throughput(b, func(dir string) error {
		d := diff.New(schemas.Default())
		from, err := d.LoadRecording(dir)
		if err != nil {
			return err
		}
		_, err = d.Observed(from, from)
		return err
	})
}

// BenchmarkScaleUpgradeCheck measures upgrade-check --traffic over the
// recording.
func BenchmarkScaleUpgradeCheck(b *testing.B) {
	throughput(b, func(dir string) error {
		d := diff.New(schemas.Default())
		rec, err := d.LoadRecording(dir)
		if err != nil {
			return err
		}
		to, err := d.Catalog().Version("3.10")
		if err != nil {
			return err
		}
		_, err = d.UpgradeCheck(rec, nil, to)
		return err
	})
}
