package catalogen

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Trim cuts a description down to what the catalog reads from it: the
// OAuth paths, every component they reach through $refs (transitively, so
// examples and shared schemas stay), and openapi, info and servers. The
// catalog generated from the result equals the one generated from the
// whole file; the trimmed copies under testdata/ let make test exercise the
// generator without downloading the descriptions. from, when not empty, is
// recorded in the result as x-oauthcompat-trimmed-from.
func Trim(b []byte, from string) ([]byte, error) {
	if _, err := Parse(b); err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var paths map[string]json.RawMessage
	var comps map[string]map[string]json.RawMessage
	if err := json.Unmarshal(doc["paths"], &paths); err != nil {
		return nil, err
	}
	if raw, ok := doc["components"]; ok {
		if err := json.Unmarshal(raw, &comps); err != nil {
			return nil, err
		}
	}
	out := map[string]any{}
	for _, k := range []string{"openapi", "info", "servers"} {
		if v, ok := doc[k]; ok {
			out[k] = v
		}
	}
	if from != "" {
		out["x-oauthcompat-trimmed-from"] = from
	}
	keptPaths := map[string]json.RawMessage{}
	keep := map[string]map[string]json.RawMessage{}
	var queue []json.RawMessage
	for p, raw := range paths {
		if IsOAuthPath(p) {
			keptPaths[p] = raw
			queue = append(queue, raw)
		}
	}
	for len(queue) > 0 {
		raw := queue[0]
		queue = queue[1:]
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		for _, ref := range refs(v, nil) {
			rest, ok := strings.CutPrefix(ref, "#/components/")
			if !ok {
				continue
			}
			section, name, _ := strings.Cut(rest, "/")
			name, _, _ = strings.Cut(name, "/")
			name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
			if keep[section][name] != nil {
				continue
			}
			target, ok := comps[section][name]
			if !ok {
				return nil, fmt.Errorf("%w: %s is referenced but not defined", ErrNotDescription, ref)
			}
			if keep[section] == nil {
				keep[section] = map[string]json.RawMessage{}
			}
			keep[section][name] = target
			queue = append(queue, target)
		}
	}
	out["paths"] = keptPaths
	if len(keep) > 0 {
		out["components"] = keep
	}
	res, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return nil, err
	}
	return append(res, '\n'), nil
}

// refs collects every $ref string in v, sorted.
func refs(v any, acc []string) []string {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			acc = refs(e, acc)
		}
	case map[string]any:
		if r, ok := t["$ref"].(string); ok {
			acc = append(acc, r)
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			acc = refs(t[k], acc)
		}
	}
	return acc
}
