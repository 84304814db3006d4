package replay_test

import (
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/scalebench"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// BenchmarkLint lints a cassette of 5,000 interactions of the generated
// traffic make bench-scale measures (check, reset and delete calls, a mix
// of answers), with the key and without: MB/s of cassette. Each run after
// the first finds the key's pseudonyms remembered, which make bench-scale
// (200,000 interactions, 50,000 tokens) does not.
func BenchmarkLint(b *testing.B) {
	dir := b.TempDir()
	size, err := scalebench.WriteCassette(cassettes.Path(dir, "ghes-3.8", "session"), 0, 5000)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		r    *redact.Redactor
	}{{"key", redact.New(scalebench.Key, redact.Options{})}, {"nokey", nil}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				res, err := replay.LintAll(dir, replay.LintOptions{Redactor: mode.r})
				if err != nil {
					b.Fatal(err)
				}
				if res.Interactions != 5000 {
					b.Fatalf("linted %d interactions", res.Interactions)
				}
				if len(res.Findings) > 0 && mode.r != nil {
					b.Fatalf("findings on a clean cassette: %v", res.Findings[0])
				}
			}
		})
	}
}
