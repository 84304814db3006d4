// Package harschema compiles the HAR 1.2 JSON Schema committed under
// convert/testdata/har-schema, for the tests that validate HAR output.
package harschema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Compile compiles the schema of a whole HAR document (har.json) from the
// schema files in dir.
func Compile(dir string) (*jsonschema.Schema, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("HAR schema: no *.json in %s", dir)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("HAR schema: %w", err)
		}
		if err := c.AddResource("https://har.invalid/"+filepath.Base(f), strings.NewReader(string(b))); err != nil {
			return nil, fmt.Errorf("HAR schema %s: %w", f, err)
		}
	}
	s, err := c.Compile("https://har.invalid/har.json")
	if err != nil {
		return nil, fmt.Errorf("HAR schema: %w", err)
	}
	return s, nil
}
