// Package contentcoding decodes HTTP bodies of every content coding a
// recording proxy meets, so that what is stored can be redacted: gzip (and
// x-gzip), deflate (zlib-wrapped or raw), br (brotli), zstd, identity, and
// any stack of them ("gzip, br": br was applied last, so it is undone
// first). Decoding is capped: a small compressed body (a zip bomb) can
// expand to gigabytes.
package contentcoding

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// ErrUnsupported is wrapped by the error of [Decode] for a coding it does
// not know.
var ErrUnsupported = errors.New("unsupported content coding")

// ErrTooLarge is wrapped by the error of [Decode] when the decoded body
// is longer than its limit.
var ErrTooLarge = errors.New("decoded body larger than the limit")

// Codings returns the content codings of a Content-Encoding header (every
// value, comma-separated lists included), in the order they were applied,
// lower case, without identity. None means the body is stored as it is.
func Codings(h http.Header) []string {
	var out []string
	for k, vs := range h {
		if !strings.EqualFold(k, "Content-Encoding") {
			continue
		}
		for _, v := range vs {
			for _, c := range strings.Split(v, ",") {
				c = strings.ToLower(strings.TrimSpace(c))
				if c != "" && c != "identity" {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// decodable are the codings [Decode] undoes, and identity.
var decodable = map[string]bool{"gzip": true, "x-gzip": true, "deflate": true, "br": true, "zstd": true, "identity": true, "*": false}

// Acceptable returns an Accept-Encoding header (its values) keeping only
// the codings [Decode] undoes, their weights kept, and whether it was so
// already (then the header is best sent as it is, and the string is "").
// Otherwise "" means none is left: send no Accept-Encoding, which asks
// for the body as it is.
func Acceptable(values []string) (string, bool) {
	if acceptable(values) {
		return "", true
	}
	var kept []string
	ok := true
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			name, _, _ := strings.Cut(item, ";")
			if !decodable[strings.ToLower(strings.TrimSpace(name))] {
				ok = false
				continue
			}
			kept = append(kept, item)
		}
	}
	return strings.Join(kept, ", "), ok
}

// acceptable reports, without allocating, whether every coding of values
// is decodable.
func acceptable(values []string) bool {
	for _, v := range values {
		for v != "" {
			item, rest, _ := strings.Cut(v, ",")
			v = rest
			name, _, _ := strings.Cut(item, ";")
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !decodable[name] && !decodable[strings.ToLower(name)] {
				return false
			}
		}
	}
	return true
}

// Decode undoes codings (in the order they were applied, see [Codings])
// on body, returning at most limit decoded bytes. When the decoded body
// is longer, it returns the first limit bytes and an error wrapping
// [ErrTooLarge]. truncated says body is only the beginning of the encoded
// body: it is decoded as far as it goes. An unknown coding, or a body that
// does not decode, is an error (wrapping [ErrUnsupported] for the first):
// the caller must not store the body as it came.
func Decode(codings []string, body []byte, limit int64, truncated bool) ([]byte, error) {
	out := body
	for k := len(codings) - 1; k >= 0; k-- {
		r, closeFn, err := reader(codings[k], out)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(r, limit+1))
		closeFn()
		if err != nil && !(truncated && isCut(err)) {
			return nil, fmt.Errorf("decode %s: %w", codings[k], err)
		}
		if int64(len(b)) > limit {
			return b[:limit], fmt.Errorf("decode %s: %w (%d bytes)", codings[k], ErrTooLarge, limit)
		}
		out = b
	}
	return out, nil
}

// isCut reports whether err is what a decoder says at the end of input
// that was cut short.
func isCut(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "unexpected EOF")
}

func reader(coding string, body []byte) (io.Reader, func(), error) {
	nop := func() {}
	switch coding {
	case "gzip", "x-gzip":
		r, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, nil, fmt.Errorf("decode %s: %w", coding, err)
		}
		return r, nop, nil
	case "deflate":
		// HTTP's deflate is zlib-wrapped; some servers send raw DEFLATE.
		if r, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			return r, nop, nil
		}
		return flate.NewReader(bytes.NewReader(body)), nop, nil
	case "br":
		return brotli.NewReader(bytes.NewReader(body)), nop, nil
	case "zstd":
		d, err := zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, nil, fmt.Errorf("decode %s: %w", coding, err)
		}
		return d, d.Close, nil
	}
	return nil, nil, fmt.Errorf("%w %q", ErrUnsupported, coding)
}

// Encode applies codings to body in order, as a server does (the last
// one is outermost): gzip, x-gzip, deflate (zlib-wrapped), br or zstd. It
// is what tests of decoding encode with.
func Encode(codings []string, body []byte) ([]byte, error) {
	for _, c := range codings {
		var out bytes.Buffer
		var w io.WriteCloser
		switch c {
		case "gzip", "x-gzip":
			w = gzip.NewWriter(&out)
		case "deflate":
			w = zlib.NewWriter(&out)
		case "br":
			w = brotli.NewWriter(&out)
		case "zstd":
			zw, err := zstd.NewWriter(&out)
			if err != nil {
				return nil, fmt.Errorf("encode zstd: %w", err)
			}
			w = zw
		default:
			return nil, fmt.Errorf("encode: %w %q", ErrUnsupported, c)
		}
		if _, err := w.Write(body); err != nil {
			return nil, fmt.Errorf("encode %s: %w", c, err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("encode %s: %w", c, err)
		}
		body = out.Bytes()
	}
	return body, nil
}
