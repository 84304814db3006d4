package catalogen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/oauthcompat/oauthcompat/internal/versionorder"
)

// Lock names every source the built-in catalog is generated from and its
// SHA-256. It is the file sources/lock.json beside this package.
type Lock struct {
	Note     string         `json:"note"`
	Locked   string         `json:"locked"` // the date the sources were pinned, YYYY-MM-DD
	Packages []*LockPackage `json:"packages"`
	Versions []*LockVersion `json:"versions"`
}

// LockPackage is an npm package holding descriptions.
type LockPackage struct {
	Name      string `json:"name"`      // "@octokit/openapi"
	Version   string `json:"version"`   // "14.0.0"
	Integrity string `json:"integrity"` // the registry's sha512 integrity string
	SHA256    string `json:"sha256"`    // of the tarball
}

// Spec is "name@version", the form npm takes.
func (p *LockPackage) Spec() string { return p.Name + "@" + p.Version }

// LockVersion is where one catalog version's facts come from: a file of an
// npm package (Package, Path), a description committed in this repository
// (Repository, Commit and Path name the upstream file; File the committed
// transcription), or another version's facts (Like), for a version whose
// description was not read.
type LockVersion struct {
	Name       string   `json:"name"`
	Package    string   `json:"package,omitempty"`    // "@octokit/openapi@14.0.0"
	Repository string   `json:"repository,omitempty"` // "github/rest-api-description"
	Commit     string   `json:"commit,omitempty"`
	Path       string   `json:"path,omitempty"` // in the package tarball or the repository
	File       string   `json:"file,omitempty"` // committed copy, relative to the lock file
	Like       string   `json:"like,omitempty"` // version whose facts this one takes
	SHA256     string   `json:"sha256,omitempty"`
	Source     string   `json:"source,omitempty"` // the catalog's one-line source; default "<package> <version>"
	Verified   *bool    `json:"verified,omitempty"`
	Facts      []string `json:"facts,omitempty"` // what was read from where, and what was inferred
}

// SourceLine is the one-line source the catalog shows for the version.
func (v *LockVersion) SourceLine() string {
	if v.Source != "" {
		return v.Source
	}
	i := strings.LastIndex(v.Package, "@") // "@octokit/openapi@14.0.0" -> "@octokit/openapi 14.0.0"
	return v.Package[:i] + " " + v.Package[i+1:]
}

// IsVerified reports whether the version's facts were read from its own
// description.
func (v *LockVersion) IsVerified() bool { return v.Verified == nil || *v.Verified }

// ReadLock reads and checks a lock file.
func ReadLock(path string) (*Lock, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read lock: %w", err)
	}
	var l Lock
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	pkgs := map[string]bool{}
	for _, p := range l.Packages {
		pkgs[p.Spec()] = true
	}
	names := map[string]*LockVersion{}
	for _, v := range l.Versions {
		if names[v.Name] != nil {
			return nil, fmt.Errorf("lock %s: version %s twice", path, v.Name)
		}
		names[v.Name] = v
		switch {
		case v.Package != "":
			if !pkgs[v.Package] {
				return nil, fmt.Errorf("lock %s: %s names package %s, which the lock does not list", path, v.Name, v.Package)
			}
			if v.Path == "" || v.SHA256 == "" {
				return nil, fmt.Errorf("lock %s: %s needs path and sha256", path, v.Name)
			}
		case v.File != "":
			if v.SHA256 == "" {
				return nil, fmt.Errorf("lock %s: %s needs sha256", path, v.Name)
			}
		case v.Like != "":
		default:
			return nil, fmt.Errorf("lock %s: %s names no package, file or like", path, v.Name)
		}
	}
	for _, v := range l.Versions {
		if v.Like != "" && (names[v.Like] == nil || names[v.Like].Like != "") {
			return nil, fmt.Errorf("lock %s: %s is like %s, which is not a version read from a source", path, v.Name, v.Like)
		}
	}
	return &l, nil
}

