package catalogen

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/oauthcompat/oauthcompat/internal/versionorder"
)

// ImportOptions configures [Import].
type ImportOptions struct {
	// Name is the version to file the description under ("ghes-3.20"); ""
	// takes the one the description names.
	Name string
	// File is the description's path, recorded in the provenance.
	File string
	// Now stamps the import; zero means time.Now.
	Now time.Time
	// Known names the schema files of the built-in catalog. A schema is
	// named after the first operation that stores it, so without them an
	// import could give a built-in schema another name; with them it keeps
	// the built-in name.
	Known []string
}

// ErrNoName is wrapped when neither the description nor the options name
// the version.
var ErrNoName = errors.New("the description does not say which version it documents")

// ErrBadName is wrapped when the version name is not one GitHub uses.
var ErrBadName = errors.New("not a GitHub version name")

// Import converts the OAuth operations of one description (bundled or
// dereferenced) exactly as the built-in catalog is generated, and adds the
// version to the catalog overlay in dir, replacing a version of the same
// name; dir and its files are created as needed. It returns the version
// and its origin.
func Import(description []byte, dir string, opts ImportOptions) (*Version, *Origin, error) {
	d, err := Parse(description)
	if err != nil {
		return nil, nil, err
	}
	name := opts.Name
	if name == "" {
		name = d.Name
	}
	if name == "" {
		return nil, nil, fmt.Errorf("%w (no info.x-github-plan, no enterprise-server@ documentation link, no api.github.com server); pass --name, e.g. --name ghes-3.20", ErrNoName)
	}
	if !versionorder.Valid(name) {
		return nil, nil, fmt.Errorf("version name %q: %w; use ghes-X.Y (or X.Y), github.ae, api.github.com or ghec, e.g. ghes-3.20", name, ErrBadName)
	}
	cat, files, prov, err := ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read the existing overlay in %s: %w", dir, err)
	}
	b := NewBuilder()
	for _, n := range opts.Known {
		b.name(n)
	}
	for n, data := range files {
		b.data[n] = data
		b.name(n)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	sum := SHA256(description)
	src := fmt.Sprintf("imported from %s (sha256 %s)", filepath.Base(opts.File), sum[:12])
	v, err := b.Version(name, d, src, true)
	if err != nil {
		return nil, nil, err
	}
	format := "dereferenced"
	for _, o := range d.ops {
		if bytes.Contains(o.body, []byte(`"$ref"`)) {
			format = "bundled"
			break
		}
	}
	abs, err := filepath.Abs(opts.File)
	if err != nil {
		abs = opts.File
	}
	origin := &Origin{Name: name, Imported: true, File: abs, SHA256: sum, Format: format, Date: now.UTC().Format(time.RFC3339)}
	if d.Name != "" && d.Name != name {
		origin.Facts = append(origin.Facts, fmt.Sprintf("the description documents %s; imported as %s", d.Name, name))
	}
	replace := func(vs []*Version) []*Version {
		out := vs[:0]
		for _, x := range vs {
			if x.Name != name {
				out = append(out, x)
			}
		}
		return append(out, v)
	}
	cat.Versions = replace(cat.Versions)
	names := make([]string, len(cat.Versions))
	by := map[string]*Version{}
	for i, x := range cat.Versions {
		names[i], by[x.Name] = x.Name, x
	}
	SortVersions(names)
	for i, n := range names {
		cat.Versions[i] = by[n]
	}
	cat.Note = "A catalog overlay written by 'oauthcompat catalog import'; use it with --catalog or OAUTHCOMPAT_CATALOG."
	var origins []*Origin
	for _, o := range prov.Versions {
		if o.Name != name {
			origins = append(origins, o)
		}
	}
	prov.Versions = append(origins, origin)
	prov.Note = "Where each imported version comes from: the file, its SHA-256 and the date of the import."
	prov.Date = now.UTC().Format("2006-01-02")
	used, err := usedSchemas(cat, b.data)
	if err != nil {
		return nil, nil, fmt.Errorf("overlay %s: %w", dir, err)
	}
	if err := WriteDir(dir, cat, used, prov); err != nil {
		return nil, nil, err
	}
	return v, origin, nil
}
