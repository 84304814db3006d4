package detect_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/oauthcompat/oauthcompat/detect"
	"github.com/oauthcompat/oauthcompat/reference"
)

// fake answers every request with status and the headers given, and
// GET .../meta with meta when it is set.
func fake(t *testing.T, status int, header map[string]string, meta string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if meta != "" && strings.HasSuffix(r.URL.Path, "/meta") {
			w.Write([]byte(meta))
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"message":"Not Found"}`))
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestVersion(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		want     string
		evidence string
	}{
		{"reference ghes-3.8", reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures()).URL, "ghes-3.8", "X-GitHub-Enterprise-Version: 3.8.0 on GET /meta"},
		{"reference ghes-2.19 under /api/v3", reference.NewTestServer(t, "ghes-2.19", reference.DefaultFixtures()).URL + "/api/v3/", "ghes-2.19", "X-GitHub-Enterprise-Version: 2.19.0 on GET /api/v3/meta"},
		{"reference github.ae", reference.NewTestServer(t, "github.ae", reference.DefaultFixtures()).URL, "github.ae", "X-GitHub-Enterprise-Version: GitHub AE on GET /meta"},
		{"reference api.github.com", reference.NewTestServer(t, "api.github.com", reference.DefaultFixtures()).URL, "api.github.com", "without X-GitHub-Enterprise-Version"},
		{"reference ghec answers as api.github.com", reference.NewTestServer(t, "ghec", reference.DefaultFixtures()).URL, "api.github.com", "GHEC answers alike: pass --version ghec"},
		{"a patch release", fake(t, 401, map[string]string{"X-GitHub-Enterprise-Version": "3.10.12"}, ""), "ghes-3.10", "3.10.12"},
		{"GitHub AE", fake(t, 404, map[string]string{"X-GitHub-Enterprise-Version": "GitHub AE"}, ""), "github.ae", "X-GitHub-Enterprise-Version: GitHub AE"},
		{"meta only", fake(t, 404, nil, `{"verifiable_password_authentication":true,"installed_version":"3.5.2"}`), "ghes-3.5", "installed_version 3.5.2 of GET /meta"},
		{"api.github.com", fake(t, 404, map[string]string{"X-GitHub-Api-Version-Selected": "2022-11-28", "X-RateLimit-Resource": "core"}, `{"verifiable_password_authentication":true}`), "api.github.com", "X-GitHub-Api-Version-Selected: 2022-11-28"},
		{"rate limits only", fake(t, 404, map[string]string{"X-RateLimit-Limit": "60"}, ""), "api.github.com", "X-RateLimit-Limit: 60"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := detect.Version(context.Background(), tc.base, detect.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Version.Name != tc.want || !strings.Contains(r.Evidence, tc.evidence) {
				t.Errorf("got %s, want %s from %q", r, tc.want, tc.evidence)
			}
		})
	}
}

func TestVersionFromRoot(t *testing.T) {
	// /meta is not there and says nothing; the root answers with the header.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("X-GitHub-Enterprise-Version", "3.2.1")
		}
		w.WriteHeader(404)
	}))
	defer ts.Close()
	r, err := detect.Version(context.Background(), ts.URL, detect.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Version.Name != "ghes-3.2" || r.Evidence != "X-GitHub-Enterprise-Version: 3.2.1 on GET /" {
		t.Errorf("got %s", r)
	}
}

func TestVersionErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	tests := []struct {
		name string
		base string
		is   error
		msg  string
	}{
		{"nothing names a version", fake(t, 404, nil, ""), detect.ErrUndetected, "GET /meta answered 404 and GET / answered 404"},
		{"unknown release", fake(t, 404, map[string]string{"X-GitHub-Enterprise-Version": "3.99.1"}, ""), detect.ErrUnknownVersion, "names ghes-3.99"},
		{"unreachable", closed, syscall.ECONNREFUSED, "cannot reach " + closed + " to detect its version"},
		{"not a URL", "ftp://example", nil, "not an http(s) URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := detect.Version(context.Background(), tc.base, detect.Config{})
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
		})
	}
}

func TestVersionSendsNoCredentials(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("%s %s carries credentials", r.Method, r.URL.Path)
		}
		w.Header().Set("X-GitHub-Enterprise-Version", "3.8.0")
	}))
	defer ts.Close()
	u := strings.Replace(ts.URL, "http://", "http://user:secret@", 1)
	if _, err := detect.Version(context.Background(), u, detect.Config{}); err != nil {
		t.Fatal(err)
	}
}
