package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/scalebench"
)

// TestUpgradeCheckMergeEqualsWhole splits a recording into rotated
// cassettes, checks each on its own (the map step) and merges the partial
// reports (the reduce step): the result is the check of the whole
// recording, byte for byte, in every format.
func TestUpgradeCheckMergeEqualsWhole(t *testing.T) {
	dir := t.TempDir()
	vdir := filepath.Join(dir, "ghes-3.8")
	bounds := []int{0, 700, 1500, 1501, 2400}
	var files []string
	for k := 0; k+1 < len(bounds); k++ {
		p := cassettes.RotatedPath(dir, "ghes-3.8", "session", k)
		if _, err := scalebench.WriteCassette(p, bounds[k], bounds[k+1]); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, to := range []string{"3.10", "3.4"} {
		var partials []string
		for k, f := range files {
			out := filepath.Join(t.TempDir(), "part.json")
			if code, _, stderr := runCmd(t, "upgrade-check", "--traffic", f, "--to", to, "--format", "json", "--out", out, "--ci", "none"); code != exitOK && code != exitFindings {
				t.Fatalf("map step %d: exit %d\n%s", k, code, stderr)
			}
			partials = append(partials, out)
		}
		for _, format := range []string{"json", "md", "html"} {
			wcode, whole, stderr := runCmd(t, "upgrade-check", "--traffic", vdir, "--to", to, "--format", format, "--ci", "none")
			if wcode != exitOK && wcode != exitFindings {
				t.Fatalf("whole: exit %d\n%s", wcode, stderr)
			}
			mcode, merged, stderr := runCmd(t, append([]string{"upgrade-check", "--merge", "--format", format, "--ci", "none"}, partials...)...)
			if mcode != wcode {
				t.Fatalf("merge: exit %d, the whole %d\n%s", mcode, wcode, stderr)
			}
			if merged != whole {
				t.Errorf("to %s, %s: the merge of the partials is not the check of the whole:\n--- whole\n%s\n--- merged\n%s", to, format, whole, merged)
			}
			if format == "json" && !strings.Contains(whole, `"traffic"`) {
				t.Errorf("the report carries no summary by operation:\n%s", whole)
			}
		}
	}
	// The parts must be checks of the same versions.
	other := filepath.Join(t.TempDir(), "other.json")
	runCmd(t, "upgrade-check", "--traffic", files[0], "--to", "3.4", "--format", "json", "--out", other, "--ci", "none")
	third := filepath.Join(t.TempDir(), "third.json")
	runCmd(t, "upgrade-check", "--traffic", files[1], "--to", "3.10", "--format", "json", "--out", third, "--ci", "none")
	if code, _, stderr := runCmd(t, "upgrade-check", "--merge", other, third); code != exitUsage || !strings.Contains(stderr, "one version") {
		t.Errorf("merging checks to different versions: exit %d\n%s", code, stderr)
	}
	os.WriteFile(other, []byte("not json"), 0o644)
	if code, _, stderr := runCmd(t, "upgrade-check", "--merge", other); code != exitUsage || !strings.Contains(stderr, "JSON report") {
		t.Errorf("merging a file that is not a report: exit %d\n%s", code, stderr)
	}
}
