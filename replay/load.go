package replay

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Load reads the cassettes at path, a directory (searched recursively for
// *.yaml and *.yml files) or a single cassette file, and indexes their
// interactions for replay. Cassettes recorded by oauthcompat sit at
// DIR/<version>/<name>.yaml; go-vcr v3 cassettes recorded by other tools may
// sit anywhere. Errors name the file (and line, where there is one).
func Load(path string, opts Options) (*Index, error) {
	cat := opts.Catalog
	if cat == nil {
		cat = schemas.Default()
	}
	files, notes, err := cassetteFiles(path, cat)
	if err != nil {
		return nil, err
	}
	if len(notes) > 0 && opts.Logger != nil {
		for _, n := range notes {
			opts.Logger.Info(n.Message, "file", n.File)
		}
	}
	var want *schemas.Version
	if opts.Version != "" {
		if want, err = cat.Version(opts.Version); err != nil {
			return nil, fmt.Errorf("load cassettes: %w", err)
		}
	}
	// Keep the files of the wanted version, and those in directories that
	// name no version.
	var keep []cassetteFile
	seen := map[*schemas.Version]bool{}
	for _, f := range files {
		switch {
		case f.version == nil:
		case want != nil && f.version != want:
			continue
		default:
			seen[f.version] = true
		}
		keep = append(keep, f)
	}
	if want == nil && len(seen) > 1 {
		var names []string
		for v := range seen {
			names = append(names, v.Name)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("load cassettes: %s holds %w (%s); pass a version (--version) to replay one", path, ErrSeveralVersions, strings.Join(names, ", "))
	}
	if want == nil {
		for v := range seen {
			want = v
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("%w of %s under %s; record some, or pass the version they were recorded for", ErrNoCassettes, want, path)
	}
	return build(keep, want, opts)
}

// cassetteFile is one cassette to load: where it is and the version its
// directory names (nil when none).
type cassetteFile struct {
	path    string // as found, for messages
	name    string // relative to the loaded directory, for misses
	version *schemas.Version
}

// cassetteFiles lists the cassettes to load at root: a fixture pack's
// go-vcr cassettes as its manifest lists them (see [packFiles]), else the
// cassette files below root, each with the version its directory names.
// Files in another cassette format (a VCR.py cassette, format version 1)
// are left out, each with a note saying so.
func cassetteFiles(root string, cat *schemas.Catalog) ([]cassetteFile, []Note, error) {
	if files, ok, err := packFiles(root, cat); ok || err != nil {
		return files, nil, err
	}
	paths, err := cassettes.Files(root)
	if err != nil {
		return nil, nil, err
	}
	var (
		files []cassetteFile
		notes []Note
	)
	for _, p := range paths {
		if format := otherFormat(p); format != "" {
			notes = append(notes, Note{File: p, Message: "skipped: " + format + ", not a go-vcr v3 cassette (version: 2)"})
			continue
		}
		name := filepath.Base(p)
		if rel, err := filepath.Rel(root, p); err == nil && rel != "." {
			name = filepath.ToSlash(rel)
		}
		files = append(files, cassetteFile{path: p, name: name, version: dirVersion(cat, p)})
	}
	if len(files) == 0 && len(notes) > 0 {
		return nil, notes, fmt.Errorf("load cassettes: %w under %s: its %d cassettes are in another format (%s)", cassettes.ErrNoCassettes, root, len(notes), notes[0].Message)
	}
	return files, notes, nil
}

// dirVersion is the catalog version the directory holding file names, or
// nil.
func dirVersion(cat *schemas.Catalog, file string) *schemas.Version {
	dir := filepath.Base(filepath.Dir(file))
	if dir == "." || dir == string(filepath.Separator) {
		return nil
	}
	v, err := cat.Version(dir)
	if err != nil {
		return nil
	}
	return v
}
