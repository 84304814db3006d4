package catalogen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Provenance says where each version of a catalog directory comes from; it
// is the directory's provenance.json, read by package schemas.
type Provenance struct {
	Note     string    `json:"note"`
	Date     string    `json:"date"` // built-in: the date the sources were locked; overlay: of the last import
	Versions []*Origin `json:"versions"`
}

// Origin is where one version's facts come from.
type Origin struct {
	Name       string   `json:"name"`
	Imported   bool     `json:"imported,omitempty"` // by 'oauthcompat catalog import'
	Package    string   `json:"package,omitempty"`
	Repository string   `json:"repository,omitempty"`
	Commit     string   `json:"commit,omitempty"`
	Path       string   `json:"path,omitempty"` // in the package or repository
	File       string   `json:"file,omitempty"` // committed copy, or the file imported
	Like       string   `json:"like,omitempty"`
	SHA256     string   `json:"sha256,omitempty"`
	Format     string   `json:"format,omitempty"` // "bundled" or "dereferenced"
	Date       string   `json:"date,omitempty"`   // of the import
	Facts      []string `json:"facts,omitempty"`
}

// LockProvenance is the provenance of the built-in catalog generated from l.
func LockProvenance(l *Lock) *Provenance {
	p := &Provenance{
		Note: "Where each version's facts come from: internal/catalogen/sources/lock.json, copied by internal/catalogen; do not edit.",
		Date: l.Locked,
	}
	names := make([]string, 0, len(l.Versions))
	by := map[string]*LockVersion{}
	for _, v := range l.Versions {
		names = append(names, v.Name)
		by[v.Name] = v
	}
	SortVersions(names)
	for _, n := range names {
		v := by[n]
		p.Versions = append(p.Versions, &Origin{
			Name: v.Name, Package: v.Package, Repository: v.Repository, Commit: v.Commit,
			Path: v.Path, File: v.File, Like: v.Like, SHA256: v.SHA256, Facts: v.Facts,
		})
	}
	return p
}

// WriteDir writes a catalog directory: catalog.json, provenance.json and
// json/<schema>.json, each file atomically (a temporary file in the same
// directory, synced, then renamed), and removes the schema files cat no
// longer uses.
func WriteDir(dir string, cat *Catalog, schemaFiles map[string][]byte, prov *Provenance) error {
	if err := os.MkdirAll(filepath.Join(dir, "json"), 0o755); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	used := map[string]bool{}
	names := make([]string, 0, len(schemaFiles))
	for n := range schemaFiles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		used[n] = true
		p := filepath.Join(dir, "json", n)
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, schemaFiles[n]) {
			continue
		}
		if err := writeFileAtomic(p, schemaFiles[n]); err != nil {
			return err
		}
	}
	for _, doc := range []struct {
		name string
		v    any
	}{{"provenance.json", prov}, {"catalog.json", cat}} {
		b, err := json.MarshalIndent(doc.v, "", " ")
		if err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(dir, doc.name), append(b, '\n')); err != nil {
			return err
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "json", "*.json"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if !used[filepath.Base(p)] {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("write catalog: %w", err)
			}
		}
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadDir reads a catalog directory written by [WriteDir]: its catalog,
// schema files and provenance. A directory without catalog.json gives
// empty values and no error, so an import can start one.
func ReadDir(dir string) (*Catalog, map[string][]byte, *Provenance, error) {
	cat := &Catalog{}
	prov := &Provenance{}
	files := map[string][]byte{}
	b, err := os.ReadFile(filepath.Join(dir, "catalog.json"))
	if errors.Is(err, os.ErrNotExist) {
		return cat, files, prov, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if err := json.Unmarshal(b, cat); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, "catalog.json"), err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "provenance.json")); err == nil {
		if err := json.Unmarshal(b, prov); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, "provenance.json"), err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil, err
	}
	paths, err := filepath.Glob(filepath.Join(dir, "json", "*.json"))
	if err != nil {
		return nil, nil, nil, err
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, nil, err
		}
		files[filepath.Base(p)] = b
	}
	return cat, files, prov, nil
}

// usedSchemas lists the schema files cat refers to, directly or through
// the $refs of hoisted subschemas.
func usedSchemas(cat *Catalog, files map[string][]byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	var add func(name string) error
	add = func(name string) error {
		if name == "" || out[name] != nil {
			return nil
		}
		b, ok := files[name]
		if !ok {
			return fmt.Errorf("schema %s is missing", name)
		}
		out[name] = b
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("schema %s: %w", name, err)
		}
		for _, r := range refs(v, nil) {
			if !strings.HasPrefix(r, "#") {
				if err := add(r); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, v := range cat.Versions {
		for _, op := range v.Operations {
			if op.Request != nil {
				if err := add(op.Request.Schema); err != nil {
					return nil, err
				}
			}
			for _, r := range op.Responses {
				if err := add(r.Schema); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}
