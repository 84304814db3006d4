package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"strconv"
)

// ErrorBody is the JSON body of the 502 response a client gets when
// upstream fails: {"message", "upstream", "error"}.
func ErrorBody(upstream string, err error) []byte {
	b, _ := json.Marshal(struct {
		Message  string `json:"message"`
		Upstream string `json:"upstream"`
		Error    string `json:"error"`
	}{
		Message:  "oauthcompat record: upstream " + upstream + " did not answer; check that it is running and reachable",
		Upstream: upstream,
		Error:    err.Error(),
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
// body of unknown length is flushed as each piece arrives).
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
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
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

// ServeHTTP proxies one request.
func (p *Reverse) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.rp.ServeHTTP(w, r) }

func slogErrorLog(l *slog.Logger) *log.Logger {
	return slog.NewLogLogger(l.Handler(), slog.LevelWarn)
}
