package proxy

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/elazarl/goproxy"
)

// Forward is a forward proxy (clients set HTTPS_PROXY to it) that
// intercepts HTTPS to chosen hosts and records through a [Recorder].
type Forward struct {
	*goproxy.ProxyHttpServer
	*Recorder
}

// ServeHTTP proxies one request or CONNECT tunnel.
func (f *Forward) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.ProxyHttpServer.ServeHTTP(w, r)
}

// NewForward returns a forward proxy built on goproxy. CONNECT tunnels to
// mitmHosts are intercepted with certificates signed by ca (see [InitCA])
// and their requests recorded through a [Recorder]; tunnels to other hosts
// pass through untouched. Plain HTTP requests to mitmHosts are recorded
// too. With allowHosts non-empty, only mitmHosts and allowHosts may be
// reached at all: anything else gets a 403, so the proxy is never open.
// A host is "name" (any port) or "name:port". Close the returned proxy's
// Recorder to write the cassettes.
func NewForward(cfg Config, ca tls.Certificate, mitmHosts []string, allowHosts []string) (*Forward, error) {
	if len(mitmHosts) == 0 {
		return nil, errors.New("new forward proxy: no host to intercept; name at least one with --mitm-host")
	}
	if ca.PrivateKey == nil || len(ca.Certificate) == 0 {
		return nil, errors.New("new forward proxy: no CA; create one with 'oauthcompat ca init'")
	}
	rec, err := NewRecorder(cfg)
	if err != nil {
		return nil, fmt.Errorf("new forward proxy: %w", err)
	}
	mitm := hostSet(mitmHosts)
	var allow hostSet
	if len(allowHosts) > 0 {
		allow = hostSet(append(append([]string(nil), mitmHosts...), allowHosts...))
	}
	allowed := func(host string) bool { return allow == nil || allow.match(host) }
	refused := func(how, host string) {
		// host:port only: never the request's URL or credentials.
		if cfg.Logger != nil {
			cfg.Logger.Warn("refused: the host is not one this proxy may reach (--mitm-host, --tunnel-host, --allow-host)", "request", how, "host", host)
		}
	}

	p := goproxy.NewProxyHttpServer()
	if t, ok := cfg.Transport.(*http.Transport); ok {
		p.Tr = t
	} else {
		p.Tr = NewTransport()
	}
	p.CertStore = &certStore{certs: map[string]*tls.Certificate{}}
	p.Logger = goproxyLogger{cfg.Logger}
	p.KeepAcceptEncoding = true

	intercept := &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: goproxy.TLSConfigFromCA(&ca)}
	p.OnRequest().HandleConnectFunc(func(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		switch {
		case !allowed(host):
			refused("CONNECT", host)
			ctx.Resp = forbidden(ctx.Req, host)
			return goproxy.RejectConnect, host
		case mitm.match(host):
			return intercept, host
		}
		return goproxy.OkConnect, host
	})
	p.OnRequest().DoFunc(func(req *http.Request, ctx *goproxy.ProxyCtx) (*http.Request, *http.Response) {
		if !allowed(req.URL.Host) {
			refused(req.Method, req.URL.Host)
			return req, forbidden(req, req.URL.Host)
		}
		if mitm.match(req.URL.Host) {
			ctx.RoundTripper = goproxy.RoundTripperFunc(rec.goproxyRoundTrip)
		}
		return req, nil
	})
	return &Forward{ProxyHttpServer: p, Recorder: rec}, nil
}

// goproxyRoundTrip records through the Recorder; an upstream failure
// becomes a 502 response (goproxy would only close the connection).
func (r *Recorder) goproxyRoundTrip(req *http.Request, _ *goproxy.ProxyCtx) (*http.Response, error) {
	resp, err := r.RoundTrip(req)
	if err != nil {
		body := ErrorBody(upstreamOf(req), err)
		resp = goproxy.NewResponse(req, "application/json; charset=utf-8", http.StatusBadGateway, string(body))
		resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
		resp.ContentLength = int64(len(body))
		return resp, nil
	}
	return resp, nil
}

func forbidden(req *http.Request, host string) *http.Response {
	body, _ := json.Marshal(map[string]string{
		"message": "oauthcompat record: " + host + " is not in --mitm-host, --tunnel-host or --allow-host; this proxy reaches only those",
		"host":    host,
	})
	resp := goproxy.NewResponse(req, "application/json; charset=utf-8", http.StatusForbidden, string(body))
	resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
	resp.ContentLength = int64(len(body))
	return resp
}

// hostSet matches "host:port" against entries "name" (any port) or
// "name:port", case-insensitively.
type hostSet []string

func (s hostSet) match(hostport string) bool {
	hostport = strings.ToLower(hostport)
	name := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		name = h
	}
	for _, e := range s {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == hostport || e == name {
			return true
		}
		if _, _, err := net.SplitHostPort(e); err == nil && !strings.Contains(hostport, ":") {
			// "name:443" matches a plain "name" target on its default port.
			if e == name+":443" || e == name+":80" {
				return true
			}
		}
	}
	return false
}

// certStore caches the leaf certificates signed for intercepted hosts.
type certStore struct {
	mu    sync.Mutex
	certs map[string]*tls.Certificate
}

func (c *certStore) Fetch(host string, gen func() (*tls.Certificate, error)) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cert, ok := c.certs[host]; ok {
		return cert, nil
	}
	cert, err := gen()
	if err != nil {
		return nil, err
	}
	c.certs[host] = cert
	return cert, nil
}

// goproxyLogger sends goproxy's messages to slog at debug level: goproxy
// reports every closed client connection as a warning.
type goproxyLogger struct{ l *slog.Logger }

func (g goproxyLogger) Printf(format string, v ...any) {
	if g.l != nil {
		g.l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)), "component", "goproxy")
	}
}
