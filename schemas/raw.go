package schemas

import (
	"fmt"
	"sort"
)

// SchemaNames returns the names of every schema file of the catalog,
// sorted.
func (c *Catalog) SchemaNames() []string {
	out := make([]string, 0, len(c.compiled))
	for n := range c.compiled {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SchemaJSON returns the embedded JSON Schema document called name (a
// Response.Schema or RequestBody.Schema value), as stored under json/.
func (c *Catalog) SchemaJSON(name string) ([]byte, error) {
	if _, ok := c.compiled[name]; !ok {
		return nil, fmt.Errorf("schema %q is not in the catalog", name)
	}
	if b, ok := c.extra[name]; ok {
		return b, nil
	}
	return data.ReadFile("json/" + name)
}