// Package returns the locked package spec, or nil.
func (l *Lock) Package(spec string) *LockPackage {
	for _, p := range l.Packages {
		if p.Spec() == spec {
			return p
		}
	}
	return nil
}

// Opener returns the bytes of a version's description.
type Opener func(v *LockVersion) ([]byte, error)

// ErrHashMismatch is wrapped when a source's SHA-256 is not the locked one.
var ErrHashMismatch = errors.New("SHA-256 differs from the lock")

// CacheOpener reads the descriptions of npm packages from cache, as
// DownloadSources left them (cache/<name>@<version>/<path>), and committed
// descriptions from beside the lock; each file's SHA-256 must be the
// locked one.
func CacheOpener(lockDir, cache string) Opener {
	return func(v *LockVersion) ([]byte, error) {
		var p string
		switch {
		case v.Package != "":
			p = filepath.Join(cache, filepath.FromSlash(v.Package), filepath.FromSlash(v.Path))
		case v.File != "":
			p = filepath.Join(lockDir, filepath.FromSlash(v.File))
		}
		b, err := os.ReadFile(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && v.Package != "" {
				return nil, fmt.Errorf("%s: %w (run make catalog-sources first)", v.Name, err)
			}
			return nil, fmt.Errorf("%s: %w", v.Name, err)
		}
		if got := SHA256(b); got != v.SHA256 {
			return nil, fmt.Errorf("%s: %s: %w: locked %s, found %s", v.Name, p, ErrHashMismatch, v.SHA256, got)
		}
		return b, nil
	}
}

// TrimmedOpener reads the trimmed copies of the npm descriptions from dir
// (dir/<version>.json, as [Trim] wrote them) and committed descriptions
// from beside the lock, checked against the lock.
func TrimmedOpener(lockDir, dir string) Opener {
	committed := CacheOpener(lockDir, "")
	return func(v *LockVersion) ([]byte, error) {
		if v.File != "" {
			return committed(v)
		}
		return os.ReadFile(filepath.Join(dir, v.Name+".json"))
	}
}

// SHA256 is the lower-case hex SHA-256 of b.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Generate builds the catalog from the lock's sources, in catalog order
// (GHES oldest first, then github.ae, api.github.com, ghec).
func Generate(l *Lock, open Opener) (*Catalog, *Builder, error) {
	b := NewBuilder()
	cat := &Catalog{Note: "Generated by internal/catalogen from GitHub's OpenAPI descriptions named in internal/catalogen/sources/lock.json; do not edit."}
	parsed := map[string]*Description{}
	byName := map[string]*LockVersion{}
	for _, v := range l.Versions {
		byName[v.Name] = v
	}
	descr := func(v *LockVersion) (*Description, error) {
		if d, ok := parsed[v.Name]; ok {
			return d, nil
		}
		raw, err := open(v)
		if err != nil {
			return nil, err
		}
		d, err := Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name, err)
		}
		if d.Name != "" && d.Name != v.Name {
			return nil, fmt.Errorf("%s: the description documents %s", v.Name, d.Name)
		}
		parsed[v.Name] = d
		return d, nil
	}
	names := make([]string, 0, len(l.Versions))
	for _, v := range l.Versions {
		names = append(names, v.Name)
	}
	SortVersions(names)
	for _, name := range names {
		v := byName[name]
		from := v
		if v.Like != "" {
			from = byName[v.Like]
		}
		d, err := descr(from)
		if err != nil {
			return nil, nil, err
		}
		cv, err := b.Version(name, d, v.SourceLine(), v.IsVerified())
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		cat.Versions = append(cat.Versions, cv)
	}
	return cat, b, nil
}

// SortVersions sorts version names in catalog order: GHES by release, then
// github.ae, api.github.com and ghec, then anything else by name.
func SortVersions(names []string) {
	sort.SliceStable(names, func(i, j int) bool { return versionorder.Less(names[i], names[j]) })
}
