package reference

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// The REST API versions api.github.com and GHEC accept in
// X-GitHub-Api-Version, the first being the default. Any other value is
// answered 400 (docs/fidelity.md, "Headers per product").
var apiVersions = []string{"2022-11-28", "2026-03-10"}

// product holds what differs between GitHub's products in the headers of
// an answer: the X-GitHub-Enterprise-Version value, the request id format,
// rate-limit headers and API version selection (docs/fidelity.md,
// "Headers per product").
type product struct {
	enterprise []string // X-GitHub-Enterprise-Version, nil for none
	versioned  bool     // X-GitHub-Api-Version is honoured and echoed
	reqPrefix  string   // request id up to the per-request part
	reqSeq     atomic.Uint64

	rate      *RateLimit // nil: no X-RateLimit-* headers
	rateReset string     // epoch seconds of the window's end
	rateUsed  atomic.Int64
	anonUsed  atomic.Int64
}

// RateLimit turns on the X-RateLimit-* headers, as a GHES instance with
// "Enable HTTP API Rate Limiting" sends them. api.github.com and GHEC always
// send them (with Limit 5000); GHES and GitHub AE only with this option.
type RateLimit struct {
	// Limit is the number of requests an authenticated user may make in
	// the window (5000 when zero). Requests without credentials have 60.
	Limit int `json:"limit,omitempty"`
}

// anonymousLimit is the rate limit of requests without credentials.
const anonymousLimit = 60

func newProduct(v *schemas.Version, f Fixtures, now time.Time) *product {
	p := &product{}
	var id [8]byte
	rand.Read(id[:]) // a new server instance, a new id prefix
	n := binary.BigEndian.Uint64(id[:])
	switch v.Kind() {
	case schemas.KindAE:
		p.enterprise = []string{"GitHub AE"}
	case schemas.KindGHES:
		if h := v.EnterpriseHeader(); h != "" {
			p.enterprise = []string{h}
		}
	}
	switch v.Kind() {
	case schemas.KindDotcom, schemas.KindGHEC:
		// CC39:3E1F48:2102B6:2C9AFB:6AB345D6, as api.github.com sends.
		p.versioned = true
		p.rate = &RateLimit{Limit: 5000}
		p.reqPrefix = fmt.Sprintf("%04X:%06X:%06X:%06X:", n&0xFFFF, n>>16&0xFFFFFF, n>>40&0xFFFFFF, now.Unix()&0xFFFFFF)
	default:
		p.reqPrefix = fmt.Sprintf("%04X:%04X:%06X:%06X:", n&0xFFFF, n>>16&0xFFFF, n>>32&0xFFFFFF, now.Unix()&0xFFFFFF)
	}
	if f.RateLimit != nil {
		r := *f.RateLimit
		p.rate = &r
	}
	if p.rate != nil && p.rate.Limit <= 0 {
		p.rate.Limit = 5000
	}
	p.rateReset = strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	return p
}

// requestID is an X-GitHub-Request-Id in the product's shape, different
// for each server instance and each request.
func (p *product) requestID() string {
	n := p.reqSeq.Add(1)
	var b [48]byte
	out := append(b[:0], p.reqPrefix...)
	for i := 28; i >= 0; i -= 4 {
		out = append(out, upperHex[(n>>uint(i))&0xF])
	}
	return string(out)
}

// rateHeaders sets the X-RateLimit-* headers of an answer, counting the
// request against the authenticated or the anonymous window.
func (p *product) rateHeaders(h http.Header, authenticated bool) {
	limit, used := int64(anonymousLimit), &p.anonUsed
	if authenticated {
		limit, used = int64(p.rate.Limit), &p.rateUsed
	}
	u := min(used.Add(1), limit)
	h["X-Ratelimit-Limit"] = []string{strconv.FormatInt(limit, 10)}
	h["X-Ratelimit-Remaining"] = []string{strconv.FormatInt(limit-u, 10)}
	h["X-Ratelimit-Reset"] = []string{p.rateReset}
	h["X-Ratelimit-Used"] = []string{strconv.FormatInt(u, 10)}
	h["X-Ratelimit-Resource"] = hdrCore
}

var hdrCore = []string{"core"}

// apiVersion returns the API version a request selects and whether it is
// one the product supports. Products without API versions accept any.
func (p *product) apiVersion(r *http.Request) (string, bool) {
	if !p.versioned {
		return "", true
	}
	v := r.Header.Get("X-Github-Api-Version")
	if v == "" {
		return apiVersions[0], true
	}
	for _, s := range apiVersions {
		if v == s {
			return s, true
		}
	}
	return v, false
}
