package replay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
)

// answer is a recorded response as sent for one request: the recorded
// bytes, or a copy with URLs rewritten and secrets re-hydrated. Its slices
// may be shared with the index and must not be modified.
type answer struct {
	origin string // the live origin the URLs were rewritten to; "" for none
	header http.Header
	body   []byte
	length []string
}

// urlHeaders are the response headers holding URLs that point at the
// server: rewritten with the body.
var urlHeaders = []string{"Location", "Content-Location", "Link"}

// recordedOrigins returns the origins (scheme://host) a recorded request
// was sent to: its URL's, and its Host header's when that differs.
func recordedOrigins(rawURL, host string) []string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return nil
	}
	out := []string{u.Scheme + "://" + u.Host}
	if host != "" && host != u.Host {
		out = append(out, u.Scheme+"://"+host)
	}
	return out
}

// prepareAnswer precomputes what adapting an answer needs: which recorded
// origins its body and URL headers mention, and which of its secrets are
// pseudonyms of the key (candidates for re-hydration).
func (ix *Index) prepareAnswer(e *reply, origins []string) {
	e.plain = answer{header: e.header, body: e.body, length: e.length}
	if e.cut != "" {
		// A recorded cut is replayed byte for byte: the bytes received
		// and the length announced, which a rewrite would break.
		return
	}
	// A recorded upstream failure is oauthcompat's own message about the
	// upstream: its URLs name that upstream, not a server to point at.
	if !ix.opts.KeepURLs && e.header.Get(cassettes.ErrorHeader) == "" {
		for _, o := range origins {
			if bytes.Contains(e.body, []byte(o)) || headersMention(e.header, o) {
				e.origins = append(e.origins, o)
			}
		}
	}
	if r := ix.opts.Redactor; r != nil {
		seen := map[string]bool{}
		add := func(s string) {
			for _, m := range redact.TokenPattern.FindAllString(s, -1) {
				if !seen[m] && r.Token(m) == m {
					seen[m] = true
					e.pseudonyms = append(e.pseudonyms, m)
				}
			}
		}
		add(string(e.body))
		for _, vs := range e.header {
			for _, v := range vs {
				add(v)
			}
		}
	}
}

func headersMention(h http.Header, s string) bool {
	for _, k := range urlHeaders {
		for _, v := range h[k] {
			if strings.Contains(v, s) {
				return true
			}
		}
	}
	return false
}

// liveOrigin is the origin a request was sent to: the server's own for a
// request it received, the URL's for a request a client is sending.
func liveOrigin(r *http.Request, server bool) string {
	if server || r.URL.Host == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if r.Host == "" {
			return ""
		}
		return scheme + "://" + r.Host
	}
	scheme := r.URL.Scheme
	if scheme == "" {
		scheme = "http"
	}
	return scheme + "://" + r.URL.Host
}

// answer returns the answer e to r: with the recorded origins replaced by
// the live one (unless Options.KeepURLs), and with the key, every
// pseudonym of a secret the request carried replaced by that secret
// (re-hydration). body is the request body and red the request as the
// redactor pseudonymised it (nil without a key); server says whether r
// was received by the replay server rather than sent through it.
func (ix *Index) answer(e *reply, r *http.Request, body []byte, red *cassette.Request, server bool) answer {
	a := e.plain
	if len(e.origins) > 0 {
		if o := liveOrigin(r, server); o != "" {
			a = e.rewritten(o)
		}
	}
	if len(e.pseudonyms) > 0 && red != nil {
		last := e.lastHydrate.Load()
		if pairs := ix.liveSecrets(e, r, body, red, last); len(pairs) > 0 {
			if last != nil && last.origin == a.origin && slices.Equal(last.pairs, pairs) {
				return last.answer
			}
			a = rehydrate(a, pairs)
			e.lastHydrate.Store(&hydrated{answer: a, pairs: pairs})
		}
	}
	return a
}

// hydrated is an answer re-hydrated with pairs (pseudonym, secret): the
// last one made for an entry is kept, as a client sends the same secret
// again and again.
type hydrated struct {
	answer
	pairs []string
}

// rewritten returns the answer e with its recorded origins replaced by
// origin. The last one made is kept: a replay server has one origin.
func (e *reply) rewritten(origin string) answer {
	if c := e.lastRewrite.Load(); c != nil && c.origin == origin {
		return *c
	}
	a := e.plain
	a.origin = origin
	rep := func(s string) string {
		for _, o := range e.origins {
			if o != origin {
				s = replaceOrigin(s, o, origin)
			}
		}
		return s
	}
	if body := rep(string(e.body)); body != string(e.body) {
		a.body = []byte(body)
		a.length = []string{strconv.Itoa(len(a.body))}
	}
	a.header = replaceHeaders(e.header, urlHeaders, rep)
	e.lastRewrite.Store(&a)
	return a
}

