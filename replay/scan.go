package replay

import (
	"github.com/oauthcompat/oauthcompat/internal/secretscan"
	"github.com/oauthcompat/oauthcompat/redact"
)

// masker hides, in a text shown to a user (a miss body, its log), every
// secret [secretscan.Find] finds that keep does not accept (a pseudonym):
// by its shape where it stands in clear, the whole text when it is
// spelled in a way that cannot be cut out.
type masker struct{ keep func(string) bool }

func (m masker) text(s string) string { return secretscan.Mask(s, m.keep, secretShape) }

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
