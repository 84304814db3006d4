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
	out := map[string]any{}
	paths := map[string]json.RawMessage{}
	comps := map[string]map[string]json.RawMessage{}
	err := members(b, 0, func(key string, val []byte, off int) error {
		switch key {
		case "openapi", "info", "servers":
			out[key] = json.RawMessage(val)
		case "paths":
			return members(val, off, func(p string, item []byte, _ int) error {
				if IsOAuthPath(p) {
					paths[p] = item
				}
				return nil
			})
		case "components":
			return members(val, off, func(section string, sv []byte, soff int) error {
				m := map[string]json.RawMessage{}
				comps[section] = m
				if len(sv) == 0 || sv[0] != '{' {
					return nil
				}
				return members(sv, soff, func(name string, v []byte, _ int) error {
					m[name] = v
					return nil
				})
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if from != "" {
		out["x-oauthcompat-trimmed-from"] = from
	}
	keptPaths := map[string]json.RawMessage{}
	keep := map[string]map[string]json.RawMessage{}
	var queue []json.RawMessage
	for p, raw := range paths {
		keptPaths[p] = raw
		queue = append(queue, raw)
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
	if _, err := Parse(res); err != nil {
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
