package convert

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// hopByHop are the headers that describe one connection, not the message,
// and Content-Length, which each tool computes for itself.
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true,
}

// header is one header line, in the order exports list them.
type header struct{ name, value string }

// requestHeaders lists what the client sent: canonical names sorted,
// without hop-by-hop headers and without the operation label the recorder
// adds.
func requestHeaders(h http.Header) []header {
	return headerList(h, func(k string) bool { return k == cassettes.OperationHeader })
}

// responseHeaders lists what the server answered, without hop-by-hop
// headers, and without a Content-Encoding the stored body is not in.
func responseHeaders(h http.Header, body string) []header {
	enc := encoded(h.Values("Content-Encoding"), body)
	return headerList(h, func(k string) bool { return k == "Content-Encoding" && !enc })
}

func headerList(h http.Header, drop func(string) bool) []header {
	keys := make([]string, 0, len(h))
	canon := map[string][]string{}
	for k, vs := range h {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if hopByHop[ck] || drop(ck) {
			continue
		}
		if _, ok := canon[ck]; !ok {
			keys = append(keys, ck)
		}
		canon[ck] = append(canon[ck], vs...)
	}
	sort.Strings(keys)
	var out []header
	for _, k := range keys {
		for _, v := range canon[k] {
			out = append(out, header{k, v})
		}
	}
	return out
}

// encoded reports whether body really is in the recorded Content-Encoding
// (a recorder may have stored it decoded).
func encoded(enc []string, body string) bool {
	for _, e := range enc {
		switch strings.ToLower(strings.TrimSpace(e)) {
		case "gzip", "x-gzip":
			return strings.HasPrefix(body, "\x1f\x8b")
		case "", "identity":
		default:
			return !utf8.ValidString(body)
		}
	}
	return false
}

// operation is the catalog operation the recorder labelled i with.
func operation(i *cassette.Interaction) string {
	return cassettes.Header(i.Request.Headers, cassettes.OperationHeader)
}

// statusText is the reason phrase of a recorded response.
func statusText(r *cassette.Response) string {
	if _, text, ok := strings.Cut(r.Status, " "); ok && strings.HasPrefix(r.Status, strconv.Itoa(r.Code)) {
		return text
	}
	return http.StatusText(r.Code)
}

// isJSON reports whether body is a JSON object or array.
func isJSON(body string) bool {
	t := bytes.TrimSpace([]byte(body))
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t)
}

// mimeType is the media type of a body by its Content-Type header, or
// a guess from the body.
func mimeType(h http.Header, body string) string {
	if ct := h.Get("Content-Type"); ct != "" {
		return ct
	}
	switch {
	case body == "":
		return ""
	case isJSON(body):
		return "application/json"
	case utf8.ValidString(body):
		return "text/plain"
	}
	return "application/octet-stream"
}
