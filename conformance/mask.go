package conformance

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/oauthcompat/oauthcompat/internal/secretscan"
	"github.com/oauthcompat/oauthcompat/redact"
)

// masked is what every secret becomes in evidence and dry-run output.
const masked = "***"

// legacyPathToken matches the token segment of the legacy path-token
// endpoints (/applications/{client_id}/tokens/{access_token} and
// .../grants/{access_token}) anywhere in a text, such as an error message
// quoting a request, whatever the token's shape.
var legacyPathToken = regexp.MustCompile(`(/applications/[^/\s?#"']+/(?:tokens|grants)/)[^/\s?#"']+`)

// secretFields are the JSON keys whose values are always masked.
var secretFields = map[string]bool{
	"access_token": true, "token": true, "client_secret": true, "password": true,
	"hashed_token": true, "token_last_eight": true, "refresh_token": true, "otp": true,
	"authorization": true, "proxy-authorization": true, "x-github-otp": true, "cookie": true, "set-cookie": true,
}

// masker hides secrets. Masking is not pseudonymising: every secret turns
// into the same mask, so the evidence of a live run and of its replay (where
// tokens are pseudonyms) read the same.
type masker struct {
	secrets []string // longest first
}

func newMasker(secrets ...string) *masker {
	m := &masker{}
	m.add(secrets...)
	return m
}

func (m *masker) add(secrets ...string) {
	for _, s := range secrets {
		if len(s) >= 4 && !contains(m.secrets, s) {
			m.secrets = append(m.secrets, s)
		}
	}
	sort.Slice(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// text masks known secrets and whatever the scanner finds in s (see
// [secretscan.Find]: token shapes glued or percent-encoded, legacy path
// tokens in any spelling, credentials after a scheme word), keeping a
// token's prefix so the reader still sees its kind. A nil masker masks
// what the scanner finds.
func (m *masker) text(s string) string {
	s = legacyPathToken.ReplaceAllStringFunc(s, func(m string) string {
		at := strings.LastIndexByte(m, '/') + 1
		if strings.HasPrefix(m[at:], "{") { // a path template
			return m
		}
		return m[:at] + masked
	})
	// Token shapes first: a live token and its replayed pseudonym then
	// mask the same way.
	s = secretscan.Mask(s, isMasked, func(t string) string {
		for _, p := range []string{"github_pat_", "gho_", "ghu_", "ghp_", "ghs_", "ghr_"} {
			if strings.HasPrefix(t, p) {
				return p + masked
			}
		}
		return masked
	})
	if m == nil {
		return s
	}
	for _, sec := range m.secrets {
		s = strings.ReplaceAll(s, sec, masked)
	}
	return s
}

// isMasked reports whether a value the scanner found is already a mask.
func isMasked(v string) bool { return strings.TrimLeft(v, "*") == "" }

// MaskText returns s with the secrets of the run masked: the credentials
// it was given and the tokens it minted, as its evidence is, and whatever
// the scanner finds (see [secretscan.Find]). A report read back from JSON
// knows no credentials, and a nil Report none: only the scanner masks. Every report writer passes
// every string through it.
func (r *Report) MaskText(s string) string {
	if s == "" {
		return s
	}
	if r == nil {
		return (*masker)(nil).text(s)
	}
	return r.mask.text(s)
}

// authorization masks an Authorization header: a Basic user name (a
// client id or login) stays readable, the password or token never does.
func (m *masker) authorization(v string) string {
	if v == "" {
		return ""
	}
	scheme, cred, _ := strings.Cut(strings.TrimSpace(v), " ")
	if strings.EqualFold(scheme, "basic") {
		if user, _, _, ok := redact.DecodeBasic(cred); ok {
			return scheme + " " + m.text(user) + ":" + masked
		}
	}
	return scheme + " " + masked
}

// body masks a body: JSON secret fields by key, then any secret left in
// the text. Non-JSON bodies are masked as text.
func (m *masker) body(b []byte) string {
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return ""
	}
	if t[0] == '{' || t[0] == '[' {
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil && !dec.More() {
			v = maskJSON(v)
			out, err := json.Marshal(v)
			if err == nil {
				return m.text(string(out))
			}
		}
	}
	return m.text(string(t))
}

func maskJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if secretFields[strings.ToLower(k)] {
				if s, ok := e.(string); ok && s != "" {
					x[k] = masked
				}
				continue
			}
			x[k] = maskJSON(e)
		}
	case []any:
		for i := range x {
			x[i] = maskJSON(x[i])
		}
	}
	return v
}
