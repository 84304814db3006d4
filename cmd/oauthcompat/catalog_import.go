package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/oauthcompat/oauthcompat/internal/catalogen"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

const catalogImportAbout = `Adds a GitHub version to a catalog overlay from GitHub's official OpenAPI description of it,
so that a version published after this release of oauthcompat can be served, recorded,
replayed, checked and diffed the day its description is out.

FILE is the description in either published form: descriptions/<version>/<version>.json of
github/rest-api-description (bundled, $refs into components), its dereferenced variant
(dereferenced/<version>.deref.json), or generated/<version>.json of the @octokit/openapi npm
package. The OAuth application and authorization operations are kept and their schemas
converted exactly as the built-in catalog's are. The version is named after the file's info
and documentation links unless --name is given. DIR is created if missing; importing into a
DIR that holds an overlay adds the version, or replaces one of the same name.

Use the overlay with --catalog DIR, or OAUTHCOMPAT_CATALOG=DIR, on any command that takes
--version. Exit codes: 0 imported, 2 the file is not a usable description (the message says
what is missing) or a flag is wrong, 3 DIR could not be written.`

func runCatalogImport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("catalog import", "catalog import --description FILE [--name V] --out DIR", catalogImportAbout, stderr)
	file := fs.String("description", "", "the OpenAPI description to import (JSON, bundled or dereferenced) (required)")
	name := fs.String("name", "", "the version to file it under, e.g. ghes-3.20 or 3.20 (default: the version the description names)")
	out := fs.String("out", "", "the catalog overlay directory to write (required)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "catalog import", "unexpected argument %q", fs.Arg(0))
	}
	if *file == "" || *out == "" {
		return usageError(stderr, "catalog import", "--description and --out are required")
	}
	if code, ok := missing(stderr, "catalog import", "--description", *file); !ok {
		return code
	}
	b, err := os.ReadFile(*file)
	if err != nil {
		return usageError(stderr, "catalog import", "--description: %v", err)
	}
	canonical := ""
	if *name != "" {
		canonical = schemas.Canonical(*name)
	}
	v, origin, err := catalogen.Import(b, *out, catalogen.ImportOptions{Name: canonical, File: *file, Known: schemas.Default().SchemaNames()})
	switch {
	case errors.Is(err, catalogen.ErrNotDescription), errors.Is(err, catalogen.ErrNoName):
		return usageError(stderr, "catalog import", "%s: %v", *file, err)
	case errors.Is(err, catalogen.ErrBadName) && *name != "":
		return usageError(stderr, "catalog import", "--name: %v", err)
	case errors.Is(err, catalogen.ErrBadName):
		return usageError(stderr, "catalog import", "%s names a version that is not a GitHub version name (%v): pass --name", *file, err)
	case err != nil:
		return failure(stderr, "catalog import", err)
	}
	cat, err := schemas.LoadOverlay(*out)
	if err == nil {
		err = cat.CompileAll()
	}
	if err != nil {
		return failure(stderr, "catalog import", fmt.Errorf("the overlay written to %s does not load: %w", *out, err))
	}
	sv, err := cat.Version(v.Name)
	if err != nil {
		return failure(stderr, "catalog import", err)
	}
	families := map[string]int{}
	for _, op := range v.Operations {
		families[op.Family]++
	}
	var fam []string
	for f, n := range families {
		fam = append(fam, fmt.Sprintf("%s %d", f, n))
	}
	sort.Strings(fam)
	fmt.Fprintf(stdout, "imported %s from %s (%s description, sha256 %s): %d operations (%s)\n",
		v.Name, *file, origin.Format, origin.SHA256, len(v.Operations), strings.Join(fam, ", "))
	for _, f := range origin.Facts {
		fmt.Fprintf(stdout, "  %s\n", f)
	}
	if _, err := reference.New(sv, reference.DefaultFixtures()); err != nil {
		fmt.Fprintf(stderr, "warning: the reference server cannot stand in for %s, so 'serve --version %s' will refuse it:\n  %v\n", v.Name, v.Name, err)
	}
	fmt.Fprintf(stdout, "use it with --catalog %s (or %s=%s), e.g. oauthcompat serve --version %s --catalog %s\n", *out, envCatalog, *out, v.Name, *out)
	return exitOK
}
