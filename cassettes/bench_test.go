package cassettes_test

import (
	"testing"
)

// BenchmarkStoreAdd measures Add (redaction, encoding, journal write and
// fsync shared by concurrent Adds) from parallel goroutines.
func BenchmarkStoreAdd(b *testing.B) {
	s := openStore(b, b.TempDir())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Add("ghes-3.8", interaction(1)); err != nil {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	s.Close()
}
