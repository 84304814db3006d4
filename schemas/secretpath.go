package schemas

import "strings"

// SecretPathParams returns the indexes, in strings.Split(path, "/"), of the
// segments of a request path that carry a secret: the token of the legacy
// endpoints, the segment right after /applications/{client_id}/tokens/ or
// /applications/{client_id}/grants/ (the catalog's {access_token}), with or
// without /api/v3.
//
// The answer depends on positions only: not on the method, nor on whether
// any version documents the request, so PUT /applications/ID/tokens/TOKEN
// (which no operation matches) is masked as well as GET. Empty segments
// ("//") are skipped when counting positions, the names are compared
// ignoring case, and a query or fragment is ignored. It returns nil when no
// segment is secret.
//
// Every part of oauthcompat that shows, stores or compares a request path
// (the redactor, replay, the reference server's log, the diff reports)
// asks this function, so they agree on what is secret in a path.
func SecretPathParams(path string) []int {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if !strings.Contains(path, "/") {
		return nil
	}
	// The indexes of the first six non-empty segments: enough for
	// /api/v3/applications/{client_id}/tokens/{access_token}.
	var idx [6]int
	var segs [6]string
	n := 0
	for i, rest := 0, path; n < len(idx); i++ {
		seg, after, more := strings.Cut(rest, "/")
		if seg != "" {
			idx[n], segs[n] = i, seg
			n++
		}
		if !more {
			break
		}
		rest = after
	}
	k := 0
	if n >= 2 && strings.EqualFold(segs[0], "api") && strings.EqualFold(segs[1], "v3") {
		k = 2
	}
	if n < k+4 || !strings.EqualFold(segs[k], "applications") {
		return nil
	}
	if kind := segs[k+2]; !strings.EqualFold(kind, "tokens") && !strings.EqualFold(kind, "grants") {
		return nil
	}
	return []int{idx[k+3]}
}

// MaskPath returns path with every segment [SecretPathParams] names
// replaced by mask: "{access_token}" in reports, "REDACTED" in logs. A
// query or fragment is kept as it is; a path without a secret segment is
// returned unchanged.
func MaskPath(path, mask string) string {
	secret := SecretPathParams(path)
	if secret == nil {
		return path
	}
	p, rest := path, ""
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		p, rest = path[:i], path[i:]
	}
	segs := strings.Split(p, "/")
	for _, i := range secret {
		segs[i] = mask
	}
	return strings.Join(segs, "/") + rest
}
