package redact

import (
	"encoding/base64"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// headers returns h redacted: h itself when nothing in it changes, else a
// copy whose changed values are in slices of their own (h and its value
// slices are never modified).
func (r *Redactor) headers(h http.Header, response bool) http.Header {
	var out http.Header
	for k, vs := range h {
		if nk := r.text(k); nk != k {
			// A token shape as a header name: the name is redacted, the
			// values as text.
			if out == nil {
				out = maps.Clone(h)
			}
			delete(out, k)
			nvs := make([]string, len(vs))
			for i, v := range vs {
				nvs[i] = r.credentials(r.text(v))
			}
			out[nk] = append(out[nk], nvs...)
			continue
		}
		var changed []string
		for i, v := range vs {
			nv := r.header(k, v, response)
			if nv == v {
				continue
			}
			if changed == nil {
				changed = slices.Clone(vs)
			}
			changed[i] = nv
		}
		if changed != nil {
			if out == nil {
				out = maps.Clone(h)
			}
			out[k] = changed
		}
	}
	if out == nil {
		return h
	}
	return out
}

func (r *Redactor) header(name, v string, response bool) string {
	switch kindOf(name) {
	case authorizationHeader:
		return r.authorization(v)
	case otpHeader:
		if IsOTPChallenge(v) {
			return v
		}
		return r.value(v)
	case cookieHeader:
		return r.cookies(v)
	case setCookieHeader:
		return r.setCookie(v)
	case errorHeader:
		return r.loose(v)
	}
	return r.credentials(r.text(v))
}

// IsOTPChallenge reports whether an X-GitHub-OTP value is GitHub's answer
// that a one-time password is required ("required; app", "required; sms"),
// which names the delivery, not a secret; every other value is one.
func IsOTPChallenge(v string) bool {
	rest, ok := strings.CutPrefix(strings.ToLower(v), "required;")
	rest = strings.TrimSpace(rest)
	if !ok || rest == "" || len(rest) > 16 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] < 'a' || rest[i] > 'z' {
			return false
		}
	}
	return true
}

// headerKind is how a header's value is redacted.
type headerKind int

const (
	textHeader headerKind = iota
	authorizationHeader
	otpHeader
	cookieHeader
	setCookieHeader
	errorHeader
)

// kindOf returns how the header of that name (in any case) is redacted.
func kindOf(name string) headerKind {
	switch len(name) {
	case 6, 10, 12, 13, 17, 19, 23: // the lengths of the names of headerKinds
		if isASCII(name) {
			var buf [23]byte
			low, _ := lowerASCII(buf[:0], name)
			return headerKinds[string(low)]
		}
	}
	if isASCII(name) {
		return textHeader
	}
	return headerKinds[strings.ToLower(name)]
}

// headerKinds are the headers redacted otherwise than as text, by their
// names in lower case.
var headerKinds = map[string]headerKind{
	"authorization":       authorizationHeader,
	"proxy-authorization": authorizationHeader,
	"x-github-otp":        otpHeader,
	"cookie":              cookieHeader,
	"set-cookie":          setCookieHeader,
	// The recording's own notes on an upstream failure quote what the
	// upstream sent (cassettes.ErrorHeader, CutHeader, TruncatedHeader).
	"x-oauthcompat-error":     errorHeader,
	"x-oauthcompat-cut":       errorHeader,
	"x-oauthcompat-truncated": errorHeader,
}

// authorization redacts credentials of any scheme, keeping a well-known
// scheme word (see [SplitAuthorization]). Basic credentials become Basic of
// client_id:pseudonym, the user part readable unless the options say
// otherwise. A value without a well-known scheme is pseudonymised whole.
func (r *Redactor) authorization(v string) string {
	// A client sends the same credentials with every request.
	out := r.authMemo.get(v, r.redactAuthorization)
	if r.seen != nil && out != v {
		cred, pass, _ := strings.Cut(r.authNotes.get(v, authSecrets), "\x00")
		r.note(cred, "")
		r.note(pass, "")
	}
	return out
}

// authSecrets returns the secrets of an Authorization value, for
// [Redactor.Redact] to collect: the credentials, and for Basic the
// password, separated by a NUL.
func authSecrets(v string) string {
	scheme, cred := SplitAuthorization(v)
	if !strings.EqualFold(scheme, "basic") {
		return cred
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return cred
	}
	_, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		pass = string(raw)
	}
	return cred + "\x00" + pass
}

func (r *Redactor) redactAuthorization(v string) string {
	scheme, cred := SplitAuthorization(v)
	switch {
	case scheme == "":
		return r.value(cred)
	case strings.EqualFold(scheme, "basic"):
		return scheme + " " + r.basic(cred)
	}
	return scheme + " " + r.value(cred)
}

