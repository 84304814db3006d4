// Package secretscan finds what a reader of a text could take as a secret,
// whatever its spelling: GitHub's token shapes glued to other text or
// percent-encoded, the token segment of the legacy endpoints' paths
// (/applications/{client_id}/tokens/{access_token}) spelled in any way,
// and credentials after an Authorization scheme word ("Basic …",
// "token …", "Bearer …") under any name. It is the one scanner behind the
// text oauthcompat shows rather than records: replay's miss answers and
// logs, conformance evidence and every report format, and the messages of
// cassette lint. It knows no key: a caller keeps what it knows is a
// pseudonym.
package secretscan

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/oauthcompat/oauthcompat/redact"
)

// Hidden is what a whole text becomes when it holds a secret spelled in a
// way that cannot be cut out of it (its own characters percent-encoded).
const Hidden = "<hidden: holds a secret>"

// legacySegment matches the token segment of the legacy endpoints in a
// decoded view of a text.
var legacySegment = regexp.MustCompile(`(?i)/applications/[^/\s?#"'&]+/(?:tokens|grants)/([^/\s?#"'&\\]+)`)

// schemeCredential matches credentials after an Authorization scheme word:
// a run of base64 or token characters long enough to be one.
var schemeCredential = regexp.MustCompile(`(?i)\b(?:basic|bearer|token)\s+([A-Za-z0-9+/._~-]{8,}=*)`)

// Find returns every secret in s, each once: the token shapes
// [redact.FindTokens] finds (decoded when found percent-encoded), then the
// legacy path tokens and scheme credentials in s itself and in its
// percent-decoded views (decoded again while that changes them, up to
// three times).
func Find(s string) []string {
	if len(s) < 8 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, sp := range redact.FindTokens(s) {
		add(decoded(s[sp.Start:sp.End]))
	}
	if strings.IndexByte(s, '%') < 0 && isASCII(s) && !hasLegacyPrefix(s) && !hasSchemeWord(s) {
		return out // neither pattern can match: the common case, without a regexp
	}
	if !mayHoldPathOrCredential(s) {
		return out
	}
	view := s
	for range 4 {
		// Each pattern needs its literal: an ASCII view without it is
		// not searched (the patterns fold case beyond ASCII: "ſ", "K").
		ascii := isASCII(view)
		if !ascii || hasLegacyPrefix(view) {
			for _, m := range legacySegment.FindAllStringSubmatch(view, -1) {
				if !placeholder(m[1]) {
					add(m[1])
				}
			}
		}
		if !ascii || hasSchemeWord(view) {
			for _, m := range schemeCredential.FindAllStringSubmatchIndex(view, -1) {
				// "basic user:…" is a decoded Basic credential whose user
				// name (a client id or login) is not secret.
				if c := view[m[2]:m[3]]; credentialLike(c) && !strings.HasPrefix(view[m[3]:], ":") {
					add(c)
				}
			}
		}
		next := percentDecode(view)
		if next == view {
			break
		}
		view = next
	}
	return out
}

// mayHoldPathOrCredential reports whether s may hold a legacy path or a
// scheme credential, cheaply: most strings hold neither.
func mayHoldPathOrCredential(s string) bool {
	if strings.IndexByte(s, '%') >= 0 || hasLegacyPrefix(s) {
		return true
	}
	for i := 0; i+5 <= len(s); i++ {
		switch s[i] | 0x20 {
		case 'b', 't':
			w := s[i:min(len(s), i+6)]
			if len(w) >= 5 && (strings.EqualFold(w[:5], "basic") || strings.EqualFold(w[:5], "token")) || len(w) == 6 && strings.EqualFold(w, "bearer") {
				return true
			}
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// hasLegacyPrefix reports whether ASCII text holds "/applications/",
// a segment, and "/tokens/" or "/grants/", in any case: what
// legacySegment needs to match.
func hasLegacyPrefix(s string) bool {
	const lit = "/applications/"
	for i := 0; ; i++ {
		j := strings.IndexByte(s[i:], '/')
		if j < 0 {
			return false
		}
		i += j
		if len(s)-i < len(lit) {
			return false
		}
		if !strings.EqualFold(s[i:i+len(lit)], lit) {
			continue
		}
		rest := s[i+len(lit):]
		k := strings.IndexByte(rest, '/')
		if k < 1 {
			continue
		}
		rest = rest[k+1:]
		if len(rest) >= 7 && (strings.EqualFold(rest[:7], "tokens/") || strings.EqualFold(rest[:7], "grants/")) {
			return true
		}
	}
}

// hasSchemeWord reports whether ASCII text holds a scheme word (basic,
// bearer, token, in any case) followed by white space: what
// schemeCredential needs to match.
func hasSchemeWord(s string) bool {
	for i := 5; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\f', '\r':
			if strings.EqualFold(s[i-5:i], "basic") || strings.EqualFold(s[i-5:i], "token") || i >= 6 && strings.EqualFold(s[i-6:i], "bearer") {
				return true
			}
		}
	}
	return false
}

// placeholder reports whether a path segment stands for a token rather
// than holding one: a template ("{access_token}"), a mask ("***",
// "<secret>") or the reference server's REDACTED.
func placeholder(v string) bool {
	switch v[0] {
	case '{', '<', '*':
		return true
	}
	return v == "REDACTED"
}

// credentialLike tells a credential after a scheme word from prose ("token
// rejected", "Bearer authentication"): it has a digit, a base64 symbol, or
// upper and lower case letters.
func credentialLike(v string) bool {
	var digit, upper, lower bool
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case '0' <= c && c <= '9', c == '+', c == '/', c == '=', c == '_':
			digit = true
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		}
	}
	return digit || upper && lower
}

// Mask returns s with every secret [Find] finds that keep does not accept
// (keep may be nil) replaced by repl of it; when a secret is not in s as it
// is (only a decoded view holds it), the whole of s becomes [Hidden].
func Mask(s string, keep func(string) bool, repl func(string) string) string {
	// Token shapes by where they are, in whatever spelling.
	if spans := redact.FindTokens(s); len(spans) > 0 {
		var b strings.Builder
		last := 0
		for _, sp := range spans {
			v := decoded(s[sp.Start:sp.End])
			if keep != nil && keep(v) {
				continue
			}
			b.WriteString(s[last:sp.Start])
			b.WriteString(repl(v))
			last = sp.End
		}
		b.WriteString(s[last:])
		s = b.String()
	}
	for range 4 {
		clean := true
		for _, v := range Find(s) {
			if keep != nil && keep(v) {
				continue
			}
			if !strings.Contains(s, v) {
				return Hidden
			}
			clean = false
			s = strings.ReplaceAll(s, v, repl(v))
		}
		if clean {
			return s
		}
		// Scan what is left: the same secret may be spelled both in clear
		// and encoded.
	}
	return Hidden
}

// decoded is a token as found in the text, its percent-encoding undone.
func decoded(raw string) string {
	for range 2 {
		if !strings.Contains(raw, "%") {
			break
		}
		raw = percentDecode(raw)
	}
	return raw
}

// percentDecode decodes every valid %XX of s: a lenient url.PathUnescape
// that never fails.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