// replaceOrigin replaces each occurrence of the origin old in s by new,
// where it is a whole origin: not followed by more of a host name or
// port ("http://h:80" in "http://h:8080" is left alone).
func replaceOrigin(s, old, new string) string {
	var b strings.Builder
	last := 0
	for i := 0; ; {
		j := strings.Index(s[i:], old)
		if j < 0 {
			break
		}
		i += j
		end := i + len(old)
		if end < len(s) && hostByte(s[end]) {
			i = end
			continue
		}
		if last == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		b.WriteString(new)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// hostByte reports whether c may continue a host name or port.
func hostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '_'
}

// replaceHeaders returns h with rep applied to the values of the headers
// named (all of them when names is nil): h itself when nothing changes, else a
// copy whose changed values are new slices.
func replaceHeaders(h http.Header, names []string, rep func(string) string) http.Header {
	var out http.Header
	apply := func(k string, vs []string) {
		var changed []string
		for i, v := range vs {
			if nv := rep(v); nv != v {
				if changed == nil {
					changed = append([]string(nil), vs...)
				}
				changed[i] = nv
			}
		}
		if changed != nil {
			if out == nil {
				out = h.Clone()
			}
			out[k] = changed
		}
	}
	if names == nil {
		for k, vs := range h {
			apply(k, vs)
		}
	} else {
		for _, k := range names {
			if vs, ok := h[k]; ok {
				apply(k, vs)
			}
		}
	}
	if out == nil {
		return h
	}
	return out
}

// liveSecrets returns, as pairs (pseudonym, secret), the secrets the live
// request carried whose pseudonyms the answer e holds. A pseudonym has its
// secret's length, so where the pseudonymised request holds one, the live
// request holds its secret at the same place: in the body, the URL (a
// legacy path) and the Authorization credentials. Each pair is checked:
// the secret's pseudonym must be the one found.
func (ix *Index) liveSecrets(e *reply, r *http.Request, body []byte, red *cassette.Request, last *hydrated) []string {
	var pairs []string
	// known reports whether s is known to be p's secret: the last answer
	// re-hydrated it, so its pseudonym need not be derived again.
	known := func(p, s string) bool {
		if last == nil {
			return false
		}
		for i := 0; i+1 < len(last.pairs); i += 2 {
			if last.pairs[i] == p && last.pairs[i+1] == s {
				return true
			}
		}
		return false
	}
	find := func(live, pseudo string) {
		if len(live) != len(pseudo) || live == pseudo {
			return
		}
		for _, p := range e.pseudonyms {
			i := strings.Index(pseudo, p)
			if i < 0 || slices.Contains(pairs, p) {
				continue
			}
			if s := live[i : i+len(p)]; s != p && (known(p, s) || ix.opts.Redactor.Token(s) == p) {
				pairs = append(pairs, p, s)
			}
		}
	}
	find(string(body), red.Body)
	find(r.URL.String(), red.URL)
	if _, cred := redact.SplitAuthorization(cassettes.Header(r.Header, "Authorization")); cred != "" {
		_, redCred := redact.SplitAuthorization(red.Headers.Get("Authorization"))
		live, ok1 := decodeBasic(cred)
		pseudo, ok2 := decodeBasic(redCred)
		if !ok1 || !ok2 {
			live, pseudo = cred, redCred
		}
		find(live, pseudo)
	}
	return pairs
}

// rehydrate puts the secrets back into a: each pseudonym by its secret,
// and the fields derived from a token (hashed_token, the SHA-256 hex of
// the token; token_last_eight, its last eight characters) recomputed.
func rehydrate(a answer, pairs []string) answer {
	body := string(a.body)
	for i := 0; i < len(pairs); i += 2 {
		p, s := pairs[i], pairs[i+1]
		if !strings.Contains(body, p) {
			continue
		}
		body = strings.ReplaceAll(body, p, s)
		if hp := sha256Hex(p); strings.Contains(body, hp) {
			body = strings.ReplaceAll(body, hp, sha256Hex(s))
		}
		if len(p) >= 8 {
			// token_last_eight: a JSON string of the last eight characters.
			body = strings.ReplaceAll(body, `"`+p[len(p)-8:]+`"`, `"`+s[len(s)-8:]+`"`)
		}
	}
	out := a
	out.body = []byte(body)
	out.length = []string{strconv.Itoa(len(body))}
	out.header = replaceHeaders(a.header, nil, func(v string) string {
		for i := 0; i < len(pairs); i += 2 {
			if strings.Contains(v, pairs[i]) {
				v = strings.ReplaceAll(v, pairs[i], pairs[i+1])
			}
		}
		return v
	})
	return out
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
