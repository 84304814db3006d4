package replay

import (
	"encoding/base64"
	"strings"
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

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWord(c byte) bool { return isAlnum(c) || c == '_' }

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// tokenAt reports the length of a token starting at s[i], in the shapes of
// [redact.TokenPattern] (gh[pousr]_ and 16+ alphanumerics, github_pat_ and
// 22+ of [A-Za-z0-9_], or 40 lowercase hex digits, each a whole word), or
// 0. It is hand-written to keep regular expressions off the request path.
func tokenAt(s string, i int) int {
	if i > 0 && isWord(s[i-1]) {
		return 0
	}
	rest := s[i:]
	var n, min int
	var underscore bool
	switch p := tokenPrefix(rest); p {
	case "":
		if len(rest) < 40 {
			return 0
		}
		for j := 0; j < 40; j++ {
			if !isLowerHex(rest[j]) {
				return 0
			}
		}
		if len(rest) > 40 && isWord(rest[40]) {
			return 0
		}
		return 40
	case "github_pat_":
		n, min, underscore = len(p), 22, true
	default:
		n, min = len(p), 16
	}
	j := n
	for j < len(rest) && (isAlnum(rest[j]) || underscore && rest[j] == '_') {
		j++
	}
	if j-n < min || j < len(rest) && rest[j] == '_' {
		return 0
	}
	return j
}

// shapeTokens replaces every token-shaped substring of s by its shape.
func shapeTokens(s string) string {
	if len(s) < 20 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i+20 <= len(s); i++ {
		if s[i] != 'g' && !isLowerHex(s[i]) {
			continue
		}
		n := tokenAt(s, i)
		if n == 0 {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		b.WriteString(secretShape(s[i : i+n]))
		i += n - 1
		last = i + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// authShape is the shape of an Authorization value: the scheme, and for
// Basic the user name (a client_id or login, not secret), never the
// password or token.
func authShape(v string) string {
	if v == "" {
		return ""
	}
	scheme, cred, _ := strings.Cut(strings.TrimSpace(v), " ")
	scheme = strings.ToLower(scheme)
	cred = strings.TrimSpace(cred)
	switch scheme {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return "basic <secret>"
		}
		user, _, _ := strings.Cut(string(raw), ":")
		return "basic " + user + ":<secret>"
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
