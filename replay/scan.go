package replay

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/oauthcompat/oauthcompat/redact"
)

// gluedToken matches GitHub's prefixed token shapes with no word boundary
// in front: a token glued to a letter or a digit, as in percent-encoded
// text ("%3Dgho_…").
var gluedToken = regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{16,251}|github_pat_[A-Za-z0-9_]{22,255}`)

// legacySegment matches the token segment of the legacy endpoints
// (/applications/{client_id}/tokens/{access_token} and .../grants/...)
// in a decoded view of a text.
var legacySegment = regexp.MustCompile(`/applications/[^/\s?#"'&]+/(?:tokens|grants)/([^/\s?#"'&]+)`)

// findSecrets returns every token shape and legacy path token in s, in
// s itself and in its percent-decoded views (decoded again while that
// changes it, up to three times): what a reader of s could take as a
// secret, whatever its spelling.
func findSecrets(s string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	view := s
	for range 4 {
		for _, m := range gluedToken.FindAllString(view, -1) {
			add(m)
		}
		for _, m := range redact.TokenPattern.FindAllString(view, -1) {
			add(m)
		}
		for _, m := range legacySegment.FindAllStringSubmatch(view, -1) {
			add(m[1])
		}
		next := percentDecode(view)
		if next == view {
			break
		}
		view = next
	}
	return out
}

// percentDecode decodes every valid %XX of s (and '+' is kept): a lenient
// url.PathUnescape that never fails.
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

// masker hides, in a text shown to a user (a miss body, its log), every
// secret [findSecrets] finds that keep does not accept (a pseudonym):
// by its shape where it stands in clear, the whole text when it is
// spelled in a way that cannot be cut out.
type masker struct{ keep func(string) bool }

func (m masker) text(s string) string {
	if len(s) < 4 {
		return s
	}
	for _, v := range findSecrets(s) {
		if m.keep != nil && m.keep(v) {
			continue
		}
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, secretShape(v))
			continue
		}
		return "<hidden: holds a secret>"
	}
	return s
}

// maskerOf is the masker of an index: with the key, its pseudonyms stay
// readable; without it, every secret is shown by its shape, as matching
// compares them.
func maskerOf(r *redact.Redactor) masker {
	if r == nil {
		return masker{}
	}
	return masker{keep: func(v string) bool { return r.Token(v) == v || r.Secret(v) == v }}
}

// mask hides the secrets of every field of the miss, in place.
func (m *MissError) mask(k masker) {
	m.Message = k.text(m.Message)
	m.Request.Path = k.text(m.Request.Path)
	if c := m.Closest; c != nil {
		c.URL = k.text(c.URL)
	}
	for i := range m.Differences {
		d := &m.Differences[i]
		d.Field, d.Recorded, d.Got = k.text(d.Field), k.text(d.Recorded), k.text(d.Got)
	}
}
