package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/oauthcompat/oauthcompat/internal/versionorder"
)

// ErrNoOverlay is wrapped by [LoadOverlay] when dir holds no catalog.
var ErrNoOverlay = errors.New("not a catalog overlay")

// Origin says where one version's facts come from: a file of an npm
// package, a description committed in oauthcompat's repository, another
// version's facts, or a description imported with 'oauthcompat catalog
// import'.
type Origin struct {
	Name       string   `json:"name"`
	Imported   bool     `json:"imported,omitempty"`
	Package    string   `json:"package,omitempty"`    // "@octokit/openapi@14.0.0"
	Repository string   `json:"repository,omitempty"` // "github/rest-api-description"
	Commit     string   `json:"commit,omitempty"`
	Path       string   `json:"path,omitempty"` // in the package or repository
	File       string   `json:"file,omitempty"` // the committed copy, or the file imported
	Like       string   `json:"like,omitempty"` // the version whose facts it takes
	SHA256     string   `json:"sha256,omitempty"`
	Format     string   `json:"format,omitempty"` // of an imported file: "bundled" or "dereferenced"
	Date       string   `json:"date,omitempty"`   // of the import
	Facts      []string `json:"facts,omitempty"`  // what was read from where, what was inferred
}

// String says where the facts come from in one line.
func (o *Origin) String() string {
	var s string
	switch {
	case o.Imported:
		s = fmt.Sprintf("imported from %s (%s description, sha256 %s) on %s", o.File, o.Format, o.SHA256, o.Date)
	case o.Package != "":
		s = fmt.Sprintf("npm %s %s (sha256 %s)", o.Package, o.Path, o.SHA256)
	case o.Repository != "":
		s = fmt.Sprintf("%s %s at %s, transcribed in internal/catalogen/sources/%s (sha256 %s)", o.Repository, o.Path, o.Commit, o.File, o.SHA256)
	case o.Like != "":
		s = "the facts of " + o.Like
	}
	return s
}

type provenanceFile struct {
	Date     string    `json:"date"`
	Versions []*Origin `json:"versions"`
}

// Provenance is where a catalog's facts come from, for 'oauthcompat
// version' and reports.
type Provenance struct {
	// Source names the descriptions the built-in catalog is generated from:
	// "GitHub's OpenAPI descriptions: @octokit/openapi 2.2.1, ...".
	Source string
	// Date is when those sources were pinned (YYYY-MM-DD).
	Date string
	// Overlay is the overlay directory, "" when none is loaded.
	Overlay string
	// Imported lists the origins of the versions the overlay adds or replaces.
	Imported []*Origin
}

// Provenance returns where the catalog's facts come from.
func (c *Catalog) Provenance() Provenance {
	var pkgs, repos []string
	seen := map[string]bool{}
	for _, o := range c.prov.Versions {
		var s string
		switch {
		case o.Package != "":
			s = o.Package
		case o.Repository != "":
			s = o.Repository
		default:
			continue
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		if o.Package != "" {
			pkgs = append(pkgs, s)
		} else {
			repos = append(repos, s)
		}
	}
	src := "GitHub's OpenAPI descriptions: " + strings.Join(append(pkgs, repos...), ", ")
	return Provenance{Source: src, Date: c.prov.Date, Overlay: c.overlay, Imported: c.overlayProv.Versions}
}

// Origin returns where v's facts come from; nil only for a catalog
// written without provenance.
func (v *Version) Origin() *Origin { return v.origin }

// Imported reports whether v comes from a catalog overlay rather than the
// built-in catalog.
func (v *Version) Imported() bool { return v.origin != nil && v.origin.Imported }

// Catalog returns the catalog v belongs to.
func (v *Version) Catalog() *Catalog { return v.cat }

// LoadOverlay returns the embedded catalog with the versions of the
// overlay directory dir ('oauthcompat catalog import' writes one) added,
// or replacing built-in versions of the same name. An empty dir gives the
// embedded catalog alone.
func LoadOverlay(dir string) (*Catalog, error) {
	c, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if err := c.addOverlay(dir); err != nil {
			return nil, err
		}
	}
	if err := c.finish(); err != nil {
		if dir != "" {
			return nil, fmt.Errorf("catalog overlay %s: %w", dir, err)
		}
		return nil, err
	}
	return c, nil
}

func (c *Catalog) addOverlay(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "catalog.json"))
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return fmt.Errorf("catalog overlay %s: %w", dir, serr)
		}
		return fmt.Errorf("catalog overlay %s: %w: it has no catalog.json (write one with 'oauthcompat catalog import --out %s')", dir, ErrNoOverlay, dir)
	}
	if err != nil {
		return fmt.Errorf("catalog overlay: %w", err)
	}
	var doc struct {
		Versions []*Version `json:"versions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("catalog overlay %s: catalog.json: %w", dir, err)
	}
	if len(doc.Versions) == 0 {
		return fmt.Errorf("catalog overlay %s: %w: its catalog.json lists no version", dir, ErrNoOverlay)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "provenance.json")); err == nil {
		if err := json.Unmarshal(b, &c.overlayProv); err != nil {
			return fmt.Errorf("catalog overlay %s: provenance.json: %w", dir, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("catalog overlay: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "json", "*.json"))
	if err != nil {
		return err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("catalog overlay: %w", err)
		}
		name := filepath.Base(f)
		if _, ok := c.compiled[name]; ok {
			// Names carry a hash of the content: the same name is the same schema.
			if own, err := c.SchemaJSON(name); err == nil && !bytes.Equal(own, b) {
				return fmt.Errorf("catalog overlay %s: json/%s differs from the built-in schema of that name; import the description again", dir, name)
			}
			continue
		}
		if err := c.comp.AddResource(schemaBase+name, bytes.NewReader(b)); err != nil {
			return fmt.Errorf("catalog overlay %s: json/%s: %w", dir, name, err)
		}
		c.compiled[name] = &lazySchema{}
		c.extra[name] = b
	}
	byName := map[string]int{}
	for i, v := range c.versions {
		byName[v.Name] = i
	}
	for _, v := range doc.Versions {
		if i, ok := byName[v.Name]; ok {
			c.versions[i] = v
			continue
		}
		byName[v.Name] = len(c.versions)
		c.versions = append(c.versions, v)
	}
	known := map[string]bool{}
	for _, v := range doc.Versions {
		known[v.Name] = true
	}
	for _, o := range c.overlayProv.Versions {
		if !known[o.Name] {
			return fmt.Errorf("catalog overlay %s: provenance.json names %s, which its catalog.json lacks", dir, o.Name)
		}
		o.Imported = true
	}
	c.overlay = dir
	return nil
}

// sortVersions puts versions in catalog order (see package versionorder).
func sortVersions(vs []*Version) {
	sort.SliceStable(vs, func(i, j int) bool { return versionorder.Less(vs[i].Name, vs[j].Name) })
}
