package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
)

// ErrorBody is the JSON body of the 502 response a client gets when
// upstream fails: {"message", "upstream", "error"}. The message says what
// failed, what to do and why (see [Describe]); the error is the cause,
// without the request URL.
func ErrorBody(upstream string, err error) []byte {
	b, _ := json.Marshal(struct {
		Message  string `json:"message"`
		Upstream string `json:"upstream"`
		Error    string `json:"error"`
	}{
		Message:  "oauthcompat: " + Describe(upstream, err),
		Upstream: upstream,
		Error:    errorText(err),
	})
	return b
}

// Reverse is a reverse proxy in front of [Config.Upstream] that records
// through a [Recorder].
type Reverse struct {
	*Recorder
	rp *httputil.ReverseProxy
}

// NewReverse returns a reverse proxy in front of cfg.Upstream that records
// through a [Recorder]. Responses stream to the client as they arrive (a
// body of unknown length is flushed as each piece arrives). An upstream
// URL with a path (https://ghe.example.com/api/v3) is a base URL: a
// request whose path already starts with it is sent as it is, any other
// gets it in front.
// When upstream is down, the client gets a 502 with the JSON body of
// [ErrorBody], and the failure is recorded. Close the returned proxy's
// Recorder to write the cassettes.
func NewReverse(cfg Config) (*Reverse, error) {
	if cfg.Upstream == nil || cfg.Upstream.Scheme == "" || cfg.Upstream.Host == "" {
		return nil, errors.New("new reverse proxy: upstream must be an absolute URL such as http://127.0.0.1:8080")
	}
	rec, err := NewRecorder(cfg)
	if err != nil {
		return nil, fmt.Errorf("new reverse proxy: %w", err)
	}
	target := cfg.Upstream
	prefix := strings.TrimSuffix(target.Path, "/")
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			if prefix != "" && hasPathPrefix(pr.In.URL.Path, prefix) {
				// The client's base URL already ends with the upstream's
				// path (both .../api/v3): do not send /api/v3/api/v3/...
				pr.Out.URL.Path, pr.Out.URL.RawPath = pr.In.URL.Path, pr.In.URL.RawPath
			}
		},
		Transport:  rec,
		BufferPool: &BufferPool{},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			upstream := target.Scheme + "://" + target.Host
			body := ErrorBody(upstream, err)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusBadGateway)
			w.Write(body)
		},
	}
	if cfg.Logger != nil {
		rp.ErrorLog = slogErrorLog(cfg.Logger)
	}
	return &Reverse{Recorder: rec, rp: rp}, nil
}

// hasPathPrefix reports whether path is prefix or starts with prefix/.
func hasPathPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// ServeHTTP proxies one request.
func (p *Reverse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), writerKey{}, w)))
}

func slogErrorLog(l *slog.Logger) *log.Logger {
	return slog.NewLogLogger(l.Handler(), slog.LevelWarn)
}
