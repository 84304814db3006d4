package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Note is something loading or linting cassettes left out, and why: not
// an error, but worth saying.
type Note struct {
	File    string
	Message string
}

// packManifest is the part of a fixture pack's manifest.json (see package
// fixtures) that says where its go-vcr cassettes are and of which version.
type packManifest struct {
	Version   string   `json:"version"`
	Formats   []string `json:"formats"`
	Scenarios []struct {
		Name  string            `json:"name"`
		Files map[string]string `json:"files"`
	} `json:"scenarios"`
}

// packFiles lists the go-vcr cassettes of the fixture pack at root, as its
// manifest.json lists them, under the version it names. ok is false when
// root holds no pack's manifest. A pack written without the govcr format
// has nothing to load: the error says how to write one that has.
func packFiles(root string, cat *schemas.Catalog) (files []cassetteFile, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil {
		return nil, false, nil // not a directory, or no manifest: not a pack
	}
	var m packManifest
	if json.Unmarshal(data, &m) != nil || m.Version == "" || m.Scenarios == nil {
		return nil, false, nil // some other manifest.json
	}
	v, err := cat.Version(m.Version)
	if err != nil {
		return nil, true, fmt.Errorf("load the fixture pack %s: %w", root, err)
	}
	for _, s := range m.Scenarios {
		rel := s.Files["govcr"]
		if rel == "" || !filepath.IsLocal(filepath.FromSlash(rel)) {
			continue
		}
		files = append(files, cassetteFile{path: filepath.Join(root, filepath.FromSlash(rel)), name: rel, version: v})
	}
	if len(files) == 0 {
		return nil, true, fmt.Errorf("load the fixture pack %s: %w in it (its formats: %s); write one with them: oauthcompat fixtures --version %s --out DIR --format govcr,%s",
			root, cassettes.ErrNoCassettes, strings.Join(m.Formats, ", "), m.Version, strings.Join(m.Formats, ","))
	}
	for _, f := range files {
		if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
			return nil, true, fmt.Errorf("load the fixture pack %s: its manifest lists %s, which is missing: regenerate the pack (%w)", root, f.name, err)
		}
	}
	return files, true, nil
}

// v2Start is how a go-vcr v3 cassette starts (after an optional document
// marker): a file starting so needs no closer look.
var v2Start = regexp.MustCompile(`^(---\s*\n)?version:\s*2\s*\n`)

// v1Version is the top-level version of a VCR.py cassette.
var v1Version = regexp.MustCompile(`(?m)^version:\s*1\s*$`)

// otherFormat names the format of the cassette file at path when it is
// not go-vcr v3's but one a reader should skip rather than fail on (a
// VCR.py cassette, which fixture packs and 'cassette export' write beside
// go-vcr ones); "" otherwise, and when the file cannot be read (loading it
// says why).
func otherFormat(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	if v2Start.Match(head[:n]) {
		return ""
	}
	rest, err := io.ReadAll(f)
	if err != nil {
		return ""
	}
	if all := append(head[:n], rest...); v1Version.Match(all) && bytes.Contains(all, []byte("uri:")) {
		return "a VCR.py cassette (version: 1)"
	}
	return ""
}