// authSchemes are the HTTP authentication schemes kept readable, in lower
// case.
var authSchemes = map[string]bool{
	"basic": true, "bearer": true, "token": true, "digest": true, "negotiate": true,
	"ntlm": true, "hoba": true, "mutual": true, "vapid": true, "dpop": true,
	"scram-sha-1": true, "scram-sha-256": true, "aws4-hmac-sha256": true, "oauth": true,
}

// SplitAuthorization splits an Authorization (or Proxy-Authorization)
// value into its scheme and credentials, white space trimmed. The scheme is
// kept only when it is a well-known one (Basic, Bearer, token, Digest,
// Negotiate, ...; its spelling as sent); anything else, a bare credential
// ("Authorization: <token>") or a first word that is no known scheme, is
// all credentials and scheme is "", so a credential is never taken for a
// scheme and shown.
func SplitAuthorization(v string) (scheme, cred string) {
	v = strings.TrimSpace(v)
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok || !authSchemes[strings.ToLower(scheme)] {
		return "", v
	}
	return scheme, strings.TrimSpace(cred)
}

func (r *Redactor) basic(cred string) string {
	user, pass, colon, ok := DecodeBasic(cred)
	if !ok {
		return r.value(cred)
	}
	if !colon {
		return base64.StdEncoding.EncodeToString([]byte(r.value(user)))
	}
	return base64.StdEncoding.EncodeToString([]byte(r.clientID(user) + ":" + r.value(pass)))
}

// cookies redacts every value of a Cookie header, keeping the names.
func (r *Redactor) cookies(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			parts[i] = r.value(strings.TrimSpace(p))
			if strings.HasPrefix(p, " ") {
				parts[i] = " " + parts[i]
			}
			continue
		}
		parts[i] = name + "=" + r.cookieValue(val)
	}
	return strings.Join(parts, ";")
}

// setCookie redacts the value of a Set-Cookie header, keeping its name and
// attributes.
func (r *Redactor) setCookie(v string) string {
	first, attrs, hasAttrs := strings.Cut(v, ";")
	name, val, ok := strings.Cut(first, "=")
	if !ok {
		first = r.value(first)
	} else {
		first = name + "=" + r.cookieValue(val)
	}
	if !hasAttrs {
		return first
	}
	parts := strings.Split(attrs, ";")
	for i, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		if cookieAttrs[strings.ToLower(strings.TrimSpace(name))] {
			parts[i] = r.text(p)
			continue
		}
		// Not an attribute: a value cut by a stray ";". Redact it.
		lead := p[:len(p)-len(strings.TrimLeft(p, " "))]
		parts[i] = lead + r.value(strings.TrimSpace(p))
	}
	return first + ";" + strings.Join(parts, ";")
}

// cookieAttrs are the Set-Cookie attributes kept readable.
var cookieAttrs = map[string]bool{
	"path": true, "domain": true, "expires": true, "max-age": true, "secure": true,
	"httponly": true, "samesite": true, "partitioned": true, "priority": true, "": true,
}

func (r *Redactor) cookieValue(val string) string {
	if q := strings.TrimPrefix(strings.TrimSuffix(val, `"`), `"`); len(q) == len(val)-2 && len(val) >= 2 {
		return `"` + r.value(q) + `"`
	}
	return r.value(val)
}

// echoedCredential finds credentials written out as in an Authorization
// header ("Basic dXNlcjpwYXNz", "token 1a2b...", "Bearer ...") in text
// that is no such header: a response echoing the request, a debug dump.
var echoedCredential = regexp.MustCompile(`(?i)\b(basic|bearer|token)\s+([A-Za-z0-9+/=._~-]{8,})`)

// credentials pseudonymises the echoed credentials in s (see
// echoedCredential): Basic credentials that decode as base64, and Bearer
// or token credentials of at least 8 characters with a digit in them (so
// "token expired" stays readable).
func (r *Redactor) credentials(s string) string {
	if !mayHoldCredential(s) {
		return s
	}
	idx := echoedCredential.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		scheme, cred := s[m[2]:m[3]], s[m[4]:m[5]]
		if !isCredential(scheme, cred) {
			continue
		}
		b.WriteString(s[last:m[4]])
		if strings.EqualFold(scheme, "basic") {
			b.WriteString(r.basic(cred))
		} else {
			b.WriteString(r.value(cred))
		}
		last = m[5]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isCredential reports whether cred, after an authentication scheme in
// text, looks like a credential rather than a word.
func isCredential(scheme, cred string) bool {
	if strings.EqualFold(scheme, "basic") {
		_, err := base64.StdEncoding.DecodeString(cred)
		return err == nil
	}
	return strings.ContainsAny(cred, "0123456789")
}

// echoed redacts the value of a field that is not named as secret but
// holds credentials as an Authorization header does: a field named
// Authorization (any case), or a value that is a scheme and a credential
// (see [Redactor.credentials]).
func (r *Redactor) echoed(name, v string) string {
	if kindOf(name) == authorizationHeader {
		return r.authorization(v)
	}
	return r.credentials(v)
}
