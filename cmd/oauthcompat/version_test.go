package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/schemas"
)

func TestVersionCommand(t *testing.T) {
	old := []string{version, commit, commitDate}
	oldRead := readBuildInfo
	t.Cleanup(func() {
		version, commit, commitDate = old[0], old[1], old[2]
		readBuildInfo = oldRead
	})
	withEnv(t, map[string]string{})
	prov := schemas.Default().Provenance()
	// Unstamped: what Go's build information says.
	version, commit, commitDate = "", "", ""
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		}}, true
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, _ := runCmd(t, args...)
		want := []string{"oauthcompat v1.4.0\n", "commit:   0123abcd of 2026-11-30T10:00:00Z (with uncommitted changes)\n",
			"catalog:  28 versions from " + prov.Source + ", pinned " + prov.Date + "\n", "@octokit/openapi@23.0.2"}
		for _, w := range want {
			if code != exitOK || !strings.Contains(stdout, w) {
				t.Errorf("%v: exit %d, output lacks %q:\n%s", args, code, w, stdout)
			}
		}
	}
	// Stamped by make: the stamps win.
	version, commit, commitDate = "v2.0.0", "feedface", "2026-12-01T08:00:00Z"
	code, stdout, _ := runCmd(t, "version", "--json")
	var b buildInfo
	if err := json.Unmarshal([]byte(stdout), &b); code != exitOK || err != nil {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	if b.Version != "v2.0.0" || b.Commit != "feedface" || b.CommitDate != "2026-12-01T08:00:00Z" || b.Modified || b.CatalogDate != prov.Date || b.Catalog != prov.Source || b.Versions != 28 || prov.Date == "" {
		t.Errorf("version --json: %+v", b)
	}
}

// TestDist builds the release binary of this platform as make dist does
// and checks the stamp and the checksum.
func TestDist(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash: make dist needs it")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "dist.sh"), out)
	platform := runtime.GOOS + "/" + runtime.GOARCH
	cmd.Env = append(os.Environ(), "VERSION=v9.9.9-test", "PLATFORMS="+platform)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, b)
	}
	name := "oauthcompat-" + runtime.GOOS + "-" + runtime.GOARCH
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(out, name)
	b, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var info buildInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	if info.Version != "v9.9.9-test" || info.Platform != platform || info.Versions != 28 {
		t.Errorf("version of the release binary: %+v", info)
	}
	if _, err := exec.LookPath("git"); err == nil && len(info.Commit) != 40 {
		t.Errorf("the release binary lacks the commit: %+v", info)
	}
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(bin)
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != want {
		t.Errorf("SHA256SUMS %q, want %q", sums, want)
	}
}
