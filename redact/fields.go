package redact

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// secretFields are the JSON, form and query field names whose values are
// always secret, whatever their shape.
var secretFields = map[string]bool{
	"client_secret": true,
	"password":      true,
	"access_token":  true,
	"refresh_token": true,
	"token":         true,
	"otp":           true,
}

// IsSecretField reports whether a JSON, form or query field of that name
// (compared case-insensitively) holds a secret: client_secret, password,
// access_token, refresh_token, token or otp. hashed_token and
// token_last_eight are derived from the token instead (see
// [Redactor.Response]).
func IsSecretField(name string) bool {
	if !isASCII(name) {
		return secretFields[strings.ToLower(name)]
	}
	// The names of secretFields, without hashing.
	switch len(name) {
	case 3:
		return strings.EqualFold(name, "otp")
	case 5:
		return strings.EqualFold(name, "token")
	case 8:
		return strings.EqualFold(name, "password")
	case 12:
		return strings.EqualFold(name, "access_token")
	case 13:
		return strings.EqualFold(name, "client_secret") || strings.EqualFold(name, "refresh_token")
	}
	return false
}

// lowerASCII appends name in lower case to dst when name is ASCII and fits
// in dst's capacity, as strings.ToLower would write it; ok is false
// otherwise (strings.ToLower then decides).
func lowerASCII(dst []byte, name string) (low []byte, ok bool) {
	if len(name) > cap(dst) {
		return nil, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 {
			return nil, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isClientIDField reports whether a field names an OAuth client id (or the
// user of Basic credentials).
func isClientIDField(name string) bool { return strings.EqualFold(name, "client_id") }

func contentType(h http.Header) string {
	if v := h["Content-Type"]; len(v) > 0 { // the canonical name, usually
		return v[0]
	}
	for k, v := range h {
		if strings.EqualFold(k, "Content-Type") && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// fixLength updates a recorded length after the body changed, and returns
// h with its Content-Length header updated (a copy when that changes it).
// An unknown length (-1, chunked) stays unknown.
func fixLength(length *int64, h http.Header, n int) http.Header {
	if *length >= 0 || n > 0 && *length != -1 {
		*length = int64(n)
	}
	want := strconv.Itoa(n)
	for k, vs := range h {
		if strings.EqualFold(k, "Content-Length") && (len(vs) != 1 || vs[0] != want) {
			h = maps.Clone(h) // the value slices are shared, not modified
			h[k] = []string{want}
		}
	}
	return h
}
