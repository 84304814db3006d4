package contentcoding_test

import (
	"bytes"
	"compress/flate"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/internal/contentcoding"
)

// Encode is [contentcoding.Encode], with raw DEFLATE ("deflate-raw") too.
func Encode(t testing.TB, codings []string, body []byte) []byte {
	t.Helper()
	if len(codings) == 1 && codings[0] == "deflate-raw" {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestSpeed)
		w.Write(body)
		w.Close()
		return b.Bytes()
	}
	out, err := contentcoding.Encode(codings, body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecode(t *testing.T) {
	plain := []byte(`{"token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`)
	for _, codings := range [][]string{
		{"gzip"}, {"x-gzip"}, {"deflate"}, {"br"}, {"zstd"},
		{"gzip", "br"}, {"zstd", "gzip", "deflate"}, {"br", "br"},
	} {
		t.Run(strings.Join(codings, ","), func(t *testing.T) {
			h := http.Header{"Content-Encoding": {strings.Join(codings, ", ")}}
			got, err := contentcoding.Decode(contentcoding.Codings(h), Encode(t, codings, plain), 1<<20, false)
			if err != nil || !bytes.Equal(got, plain) {
				t.Errorf("Decode = %q, %v; want %q", got, err, plain)
			}
		})
	}
	t.Run("raw deflate", func(t *testing.T) {
		got, err := contentcoding.Decode([]string{"deflate"}, Encode(t, []string{"deflate-raw"}, plain), 1<<20, false)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("Decode = %q, %v", got, err)
		}
	})
	t.Run("identity and header lists", func(t *testing.T) {
		h := http.Header{"Content-Encoding": {"identity", "gzip , BR"}}
		if got := contentcoding.Codings(h); strings.Join(got, ",") != "gzip,br" {
			t.Errorf("Codings = %q", got)
		}
	})
	t.Run("unknown coding", func(t *testing.T) {
		if _, err := contentcoding.Decode([]string{"compress"}, plain, 1<<20, false); !errors.Is(err, contentcoding.ErrUnsupported) {
			t.Errorf("err = %v, want ErrUnsupported", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		for _, c := range []string{"gzip", "br", "zstd"} {
			if _, err := contentcoding.Decode([]string{c}, plain, 1<<20, false); err == nil {
				t.Errorf("%s: plain text decoded without an error", c)
			}
		}
	})
	t.Run("bomb capped", func(t *testing.T) {
		for _, c := range []string{"gzip", "br", "zstd"} {
			bomb := Encode(t, []string{c}, bytes.Repeat([]byte{'a'}, 32<<20))
			got, err := contentcoding.Decode([]string{c}, bomb, 1<<20, false)
			if !errors.Is(err, contentcoding.ErrTooLarge) || len(got) != 1<<20 {
				t.Errorf("%s: %d bytes, %v; want the cap and ErrTooLarge", c, len(got), err)
			}
		}
	})
	t.Run("truncated decodes as far as it goes", func(t *testing.T) {
		long := bytes.Repeat(plain, 200)
		for _, c := range []string{"gzip", "br", "zstd"} {
			enc := Encode(t, []string{c}, long)
			got, err := contentcoding.Decode([]string{c}, enc[:len(enc)*3/4], 1<<20, true)
			if err != nil || !bytes.HasPrefix(long, got) {
				t.Errorf("%s: %d bytes, %v", c, len(got), err)
			}
		}
	})
}

func TestAcceptable(t *testing.T) {
	tests := []struct {
		in   []string
		want string
		ok   bool
	}{
		{nil, "", true},
		{[]string{"gzip, br"}, "", true},
		{[]string{"compress, exi;q=0.2", "GZIP;q=0.5, zstd"}, "GZIP;q=0.5, zstd", false},
		{[]string{"*"}, "", false},
		{[]string{"compress"}, "", false},
	}
	for _, tt := range tests {
		if got, ok := contentcoding.Acceptable(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("Acceptable(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
