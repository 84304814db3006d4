package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/replay"
)

// BenchmarkSuiteLive runs the whole suite for ghes-3.8 against the
// reference server on loopback. Each iteration gets a fresh server, since
// the suite uses tokens up; making the server is outside the timer.
func BenchmarkSuiteLive(b *testing.B) {
	v := version(b, "ghes-3.8")
	f := reference.DefaultFixtures()
	creds := fixtureCreds(f)
	client := &http.Client{}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv, err := reference.New(v, f)
		if err != nil {
			b.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		b.StartTimer()
		rep, err := conformance.Run(context.Background(), conformance.Config{Version: v, BaseURL: ts.URL, Client: client, Credentials: creds, Nonce: "bench"})
		b.StopTimer()
		ts.Close()
		if err != nil || rep.Failed() {
			b.Fatalf("run: %v %v", err, rep != nil && rep.Failed())
		}
		b.ReportMetric(float64(len(rep.Cases)), "cases/op")
		b.StartTimer()
	}
}

// BenchmarkSuiteReplay runs the same suite from the cassette a recorded
// run left, with no server: the replay index answers in process. Loading
// the cassette is outside the timer, as a fresh index per iteration is
// needed (a replay consumes its sequences).
func BenchmarkSuiteReplay(b *testing.B) {
	v := version(b, "ghes-3.8")
	f := reference.DefaultFixtures()
	creds := fixtureCreds(f)
	ts := reference.NewTestServer(b, v.Name, f)
	dir := b.TempDir()
	record(b, v, ts.URL, dir, creds)
	red := redact.New(testKey, redact.Options{})
	path := filepath.Join(dir, v.Name, "conform.yaml")
	same := func(a, c string) bool { return red.Token(a) == red.Token(c) }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ix, err := replay.Load(path, replay.Options{Version: v.Name, Redactor: red, Exhausted: replay.ExhaustedError})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := conformance.Run(context.Background(), conformance.Config{Version: v, BaseURL: ts.URL, Client: &http.Client{Transport: ix},
			Credentials: creds, Nonce: "t1", Mode: "replay", SameToken: same})
		if err != nil || rep.Failed() {
			b.Fatalf("replay: %v", err)
		}
	}
}
