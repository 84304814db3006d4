package proxy

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadBody holds that a request body is read whole whatever its
// declared length says, and that a body shorter than declared fails.
func TestReadBody(t *testing.T) {
	const body = `{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a"}`
	for _, tc := range []struct {
		name    string
		r       io.Reader
		length  int64
		want    string
		wantErr bool
	}{
		{"exact", strings.NewReader(body), int64(len(body)), body, false},
		{"unknown", strings.NewReader(body), -1, body, false},
		{"longer than declared", strings.NewReader(body), 10, body, false},
		{"shorter than declared", strings.NewReader(body), int64(len(body)) + 5, "", true},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader(body)), int64(len(body)), body, false},
		{"data with EOF", iotest.DataErrReader(strings.NewReader(body)), int64(len(body)), body, false},
		{"error at the end", io.MultiReader(strings.NewReader(body), iotest.ErrReader(io.ErrClosedPipe)), int64(len(body)), "", true},
	} {
		got, err := readBody(tc.r, tc.length)
		if (err != nil) != tc.wantErr || !tc.wantErr && string(got) != tc.want {
			t.Errorf("%s: got %q, %v; want %q (error %v)", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}
