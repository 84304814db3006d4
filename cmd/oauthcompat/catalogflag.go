package main

import (
	"flag"
	"io"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// envCatalog names the catalog overlay directory when --catalog is not given.
const envCatalog = "OAUTHCOMPAT_CATALOG"

// catalogOption is the --catalog flag every command that takes --version
// has: a catalog overlay ('oauthcompat catalog import') whose versions
// work like built-in ones.
type catalogOption struct{ dir *string }

// withCatalog adds --catalog DIR to fs.
func withCatalog(fs *flag.FlagSet) catalogOption {
	return catalogOption{fs.String("catalog", "", "a catalog overlay directory written by 'oauthcompat catalog import', adding the versions imported into it (default $"+envCatalog+")")}
}

// get returns the built-in catalog, with the overlay when --catalog or
// $OAUTHCOMPAT_CATALOG names one. ok is false, with a usage error printed,
// when the overlay cannot be loaded.
func (o catalogOption) get(stderr io.Writer, name string) (cat *schemas.Catalog, code int, ok bool) {
	dir, from := *o.dir, "--catalog"
	if dir == "" {
		dir, from = getenv(envCatalog), envCatalog
	}
	if dir == "" {
		return schemas.Default(), exitOK, true
	}
	cat, err := schemas.LoadOverlay(dir)
	if err != nil {
		return nil, usageError(stderr, name, "%s: %v", from, err), false
	}
	return cat, exitOK, true
}
