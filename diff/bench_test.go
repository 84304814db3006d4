package diff_test

import (
	"testing"

	"github.com/oauthcompat/oauthcompat/diff"
)

// BenchmarkDocumented measures the documented diff of ghes-3.3 → ghes-3.4
// with the flattened schemas cached (a reused Differ, as make reports does).
func BenchmarkDocumented(b *testing.B) {
	from, to := version(b, "ghes-3.3"), version(b, "ghes-3.4")
	d := diff.New(nil)
	if _, err := d.Documented(from, to); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := d.Documented(from, to); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDocumentedCold includes reading and flattening every schema
// (a fresh Differ, as one 'oauthcompat diff' run does).
func BenchmarkDocumentedCold(b *testing.B) {
	from, to := version(b, "ghes-3.3"), version(b, "ghes-3.4")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := diff.New(nil).Documented(from, to); err != nil {
			b.Fatal(err)
		}
	}
}
