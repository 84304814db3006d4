package conformance_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/reference"
)

// TestTargetErrorMasksLegacyToken breaks the connection in the middle of
// the answer to the legacy check, whose path carries a token: the setup
// error must say what failed without the token.
func TestTargetErrorMasksLegacyToken(t *testing.T) {
	v := version(t, "ghes-3.2")
	f := reference.DefaultFixtures()
	ts := broken(t, v, func(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
		if r.Method != "GET" || !strings.Contains(r.URL.Path, "/tokens/") {
			return false
		}
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		w.Write([]byte(`{"id":`))
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return true
	})
	creds := fixtureCreds(f)
	_, err := conformance.Run(context.Background(), conformance.Config{
		Version: v, BaseURL: ts.URL, Credentials: creds, Nonce: "t1",
		Only: []string{"GET /applications/{client_id}/tokens/{access_token}"},
	})
	var te *conformance.TargetError
	if !errors.As(err, &te) {
		t.Fatalf("Run: %v, want a *TargetError", err)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Run: %v, want it to wrap io.ErrUnexpectedEOF", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "read the answer to GET /applications/"+creds.ClientID+"/tokens/***") {
		t.Errorf("error %q does not name the request, masked", msg)
	}
	for _, tok := range creds.Tokens {
		if strings.Contains(msg, tok) || strings.Contains(msg, tok[4:]) {
			t.Errorf("error %q shows a token", msg)
		}
	}
}
