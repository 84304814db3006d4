package replay

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/oauthcompat/oauthcompat/redact"
)

// secretShape is what a secret becomes when matching by shape: its kind (a
// token's prefix), never its value.
func secretShape(v string) string {
	if v == "" {
		return ""
	}
	if p := tokenPrefix(v); p != "" {
		return "<secret " + p + ">"
	}
	return "<secret>"
}

// tokenPrefix returns GitHub's token prefix of s ("gho_", "github_pat_"),
// or "".
func tokenPrefix(s string) string {
	if strings.HasPrefix(s, "github_pat_") {
		return "github_pat_"
	}
	if len(s) > 4 && s[0] == 'g' && s[1] == 'h' && strings.IndexByte("pousr", s[2]) >= 0 && s[3] == '_' {
		return s[:4]
	}
	return ""
}

// shapeTokens replaces every token-shaped substring of s (see
// [redact.TokenPattern]) by its shape.
func shapeTokens(s string) string {
	if len(s) < 20 {
		return s
	}
	return redact.ReplaceTokens(s, secretShape)
}

// canonicalAuth is an Authorization value in the form matching compares,
// so that a request sent by one client matches one recorded from another:
// the scheme in lower case (RFC 9110 makes it case-insensitive: Octokit
// sends "basic", Go and curl "Basic"), "bearer" as "token" (GitHub takes
// either for a token), and Basic credentials decoded to "user:password"
// (padded or not). A value without a well-known scheme is kept as it is.
func canonicalAuth(v string) string {
	if v == "" {
		return ""
	}
	scheme, cred := redact.SplitAuthorization(v)
	switch strings.ToLower(scheme) {
	case "":
		return cred
	case "basic":
		if raw, ok := decodeBasic(cred); ok {
			return "basic " + raw
		}
		return "basic " + cred
	case "token", "bearer":
		return "token " + cred
	}
	return strings.ToLower(scheme) + " " + cred
}

// paddedAuth returns h with Basic credentials sent without base64 padding
// re-encoded with it, the form the redactor reads: h itself when there is
// nothing to change.
func paddedAuth(h http.Header) http.Header {
	v := h.Get("Authorization")
	if v == "" || strings.HasSuffix(v, "=") {
		return h
	}
	scheme, cred := redact.SplitAuthorization(v)
	if !strings.EqualFold(scheme, "basic") {
		return h
	}
	if _, err := base64.StdEncoding.DecodeString(cred); err == nil {
		return h
	}
	raw, ok := decodeBasic(cred)
	if !ok {
		return h
	}
	out := h.Clone()
	out.Set("Authorization", scheme+" "+base64.StdEncoding.EncodeToString([]byte(raw)))
	return out
}

// decodeBasic decodes Basic credentials (see [redact.DecodeBasic]) into
// the "user:password" they encode.
func decodeBasic(cred string) (string, bool) {
	user, pass, colon, ok := redact.DecodeBasic(cred)
	if colon {
		return user + ":" + pass, ok
	}
	return user, ok
}

// authShape is the shape of an Authorization value, in the canonical form
// of [canonicalAuth]: the scheme, and for Basic the user name (a client_id
// or login, not secret), never the password or token. A value without a
// well-known scheme (a bare credential) is all secret (see
// [redact.SplitAuthorization]).
func authShape(v string) string {
	if v == "" {
		return ""
	}
	scheme, cred := redact.SplitAuthorization(v)
	scheme = strings.ToLower(scheme)
	switch scheme {
	case "":
		return "<secret>"
	case "basic":
		raw, ok := decodeBasic(cred)
		if !ok {
			return "basic <secret>"
		}
		user, _, ok := strings.Cut(raw, ":")
		if !ok {
			return "basic <secret>"
		}
		return "basic " + shapeTokens(user) + ":<secret>"
	case "token", "bearer":
		return "token " + secretShape(cred)
	}
	return scheme + " <secret>"
}

// authComparable reports whether a recorded Authorization value carries a
// credential that can be compared (a known scheme), as opposed to nothing or
// a placeholder such as "REDACTED" left by other tools.
func authComparable(v string) bool {
	scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
	switch strings.ToLower(scheme) {
	case "basic", "token", "bearer":
		return true
	}
	return false
}
