package redact

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Options changes what a [Redactor] treats as secret. The zero value is
// the default.
type Options struct {
	// PseudonymizeClientID replaces OAuth client ids (and the user name of
	// Basic credentials) with pseudonyms too. By default they stay readable:
	// a client id is not a secret, and it names the application a cassette
	// is about.
	PseudonymizeClientID bool
}

// Redactor replaces secrets in go-vcr interactions with keyed, stable,
// shape-preserving pseudonyms. It is safe for concurrent use.
type Redactor struct {
	*keyed
	seen *secretSet // the secrets replaced, when collecting (see Redact)
}

// keyed is what the Redactors of one key share.
type keyed struct {
	d         *deriver
	opts      Options
	authMemo  memo // Authorization values
	authNotes memo // Authorization values to their secrets (see authSecrets)
	hashMemo  memo // token pseudonyms to their hashed_token
}

// New returns a Redactor keyed with key, which must hold at least 16 bytes
// (use [LoadOrCreateKey]). New panics on a shorter key: a fixed or empty key
// would make pseudonyms guessable.
func New(key []byte, opts Options) *Redactor {
	if len(key) < minKeySize {
		panic("redact: key shorter than 16 bytes; use redact.LoadOrCreateKey or redact.NewRandom")
	}
	return &Redactor{keyed: &keyed{d: newDeriver(key), opts: opts}}
}

// NewRandom returns a Redactor with a fresh random key, for tests and
// ephemeral use: its pseudonyms match no other Redactor's.
func NewRandom() *Redactor {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		panic("redact: " + err.Error())
	}
	return New(key, Options{})
}

// Token returns the pseudonym of a token: a GitHub prefix (gho_, ghu_,
// ghp_, ghs_, ghr_, github_pat_) followed by at least 8 characters is
// kept, and the rest keeps its length and alphabet. A string without such a prefix is treated as by
// [Redactor.Secret]. Token of a pseudonym returns it unchanged.
func (r *Redactor) Token(tok string) string { return r.d.token(tok) }

// Secret returns the pseudonym of a secret: same length, drawn from the
// narrowest alphabet holding the secret (digits stay digits, lowercase hex
// stays lowercase hex, alphanumerics stay alphanumeric). Secret of a
// pseudonym returns it unchanged.
func (r *Redactor) Secret(s string) string { return r.d.secret(s) }

// Interaction redacts both sides of i in place. See [Redactor.Request] and
// [Redactor.Response]. Header and trailer maps are never modified: one
// that needs a change is replaced by a changed copy.
func (r *Redactor) Interaction(i *cassette.Interaction) {
	if i == nil {
		return
	}
	r.Request(&i.Request)
	r.Response(&i.Response)
}

// Request redacts a recorded request in place: credentials in headers
// (Authorization of any scheme, Proxy-Authorization, X-GitHub-OTP, Cookie),
// secret fields (see [IsSecretField]) in JSON bodies (at any depth under a
// secret member; a number there becomes a number of as many digits, or a
// string when that would not be JSON), form bodies, the recorded form (keys and values) and the
// query, tokens in the path (the legacy endpoints carry them there, see
// [schemas.SecretPathParams]), URL user info, and any string shaped like a
// token (see [TokenPattern]) anywhere. A body starting with "{" or "[" is
// JSON whatever its Content-Type; one that does not parse (cut at the
// recording cap, or malformed) is redacted leniently: the values of secret
// fields, an unterminated one at the end too, token shapes and runs of
// exactly 64 hex digits. It fixes content_length and the Content-Length
// header when the body changes. It is idempotent.
func (r *Redactor) Request(req *cassette.Request) {
	if req == nil {
		return
	}
	req.Headers = r.headers(req.Headers, false)
	req.Trailer = r.headers(req.Trailer, false)
	req.URL = r.url(req.Method, req.URL)
	if req.RequestURI != "" {
		req.RequestURI = r.requestURI(req.Method, req.RequestURI)
	}
	req.Host = r.text(req.Host)
	req.RemoteAddr = ""
	body := r.body(req.Body, contentType(req.Headers), false)
	req.Form = r.form(req.Form, req.Body, body)
	if body != req.Body {
		req.Body = body
		req.Headers = fixLength(&req.ContentLength, req.Headers, len(body))
	}
}

// Response redacts a recorded response in place: Set-Cookie values,
// secret fields and token-shaped strings in the body and headers (a body
// that does not parse as JSON, such as one cut at the recording cap, as
// [Redactor.Request] does). In a JSON
// object holding a token, hashed_token becomes the SHA-256 (hex) of the
// token's pseudonym and token_last_eight its last eight characters. In an
// object whose token is empty or missing (GitHub blanks it once the token
// is created), hashed_token and token_last_eight become pseudonyms of
// themselves: the same real hash gets the same pseudonymous hash in every
// interaction and every process with the key, whatever this Redactor saw
// before. (That hash is not the SHA-256 of the token's pseudonym: a hash
// cannot carry the tag that makes a pseudonym a fixed point, so matching it
// would need the create response in memory, and redacting again in another
// process would change it.) It fixes content_length and the Content-Length
// header when the body changes. It is idempotent.
func (r *Redactor) Response(resp *cassette.Response) {
	if resp == nil {
		return
	}
	resp.Headers = r.headers(resp.Headers, true)
	resp.Trailer = r.headers(resp.Trailer, true)
	resp.Status = r.loose(resp.Status)
	body := r.body(resp.Body, contentType(resp.Headers), true)
	if body != resp.Body {
		resp.Body = body
		resp.Headers = fixLength(&resp.ContentLength, resp.Headers, len(body))
	}
}

