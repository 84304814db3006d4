package redact

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// url redacts a request URL: user info, secret path parameters, query
// values and token-shaped strings. A URL that does not parse is redacted as
// text.
func (r *Redactor) url(method, raw string) string {
	if raw == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return r.text(raw)
	}
	if u.User != nil {
		name := r.clientID(u.User.Username())
		if p, ok := u.User.Password(); ok {
			u.User = url.UserPassword(name, r.value(p))
		} else {
			u.User = url.User(name)
		}
	}
	r.path(method, u)
	u.RawQuery = r.pairs(u.RawQuery)
	u.Fragment = r.text(u.Fragment)
	u.RawFragment = ""
	u.Host = r.text(u.Host)
	return u.String()
}

// requestURI redacts a request's raw request-target.
func (r *Redactor) requestURI(method, raw string) string {
	u, err := url.ParseRequestURI(raw)
	if err != nil || u.Opaque != "" {
		return r.text(raw)
	}
	if u.Scheme != "" {
		return r.url(method, raw)
	}
	r.path(method, u)
	u.RawQuery = r.pairs(u.RawQuery)
	return u.RequestURI()
}

// path redacts the path of u in place: the segments the catalog names as
// tokens (the legacy /applications/{client_id}/tokens/{access_token}
// endpoints), client ids when the options say so, and token-shaped
// segments.
func (r *Redactor) path(method string, u *url.URL) {
	escaped := u.EscapedPath()
	segs := strings.Split(escaped, "/")
	names := r.paramNames(method, escaped, len(segs))
	changed := false
	for i, seg := range segs {
		plain, err := url.PathUnescape(seg)
		if err != nil {
			plain = seg
		}
		var repl string
		switch name := names[i]; {
		case IsSecretField(name):
			repl = r.value(plain)
		case isClientIDField(name):
			repl = r.clientID(plain)
		default:
			repl = r.text(plain)
		}
		if repl != plain {
			segs[i] = url.PathEscape(repl)
			changed = true
		}
	}
	if !changed {
		return
	}
	escaped = strings.Join(segs, "/")
	if p, err := url.PathUnescape(escaped); err == nil {
		u.Path, u.RawPath = p, escaped
	}
}

// paramNames returns, for each of n "/"-separated segments of path, the
// catalog's name for it when it is a template parameter ("access_token",
// "client_id"), or "".
func (r *Redactor) paramNames(method, path string, n int) []string {
	names := make([]string, n)
	if !schemas.IsOAuthPath(path) {
		return names
	}
	op, ok := schemas.Default().Lookup(method, path)
	if !ok {
		return names
	}
	offset := 0
	if strings.HasPrefix(path, "/api/v3/") {
		offset = 2 // "api", "v3" after the leading ""
	}
	for i, s := range strings.Split(op.Path, "/") {
		if j := i + offset; j < n && strings.HasPrefix(s, "{") {
			names[j] = strings.Trim(s, "{}")
		}
	}
	return names
}

// values returns a redacted copy of a recorded form (nil stays nil).
func (r *Redactor) values(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		nv := make([]string, len(vs))
		for i, s := range vs {
			nv[i] = r.field(k, s)
		}
		out[r.text(k)] = nv
	}
	return out
}

// field redacts the value of a named form, query or JSON field.
func (r *Redactor) field(name, v string) string {
	switch {
	case v == "":
		return v
	case IsSecretField(name):
		return r.value(v)
	case isClientIDField(name):
		return r.clientID(v)
	}
	return r.text(v)
}

// pairs redacts an application/x-www-form-urlencoded string (a query or a
// form body), keeping the order and encoding of what it does not change.
func (r *Redactor) pairs(s string) string {
	if s == "" {
		return s
	}
	parts := strings.Split(s, "&")
	for i, p := range parts {
		k, v, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			parts[i] = r.text(p)
			continue
		}
		if nk := r.text(name); nk != name {
			k = url.QueryEscape(nk)
		}
		if !hasValue {
			parts[i] = k
			continue
		}
		plain, err := url.QueryUnescape(v)
		if err != nil {
			plain = v
		}
		if repl := r.field(name, plain); repl != plain {
			v = url.QueryEscape(repl)
		}
		parts[i] = k + "=" + v
	}
	return strings.Join(parts, "&")
}

var formShape = regexp.MustCompile(`^[A-Za-z0-9_.\-\[\]%*]+(=[^\s&]*)?(&[A-Za-z0-9_.\-\[\]%*]+(=[^\s&]*)?)*$`)

// looksLikeForm reports whether an untyped body has the shape of a form.
func looksLikeForm(s string) bool { return strings.Contains(s, "=") && formShape.MatchString(s) }
