package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Finding kinds reported by [Lint].
const (
	FindingYAML         = "cassette-invalid"    // the file does not load
	FindingNoOperation  = "no-operation"        // the request matches no catalog operation of the version
	FindingUndocumented = "undocumented-status" // the status is not documented for the operation
	FindingSchema       = "schema-mismatch"     // the body fails the documented schema
	FindingSecret       = "unredacted-secret"   // something looks like a secret left in clear
	FindingHash         = "inconsistent-hash"   // hashed_token is not the SHA-256 of token
)

// Finding is one problem [Lint] found in a cassette. It never holds a
// secret: it names where the secret is, not what it is.
type Finding struct {
	File        string `json:"file"`
	Interaction int    `json:"interaction"` // -1 for the whole file
	Method      string `json:"method,omitempty"`
	Path        string `json:"path,omitempty"`
	Kind        string `json:"kind"`
	// Info is set for findings that are worth knowing but not wrong: a
	// status the version does not document (GitHub answers more statuses
	// than it documents).
	Info    bool   `json:"info,omitempty"`
	Message string `json:"message"`
}

// String formats f as "FILE: interaction N (METHOD PATH): kind: message".
func (f Finding) String() string {
	kind := f.Kind
	if f.Info {
		kind += " (info)"
	}
	if f.Interaction < 0 {
		return fmt.Sprintf("%s: %s: %s", f.File, kind, f.Message)
	}
	return fmt.Sprintf("%s: interaction %d (%s %s): %s: %s", f.File, f.Interaction, f.Method, f.Path, kind, f.Message)
}

// LintOptions configures [Lint].
type LintOptions struct {
	// Version overrides the version the directory names say.
	Version string
	// Redactor, when set (the key the cassettes were recorded with), makes
	// the secret check exact: anything its redaction would still change is
	// an unredacted secret. Without it, every credential header, OTP,
	// password and client secret is reported, as it cannot be told from a
	// pseudonym.
	Redactor *redact.Redactor
}

// Lint checks every cassette at path (a directory, recursively, or one
// file): that it loads, that each interaction matches a catalog operation
// of its version, that each response fits the documented schema for its
// status, and that no secret is left in clear. The error is for path
// itself (missing, unreadable); problems in files are findings.
func Lint(path string, opts LintOptions) ([]Finding, error) {
	files, err := cassetteFiles(path)
	if err != nil {
		return nil, err
	}
	var override *schemas.Version
	if opts.Version != "" {
		if override, err = schemas.Default().Version(opts.Version); err != nil {
			return nil, fmt.Errorf("lint: %w", err)
		}
	}
	var out []Finding
	for _, f := range files {
		c, err := cassettes.Load(f.path)
		if err != nil {
			out = append(out, Finding{File: f.path, Interaction: -1, Kind: FindingYAML, Message: err.Error()})
			continue
		}
		v := f.version
		if override != nil {
			v = override
		}
		if opts.Redactor != nil {
			// Let the redactor learn the hashes it produced for this
			// cassette's tokens, so a hashed_token shown without its token
			// (a later GET) is recognised as a pseudonym.
			for _, it := range c.Interactions {
				resp := it.Response
				resp.Headers = resp.Headers.Clone()
				opts.Redactor.Response(&resp)
			}
		}
		for i, it := range c.Interactions {
			out = append(out, lintInteraction(f.path, i, it, v, opts.Redactor)...)
		}
	}
	return out, nil
}

func lintInteraction(file string, i int, it *cassette.Interaction, v *schemas.Version, r *redact.Redactor) []Finding {
	path := it.Request.URL
	if u, err := url.Parse(it.Request.URL); err == nil {
		path = u.Path
	}
	base := Finding{File: file, Interaction: i, Method: it.Request.Method, Path: path}
	var out []Finding
	add := func(kind, format string, a ...any) {
		f := base
		f.Kind, f.Message, f.Info = kind, fmt.Sprintf(format, a...), kind == FindingUndocumented
		out = append(out, f)
	}
	lintSecrets(it, r, add)
	lintHashes(it.Response.Body, add)

	var op *schemas.Operation
	var ok bool
	if v != nil {
		op, ok = v.Match(it.Request.Method, path)
		if !ok {
			if o, any := schemas.Default().Lookup(it.Request.Method, path); any {
				add(FindingNoOperation, "%s does not document %s (%s); re-record against the right version or move the cassette", v.Name, o.Key(), o.ID)
			} else {
				add(FindingNoOperation, "%s documents no operation for %s %s", v.Name, it.Request.Method, schemas.StripPrefix(path))
			}
			return out
		}
	} else if op, ok = schemas.Default().Lookup(it.Request.Method, path); !ok {
		if schemas.IsOAuthPath(path) {
			add(FindingNoOperation, "no catalog version documents %s %s", it.Request.Method, schemas.StripPrefix(path))
		}
		return out
	}
	if v == nil || it.Response.Headers.Get(cassettes.ErrorHeader) != "" || it.Response.Headers.Get(cassettes.TruncatedHeader) != "" {
		return out // no version to check against, or no real answer recorded
	}
	err := v.Validate(op.ID, it.Response.Code, []byte(it.Response.Body))
	var verr *schemas.ValidationError
	switch {
	case err == nil:
	case errors.As(err, &verr):
		for _, p := range verr.Problems {
			add(FindingSchema, "%s %s %d: %s", v.Name, op.ID, it.Response.Code, p)
		}
	case errors.Is(err, schemas.ErrUndocumented):
		add(FindingUndocumented, "%v", err)
	default:
		add(FindingSchema, "%v", err)
	}
	return out
}

