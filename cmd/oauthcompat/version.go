package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// Stamped at build time by make build and make dist (scripts/ldflags.sh):
//
//	-ldflags "-X main.version=v1.2.3 -X main.commit=... -X main.commitDate=... -X main.catalogDate=2026-11-30"
//
// Go's build information gives the module version, commit and date too
// (go install, go build in a clone); the stamps win.
var (
	version     string // the release; empty: the module version from the build info
	commit      string // the commit built from
	commitDate  string // its date
	catalogDate string // when schemas/catalog.json last changed (its last commit's date)
)

// buildInfo is what 'oauthcompat version' prints.
type buildInfo struct {
	Version     string   `json:"version"`
	Commit      string   `json:"commit,omitempty"`
	CommitDate  string   `json:"commit_date,omitempty"`
	Modified    bool     `json:"modified,omitempty"`
	Go          string   `json:"go"`
	Platform    string   `json:"platform"`
	CatalogDate string   `json:"catalog_date,omitempty"`
	Versions    int      `json:"catalog_versions"`
	Sources     []string `json:"catalog_sources"`
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

func currentBuild() buildInfo {
	b := buildInfo{Version: version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, CatalogDate: catalogDate}
	if bi, ok := readBuildInfo(); ok {
		if b.Version == "" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.time":
				b.CommitDate = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if commit != "" {
		b.Commit, b.CommitDate, b.Modified = commit, commitDate, strings.HasSuffix(version, "-dirty")
	}
	if b.Version == "" || b.Version == "(devel)" {
		b.Version = "devel"
	}
	seen := map[string]bool{}
	for _, v := range schemas.Default().Versions() {
		b.Versions++
		if !seen[v.Source] {
			seen[v.Source] = true
			b.Sources = append(b.Sources, v.Source)
		}
	}
	sort.Strings(b.Sources)
	return b
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("version", "version [--json]", `Prints the release of oauthcompat, the commit and date it was built from (from Go's build
information), the Go version and platform, and the catalog's date and sources.`, stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "version", "unexpected argument %q", fs.Arg(0))
	}
	b := currentBuild()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(b)
		return exitOK
	}
	fmt.Fprintf(stdout, "oauthcompat %s\n", b.Version)
	commit := "unknown (built without version control information)"
	if b.Commit != "" {
		commit = b.Commit
		if b.CommitDate != "" {
			commit += " of " + b.CommitDate
		}
		if b.Modified {
			commit += " (with uncommitted changes)"
		}
	}
	fmt.Fprintf(stdout, "commit:   %s\n", commit)
	fmt.Fprintf(stdout, "go:       %s %s\n", b.Go, b.Platform)
	date := b.CatalogDate
	if date == "" {
		date = "date not stamped (build with make build or make dist)"
	}
	fmt.Fprintf(stdout, "catalog:  %d versions, %s\n", b.Versions, date)
	fmt.Fprintf(stdout, "sources:  %s\n", strings.Join(b.Sources, "; "))
	return exitOK
}
