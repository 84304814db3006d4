package reference_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestVerboseLogMasksPathTokens checks the request log (--verbose) masks
// the token segment of a legacy path by its position, whatever its shape
// and the method, and token-shaped strings anywhere in a path.
func TestVerboseLogMasksPathTokens(t *testing.T) {
	v, err := schemas.Default().Version("3.0")
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	s, err := reference.New(v, reference.DefaultFixtures(), reference.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	const odd = "notshapedlikeatoken42"
	tests := []struct {
		method, path, secret, want string
	}{
		{"GET", "/applications/" + app1 + "/tokens/" + tok(0), tok(0), "/applications/" + app1 + "/tokens/REDACTED"},
		{"PUT", "/api/v3/applications/" + app1 + "/tokens/" + odd, odd, "/api/v3/applications/" + app1 + "/tokens/REDACTED"},
		{"DELETE", "/applications/" + app1 + "/grants/" + odd, odd, "/applications/" + app1 + "/grants/REDACTED"},
		{"GET", "/authorizations/" + tok(1), tok(1), "/authorizations/REDACTED"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		req.Header.Set("Authorization", basic(app1, secret1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out := logs.String()
		if strings.Contains(out, tc.secret) {
			t.Errorf("%s %s: the log holds the token:\n%s", tc.method, tc.path, out)
		}
		if !strings.Contains(out, "path="+tc.want) {
			t.Errorf("%s %s: the log does not show path=%s:\n%s", tc.method, tc.path, tc.want, out)
		}
	}
	if strings.Contains(logs.String(), secret1) {
		t.Errorf("the log holds the client secret:\n%s", logs.String())
	}
}