// lintSecrets reports what still looks secret. With a redactor it is the
// fixed-point test: redacting again must change nothing.
func lintSecrets(it *cassette.Interaction, r *redact.Redactor, add func(kind, format string, a ...any)) {
	if r != nil {
		req := it.Request
		req.Headers = req.Headers.Clone()
		r.Request(&req)
		resp := it.Response
		resp.Headers = resp.Headers.Clone()
		r.Response(&resp)
		for _, h := range changedHeaders(it.Request.Headers, req.Headers) {
			add(FindingSecret, "request header %s holds a secret that is not a pseudonym of this key", h)
		}
		for _, h := range changedHeaders(it.Response.Headers, resp.Headers) {
			add(FindingSecret, "response header %s holds a secret that is not a pseudonym of this key", h)
		}
		if req.URL != it.Request.URL {
			add(FindingSecret, "the request URL holds a secret (query or path) that is not a pseudonym of this key")
		}
		if req.Body != it.Request.Body {
			add(FindingSecret, "the request body holds a secret that is not a pseudonym of this key")
		}
		if resp.Body != it.Response.Body && !sameButLastEight(it.Response.Body, resp.Body) {
			add(FindingSecret, "the response body holds a token that is not a pseudonym of this key")
		}
		return
	}
	for k, vs := range it.Request.Headers {
		switch http.CanonicalHeaderKey(k) {
		case "Authorization", "Proxy-Authorization":
			for _, v := range vs {
				if authComparable(v) {
					add(FindingSecret, "request header %s carries %s credentials; without the redaction key (--redact-key-file) they cannot be told from real ones", k, strings.Fields(v)[0])
				}
			}
		case "X-Github-Otp", "Cookie":
			add(FindingSecret, "request header %s is recorded; without the redaction key it cannot be told from a real one", k)
		}
	}
	for _, where := range []struct{ name, body string }{{"request", it.Request.Body}, {"response", it.Response.Body}} {
		var t any
		if json.Unmarshal([]byte(where.body), &t) != nil {
			continue
		}
		walkJSON(t, "", func(ptr, key string, val any) {
			s, ok := val.(string)
			if !ok || s == "" {
				return
			}
			switch strings.ToLower(key) {
			case "password":
				add(FindingSecret, "%s body %s holds a password", where.name, ptr)
			case "client_secret":
				if isHex40(s) {
					add(FindingSecret, "%s body %s holds a 40-hex client secret", where.name, ptr)
				}
			}
		})
	}
}

func changedHeaders(a, b http.Header) []string {
	var out []string
	for k, vs := range a {
		if strings.Join(vs, "\x00") != strings.Join(b[k], "\x00") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// lintHashes reports objects whose hashed_token is not the SHA-256 of
// their token: a token replaced without its hash, or the reverse.
func lintHashes(body string, add func(kind, format string, a ...any)) {
	var t any
	if json.Unmarshal([]byte(body), &t) != nil {
		return
	}
	var visit func(t any, ptr string)
	visit = func(t any, ptr string) {
		switch x := t.(type) {
		case map[string]any:
			tok, _ := x["token"].(string)
			h, _ := x["hashed_token"].(string)
			if tok != "" && h != "" {
				sum := sha256.Sum256([]byte(tok))
				if !strings.EqualFold(hex.EncodeToString(sum[:]), h) {
					add(FindingHash, "response body %s/hashed_token is not the SHA-256 of %s/token: the token or its hash was not redacted consistently", ptr, ptr)
				}
			}
			for k, v := range x {
				visit(v, ptr+"/"+k)
			}
		case []any:
			for i, v := range x {
				visit(v, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	visit(t, "")
}

func walkJSON(t any, ptr string, fn func(ptr, key string, val any)) {
	switch x := t.(type) {
	case map[string]any:
		for k, v := range x {
			fn(ptr+"/"+k, k, v)
			walkJSON(v, ptr+"/"+k, fn)
		}
	case []any:
		for i, v := range x {
			walkJSON(v, fmt.Sprintf("%s/%d", ptr, i), fn)
		}
	}
}

func isHex40(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLowerHex(s[i]) && !(s[i] >= 'A' && s[i] <= 'F') {
			return false
		}
	}
	return true
}

// sameButLastEight reports whether two JSON bodies differ only in the
// token_last_eight of objects that show no token. Redacting such an object
// again re-derives token_last_eight from the hash, which is not a fixed
// point of the redactor; it is not a secret either way (GitHub shows eight
// characters of a token it no longer reveals).
func sameButLastEight(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	strip(x)
	strip(y)
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func strip(t any) {
	switch x := t.(type) {
	case map[string]any:
		if tok, _ := x["token"].(string); tok == "" {
			delete(x, "token_last_eight")
		}
		for _, v := range x {
			strip(v)
		}
	case []any:
		for _, v := range x {
			strip(v)
		}
	}
}
