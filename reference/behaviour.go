package reference

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// The server decides how it behaves for a version from the operations the
// version documents, not from its name, so that a version imported from a
// description GitHub published after this release (see
// [schemas.LoadOverlay]) is served without code changes: it serves exactly
// the documented operations, each family (legacy path-token endpoints,
// token in the body, scoped tokens, the OAuth Authorizations API) with its
// handlers, answers 404 elsewhere, and shapes error bodies as the
// documented error schemas do.

// UnsupportedError is returned by [New] when a version documents
// operations the reference server cannot emulate: it refuses to stand in
// for part of a version.
type UnsupportedError struct {
	Version    string
	Operations []string // "POST /applications/{client_id}/token/refresh (apps/refresh-token)"
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("reference: %s documents %d operation(s) the reference server cannot emulate: %s; it serves the %s families only",
		e.Version, len(e.Operations), strings.Join(e.Operations, ", "), strings.Join(families(), ", "))
}

// Supports reports whether the server can emulate op.
func Supports(op *schemas.Operation) bool {
	_, ok := handlers[op.Key()]
	return ok
}

// families lists the families the handlers cover, in a stable order.
func families() []string {
	seen := map[schemas.Family]bool{}
	for key := range handlers {
		_, path, _ := strings.Cut(key, " ")
		seen[familyOf(path)] = true
	}
	var out []string
	for _, f := range []schemas.Family{schemas.FamilyLegacyPathToken, schemas.FamilyTokenInBody, schemas.FamilyScopedToken, schemas.FamilyAuthorizationsAPI} {
		if seen[f] {
			out = append(out, string(f))
		}
	}
	return out
}

func familyOf(path string) schemas.Family {
	switch {
	case strings.Contains(path, "{access_token}"):
		return schemas.FamilyLegacyPathToken
	case strings.HasPrefix(path, "/authorizations") || strings.HasPrefix(path, "/applications/grants"):
		return schemas.FamilyAuthorizationsAPI
	case strings.HasSuffix(path, "/token/scoped"):
		return schemas.FamilyScopedToken
	}
	return schemas.FamilyTokenInBody
}

// checkSupported fails with an *UnsupportedError naming every operation of
// v the server cannot emulate.
func checkSupported(v *schemas.Version) error {
	var missing []string
	for _, op := range v.Operations {
		if !Supports(op) {
			missing = append(missing, fmt.Sprintf("%s (%s)", op.Key(), op.ID))
		}
	}
	if len(missing) > 0 {
		return &UnsupportedError{Version: v.Name, Operations: missing}
	}
	return nil
}

// errorsCarryStatus reports whether v's documented error bodies have a
// "status" property (GHES 3.x, GitHub AE, api.github.com) or not (GHES 2.x).
func errorsCarryStatus(v *schemas.Version) bool {
	for _, op := range v.Operations {
		for _, r := range op.Responses {
			if r.Status < 400 || r.Schema == "" {
				continue
			}
			raw, err := v.Catalog().SchemaJSON(r.Schema)
			if err != nil {
				continue
			}
			var s struct {
				Properties map[string]json.RawMessage `json:"properties"`
			}
			if json.Unmarshal(raw, &s) == nil {
				if _, ok := s.Properties["status"]; ok {
					return true
				}
			}
		}
	}
	return false
}
