// Command catalogen downloads GitHub's OpenAPI descriptions named in the
// lock file, regenerates the embedded catalog under schemas/ from them, and
// cuts the trimmed copies the tests generate from.
//
//	go run ./internal/catalogen/cmd/catalogen sources    # make catalog-sources
//	go run ./internal/catalogen/cmd/catalogen generate   # make catalog
//	go run ./internal/catalogen/cmd/catalogen trim       # make catalog-testdata
//
// Every subcommand takes -lock (internal/catalogen/sources/lock.json) and
// -cache (.cache/catalog-sources); generate takes -out (schemas) and
// -trimmed DIR to generate from trimmed copies instead of the cache; trim
// takes -out (internal/catalogen/testdata/trimmed).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/oauthcompat/oauthcompat/internal/catalogen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "catalogen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: catalogen sources|generate|trim [flags]")
	}
	fs := flag.NewFlagSet("catalogen "+args[0], flag.ContinueOnError)
	lockPath := fs.String("lock", "internal/catalogen/sources/lock.json", "the lock file naming every source and its SHA-256")
	cache := fs.String("cache", ".cache/catalog-sources", "where make catalog-sources keeps the downloaded descriptions")
	var out, trimmed *string
	switch args[0] {
	case "generate":
		out = fs.String("out", "schemas", "the catalog directory to write (catalog.json, provenance.json, json/)")
		trimmed = fs.String("trimmed", "", "generate from the trimmed copies in this directory instead of the cache")
	case "trim":
		out = fs.String("out", "internal/catalogen/testdata/trimmed", "where to write <version>.json")
	case "sources":
	default:
		return fmt.Errorf("unknown subcommand %q: use sources, generate or trim", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	l, err := catalogen.ReadLock(*lockPath)
	if err != nil {
		return err
	}
	lockDir := filepath.Dir(*lockPath)
	switch args[0] {
	case "sources":
		return catalogen.DownloadSources(ctx, l, *cache, catalogen.NPMPack, os.Stdout)
	case "generate":
		open := catalogen.CacheOpener(lockDir, *cache)
		if *trimmed != "" {
			open = catalogen.TrimmedOpener(lockDir, *trimmed)
		}
		cat, b, err := catalogen.Generate(l, open)
		if err != nil {
			return err
		}
		if err := catalogen.WriteDir(*out, cat, b.Schemas(), catalogen.LockProvenance(l)); err != nil {
			return err
		}
		fmt.Printf("wrote %s: %d versions, %d schema files\n", *out, len(cat.Versions), len(b.Schemas()))
		return nil
	case "trim":
		open := catalogen.CacheOpener(lockDir, *cache)
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		n := 0
		for _, v := range l.Versions {
			if v.Package == "" {
				continue // committed in full beside the lock
			}
			raw, err := open(v)
			if err != nil {
				return err
			}
			t, err := catalogen.Trim(raw, v.Package+" "+v.Path+" sha256:"+v.SHA256)
			if err != nil {
				return fmt.Errorf("%s: %w", v.Name, err)
			}
			if err := os.WriteFile(filepath.Join(*out, v.Name+".json"), t, 0o644); err != nil {
				return err
			}
			n++
		}
		fmt.Printf("wrote %d trimmed descriptions to %s\n", n, *out)
	}
	return nil
}
