package redact

import (
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// secretSet collects the secrets a Redactor replaced in one interaction.
type secretSet struct {
	mu   sync.Mutex
	list []string
	buf  [8]string // list's first array: an interaction has a few secrets
}

func (s *secretSet) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.list {
		if x == v {
			return
		}
	}
	s.list = append(s.list, v)
}

// note records secret as replaced (when collecting and pseudo differs
// from it) and returns pseudo.
func (r *Redactor) note(secret, pseudo string) string {
	if r.seen != nil && secret != pseudo && len(secret) >= minExact {
		r.seen.add(secret)
	}
	return pseudo
}

// Redact redacts i in place as [Redactor.Interaction] does and returns
// the secrets it replaced (passwords, client secrets, OTPs, tokens,
// credentials of any Authorization scheme, cookie values; those shorter
// than a few characters are left out, as they would match by chance):
// what [Redactor.Sweep] then looks for in every other field, so a secret
// echoed where no rule looks (a password in a note, an OTP in a text
// body) does not reach the disk either. The list holds real secrets: use
// it, never store or log it.
func (r *Redactor) Redact(i *cassette.Interaction) []string {
	c := &struct {
		r Redactor
		s secretSet
	}{r: Redactor{keyed: r.keyed}}
	c.s.list = c.s.buf[:0]
	c.r.seen = &c.s
	c.r.Interaction(i)
	return c.s.list
}
