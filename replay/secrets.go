package replay

import (
	"encoding/base64"
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

// authShape is the shape of an Authorization value: the scheme, and for
// Basic the user name (a client_id or login, not secret), never the
// password or token. A value without a well-known scheme (a bare
// credential) is all secret (see [redact.SplitAuthorization]).
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
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return "basic <secret>"
		}
		user, _, ok := strings.Cut(string(raw), ":")
		if !ok {
			return "basic <secret>"
		}
		return "basic " + shapeTokens(user) + ":<secret>"
	case "token", "bearer":
		return scheme + " " + secretShape(cred)
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
