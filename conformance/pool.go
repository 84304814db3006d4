package conformance

// poolToken is a token the suite may use: one from OAUTHCOMPAT_TOKENS, one
// it minted through the Authorizations API, or the successor of either
// after a reset.
type poolToken struct {
	value string
	label string // "env:0", "minted:1", "reset(env:0)"; never the value
	user  string // login of the owner, "" until learnt
}

// pool hands out tokens in a fixed order, so a replay uses the same token
// for the same case as the recorded run did.
type pool struct {
	s    *suite
	live []*poolToken
}

func newPool(s *suite) *pool { return &pool{s: s} }

func (p *pool) put(value, label, user string) *poolToken {
	t := &poolToken{value: value, label: label, user: user}
	p.live = append(p.live, t)
	p.s.mask.add(value)
	return t
}

// peek returns the first live token without taking it, or nil.
func (p *pool) peek() *poolToken {
	if len(p.live) == 0 {
		return nil
	}
	return p.live[0]
}

// take removes and returns the first live token, or nil.
func (p *pool) take() *poolToken {
	if len(p.live) == 0 {
		return nil
	}
	t := p.live[0]
	p.live = p.live[1:]
	return t
}

// drop removes a token from the pool (it was revoked).
func (p *pool) drop(t *poolToken) {
	for i, x := range p.live {
		if x == t {
			p.live = append(p.live[:i], p.live[i+1:]...)
			return
		}
	}
}

// all returns the live tokens.
func (p *pool) all() []*poolToken { return append([]*poolToken(nil), p.live...) }
