package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// WriteFiles writes files under dir, each atomically.
func WriteFiles(dir string, files []File) error { return ReplaceFiles(dir, files, nil) }

// ReplaceFiles writes files under dir, each atomically, then removes the
// files of previous (slash-separated paths under dir: what an earlier
// export wrote there, and only that) that files no longer holds, and the
// directories that leaves empty. Every other file under dir is kept. A
// path of previous that would leave dir is ignored.
func ReplaceFiles(dir string, files []File, previous []string) error {
	written := map[string]bool{}
	for _, f := range files {
		if err := cassettes.WriteFile(filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data); err != nil {
			return err
		}
		written[path.Clean(f.Path)] = true
	}
	var errs []error
	for _, p := range previous {
		p = path.Clean(p)
		if written[p] || !filepath.IsLocal(filepath.FromSlash(p)) {
			continue
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove %s, written by an earlier export: %w", full, err))
			continue
		}
		// Remove the directories left empty, up to dir.
		for d := filepath.Dir(full); d != filepath.Clean(dir) && strings.HasPrefix(d, filepath.Clean(dir)); d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// WireMockOwned lists the files under the WireMock root dir that an
// earlier [WireMock] export wrote: the mappings/*.json whose metadata
// names the interaction they came from, and the __files/ bodies they
// name. Mappings written by hand or by other tools are not listed. A root
// that does not exist lists nothing.
func WireMockOwned(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "mappings"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "mappings", e.Name()))
		if err != nil {
			return nil, err
		}
		var m struct {
			Response struct {
				BodyFileName string `json:"bodyFileName"`
			} `json:"response"`
			Metadata *struct {
				Interaction *int `json:"interaction"`
			} `json:"metadata"`
		}
		if json.Unmarshal(data, &m) != nil || m.Metadata == nil || m.Metadata.Interaction == nil {
			continue
		}
		out = append(out, "mappings/"+e.Name())
		if b := m.Response.BodyFileName; b != "" {
			out = append(out, path.Join("__files", b))
		}
	}
	return out, nil
}
