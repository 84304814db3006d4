package replay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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

// prepareAnswer precomputes what adapting e's answer needs: which recorded
// origins its body and URL headers mention, and which of its secrets are
// pseudonyms of the key (candidates for re-hydration).
func (ix *Index) prepareAnswer(e *entry, origins []string) {
	e.plain = answer{header: e.header, body: e.body, length: e.length}
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

// answer returns e's answer to r: with the recorded origins replaced by
// the live one (unless Options.KeepURLs), and with the key, every
// pseudonym of a secret the request carried replaced by that secret
// (re-hydration). body is the request body; server says whether r was
// received by the replay server rather than sent through it.
func (ix *Index) answer(e *entry, r *http.Request, body []byte, server bool) answer {
	a := e.plain
	if len(e.origins) > 0 {
		if o := liveOrigin(r, server); o != "" {
			a = e.rewritten(o)
		}
	}
	if len(e.pseudonyms) > 0 {
		if pairs := ix.liveSecrets(e, r, body); len(pairs) > 0 {
			a = rehydrate(a, pairs)
		}
	}
	return a
}

// rewritten returns e's answer with its recorded origins replaced by
// origin. The last one made is kept: a replay server has one origin.
func (e *entry) rewritten(origin string) answer {
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

// liveSecrets returns, as replacer pairs (pseudonym, secret), the secrets
// the live request carried whose pseudonyms e's answer holds.
func (ix *Index) liveSecrets(e *entry, r *http.Request, body []byte) []string {
	var pairs []string
	seen := map[string]bool{}
	consider := func(s string) {
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		p := ix.opts.Redactor.Token(s)
		if p == s {
			return
		}
		for _, q := range e.pseudonyms {
			if q == p {
				pairs = append(pairs, p, s)
				return
			}
		}
	}
	tokens := func(s string) {
		for _, m := range redact.TokenPattern.FindAllString(s, -1) {
			consider(m)
		}
	}
	scheme, cred := redact.SplitAuthorization(r.Header.Get("Authorization"))
	switch strings.ToLower(scheme) {
	case "basic":
		if raw, ok := decodeBasic(cred); ok {
			_, pass, _ := strings.Cut(raw, ":")
			consider(pass)
		}
	default:
		consider(cred)
	}
	if p, err := url.PathUnescape(r.URL.EscapedPath()); err == nil {
		tokens(p)
	}
	for k, vs := range parseQuery(r.URL.RawQuery) {
		for _, v := range vs {
			if redact.IsSecretField(k) {
				consider(v)
			} else {
				tokens(v)
			}
		}
	}
	if len(body) > 0 {
		var t any
		if json.Unmarshal(body, &t) == nil {
			secretStrings(t, false, consider, tokens)
		} else {
			for k, vs := range parseQuery(string(body)) {
				for _, v := range vs {
					if redact.IsSecretField(k) {
						consider(v)
					}
				}
			}
			tokens(string(body))
		}
	}
	return pairs
}

// secretStrings calls secret for the strings under secret members and
// text for every other string of a decoded JSON value.
func secretStrings(t any, secret bool, secretFn, text func(string)) {
	switch x := t.(type) {
	case map[string]any:
		for k, v := range x {
			secretStrings(v, secret || redact.IsSecretField(k), secretFn, text)
		}
	case []any:
		for _, v := range x {
			secretStrings(v, secret, secretFn, text)
		}
	case string:
		if secret {
			secretFn(x)
		} else {
			text(x)
		}
	}
}

// rehydrate puts the secrets back into a: each pseudonym by its secret,
// and the fields derived from a token (hashed_token, the SHA-256 hex of
// the token; token_last_eight, its last eight characters) recomputed.
func rehydrate(a answer, pairs []string) answer {
	all := append([]string(nil), pairs...)
	for i := 0; i < len(pairs); i += 2 {
		p, s := pairs[i], pairs[i+1]
		all = append(all, sha256Hex(p), sha256Hex(s))
		if len(p) >= 8 && len(s) >= 8 {
			all = append(all, `"`+p[len(p)-8:]+`"`, `"`+s[len(s)-8:]+`"`)
		}
	}
	rep := strings.NewReplacer(all...)
	out := a
	out.body = []byte(rep.Replace(string(a.body)))
	out.header = replaceHeaders(a.header, nil, strings.NewReplacer(pairs...).Replace)
	out.length = []string{strconv.Itoa(len(out.body))}
	return out
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
