//go:build scale

package scalebench

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

func TestTmpGen(t *testing.T) {
	if _, err := os.Stat("/tmp/i17r/big/ghes-3.8/session.yaml"); err == nil {
		return
	}
	n, err := WriteCassette("/tmp/i17r/big/ghes-3.8/session.yaml", 0, 200000)
	t.Log(n, err)
}

func BenchmarkTmpLoad(b *testing.B) {
	for range b.N {
		runtime.GC()
		debug.FreeOSMemory()
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		before := status("VmRSS")
		t0 := time.Now()
		opts := replay.Options{}
		if os.Getenv("KEY") != "" {
			opts.Redactor = redact.New(Key, redact.Options{})
		}
		ix, err := replay.Load("/tmp/i17r/big", opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "ready-s")
		b.ReportMetric(status("VmHWM")-before, "peak-rss-MB")
		runtime.KeepAlive(ix)
	}
}
