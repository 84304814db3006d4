package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// Stamped at build time by make build and make dist (scripts/ldflags.sh):
//
//	-ldflags "-X main.version=v1.2.3 -X main.commit=... -X main.commitDate=..."
//
// Go's build information gives the module version, commit and date too
// (go install, go build in a clone); the stamps win.
var (
	version    string // the release; empty: the module version from the build info
	commit     string // the commit built from
	commitDate string // its date
)

// buildInfo is what 'oauthcompat version' prints.
type buildInfo struct {
	Version     string   `json:"version"`
	Commit      string   `json:"commit,omitempty"`
	CommitDate  string   `json:"commit_date,omitempty"`
	Modified    bool     `json:"modified,omitempty"`
	Go          string   `json:"go"`
	Platform    string   `json:"platform"`
	Catalog     string   `json:"catalog_source"` // the descriptions the built-in catalog is generated from
	CatalogDate string   `json:"catalog_date"`   // when they were pinned
	Versions    int      `json:"catalog_versions"`
	Overlay     string   `json:"catalog_overlay,omitempty"`
	Imported    []string `json:"catalog_imported,omitempty"` // versions the overlay adds, and where from
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

func currentBuild(cat *schemas.Catalog) buildInfo {
	prov := cat.Provenance()
	b := buildInfo{Version: version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Catalog: prov.Source, CatalogDate: prov.Date, Versions: len(cat.Versions()), Overlay: prov.Overlay}
	for _, o := range prov.Imported {
		b.Imported = append(b.Imported, o.Name+": "+o.String())
	}
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
	return b
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("version", "version [--json] [--catalog DIR]", `Prints the release of oauthcompat, the commit and date it was built from (from Go's build
information), the Go version and platform, and where the catalog comes from and when its
sources were pinned (with --catalog, also the versions the overlay imports).`, stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	catOpt := withCatalog(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "version", "unexpected argument %q", fs.Arg(0))
	}
	cat, code, ok := catOpt.get(stderr, "version")
	if !ok {
		return code
	}
	b := currentBuild(cat)
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
	fmt.Fprintf(stdout, "catalog:  %d versions from %s, pinned %s\n", b.Versions, b.Catalog, b.CatalogDate)
	if b.Overlay != "" {
		fmt.Fprintf(stdout, "overlay:  %s\n", b.Overlay)
		for _, i := range b.Imported {
			fmt.Fprintf(stdout, "          %s\n", i)
		}
	}
	return exitOK
}