// value pseudonymises a secret value of any shape.
func (r *Redactor) value(s string) string { return r.note(s, r.d.token(s)) }

// secret is [Redactor.Secret], noting what it replaces.
func (r *Redactor) secret(s string) string { return r.note(s, r.d.secret(s)) }

// text replaces every token shape of s (see [FindTokens]: glued to what
// comes before or not, percent-encoded or not) by its pseudonym, except
// one inside a pseudonym of this key: a pseudonym drawn from the
// printable alphabet ("gho_" and "abcdefghijklmnop*q") may hold a token
// shape, and redacting that part would break idempotence.
func (r *Redactor) text(s string) string {
	if !mayHoldToken(s) {
		return s
	}
	spans := FindTokens(s)
	kept := spans[:0]
	for _, sp := range spans {
		if !isKnown(s, sp, r.Known) {
			kept = append(kept, sp)
		}
	}
	return replaceSpans(s, kept, r.tokenValue)
}

// replaceSpans returns s with the text of each span (in order, apart)
// replaced by f of it.
func replaceSpans(s string, spans []Span, f func(string) string) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.Start])
		b.WriteString(f(s[sp.Start:sp.End]))
		last = sp.End
	}
	b.WriteString(s[last:])
	return b.String()
}

// tokenValue is the pseudonym of a token shape as found in the text: one
// whose characters were percent-encoded is decoded first (a pseudonym
// needs no escaping).
func (r *Redactor) tokenValue(raw string) string {
	if strings.IndexByte(raw, '%') >= 0 {
		for range 2 {
			d, err := url.PathUnescape(raw)
			if err != nil {
				break
			}
			raw = d
		}
	}
	return r.value(raw)
}

// ReplaceTokens returns s with every token shape (see [FindTokens]:
// glued to what comes before or not, percent-encoded or not) replaced by
// f of it, as it appears in s. It costs little on strings that cannot hold
// a token.
func ReplaceTokens(s string, f func(token string) string) string {
	if !mayHoldToken(s) {
		return s
	}
	return replaceSpans(s, FindTokens(s), f)
}

// clientID pseudonymises a client id (or Basic user name) when the options
// say so; otherwise it only replaces token-shaped strings.
func (r *Redactor) clientID(s string) string {
	if r.opts.PseudonymizeClientID {
		return r.value(s)
	}
	return r.text(s)
}

// derivedFields returns the hashed_token and token_last_eight of a token
// pseudonym: its SHA-256 (hex) and its last eight characters.
func (r *Redactor) derivedFields(pseudo string) (hashed, last8 string) {
	hashed = r.hashMemo.get(pseudo, sha256Hex)
	if len(pseudo) >= 8 {
		last8 = pseudo[len(pseudo)-8:]
	} else {
		last8 = pseudo
	}
	return hashed, last8
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// mayHoldToken is a cheap filter before [FindTokens]: a match needs 20
// characters and either gh[pousr]_, github_pat_ (both end in "_", which
// IndexByte finds fast), a run of 40 lowercase hex digits, or a "%" (a
// percent-encoded one).
func mayHoldToken(s string) bool {
	if len(s) < 20 {
		return false
	}
	if strings.IndexByte(s, '%') >= 0 {
		return true
	}
	for i := 0; ; i++ {
		j := strings.IndexByte(s[i:], '_')
		if j < 0 {
			break
		}
		i += j
		if i >= 3 && s[i-3] == 'g' && s[i-2] == 'h' && strings.IndexByte("pousr", s[i-1]) >= 0 ||
			i >= 10 && s[i-10:i] == "github_pat" {
			return true
		}
	}
	return hexRun40(s)
}

// hexRun40 reports whether s holds 40 lowercase hex digits in a row. It
// looks at every 40th byte first: a run of 40 must cover one of them.
func hexRun40(s string) bool {
	for i := 39; i < len(s); {
		if !lowerHex[s[i]] {
			i += 40
			continue
		}
		start := i // the run holding s[i] starts at start
		for start > 0 && lowerHex[s[start-1]] && i-start < 39 {
			start--
		}
		end := i + 1
		for end < len(s) && lowerHex[s[end]] && end-start < 40 {
			end++
		}
		if end-start >= 40 {
			return true
		}
		i = end + 40 // s[end] is not hex: a run of 40 starts after it
	}
	return false
}

// lowerHex holds the digits of a 40-hex token.
var lowerHex = func() (t [256]bool) {
	for _, c := range []byte("0123456789abcdef") {
		t[c] = true
	}
	return t
}()
