package versionorder

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLess(t *testing.T) {
	want := []string{"ghes-2.18", "ghes-3.2", "ghes-3.10", "ghes-3.19", "ghes-3.20", "ghes-4.0", "github.ae", "api.github.com", "ghec", "ghes-next", "zzz"}
	got := []string{"zzz", "ghec", "ghes-3.20", "api.github.com", "ghes-3.10", "ghes-next", "github.ae", "ghes-4.0", "ghes-3.2", "ghes-3.19", "ghes-2.18"}
	sort.Slice(got, func(i, j int) bool { return Less(got[i], got[j]) })
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
}

func TestValid(t *testing.T) {
	for n, want := range map[string]bool{
		"ghes-3.20": true, "ghes-2.18": true, "ghes-10.0": true, "github.ae": true, "api.github.com": true, "ghec": true,
		"": false, "foo": false, "ghes-3": false, "ghes-3.20.1": false, "ghes-03.2": false, "ghes-next": false,
		"../ghes-3.20": false, "ghes-3.20/x": false, `ghes-3.20\x`: false, "..": false, "GHES-3.20": false,
	} {
		if got := Valid(n); got != want {
			t.Errorf("Valid(%q) = %v, want %v", n, got, want)
		}
	}
}
