package conformance

import (
	"errors"
	"fmt"
	"strings"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// ErrUnknownOnly is wrapped by the error [Run] and [CheckOnly] return when
// Config.Only names an operation no version of the catalog knows.
var ErrUnknownOnly = errors.New("unknown operation")

// CheckOnly checks the entries of Config.Only against the catalog: each
// must be an operation id of some version (apps/check-token,
// oauth-authorizations/check-authorization) or a "METHOD /path" some
// version documents. The error names every unknown entry and lists the
// ids of v, so a typo cannot select nothing silently.
func CheckOnly(v *schemas.Version, only []string) error {
	_, err := resolveOnly(v.Catalog(), v, only)
	return err
}

// resolveOnly turns the entries of Config.Only into the keys ("METHOD
// /path") of the operations they name. An id names its operation in every
// version, so an id another version gives the same endpoint still selects
// it (and its probe, where v does not document it). Empty only gives nil:
// every operation.
func resolveOnly(cat *schemas.Catalog, v *schemas.Version, only []string) (map[string]bool, error) {
	if len(only) == 0 {
		return nil, nil
	}
	keys := map[string]bool{}
	var unknown []string
	for _, o := range only {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		found := false
		for _, cv := range cat.Versions() {
			for _, op := range cv.Operations {
				if o == op.ID || strings.EqualFold(o, op.Key()) {
					keys[op.Key()] = true
					found = true
				}
			}
		}
		if !found {
			unknown = append(unknown, fmt.Sprintf("%q", o))
		}
	}
	if len(unknown) > 0 {
		ids := make([]string, 0, len(v.Operations))
		for _, op := range v.Operations {
			ids = append(ids, op.ID)
		}
		return nil, fmt.Errorf("%w %s: no version of the catalog knows it; %s documents %s (ids of other versions and \"METHOD /path\" work too)",
			ErrUnknownOnly, strings.Join(unknown, ", "), v.Name, strings.Join(ids, ", "))
	}
	if len(keys) == 0 {
		return nil, nil
	}
	return keys, nil
}
