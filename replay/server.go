package replay

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/oauthcompat/oauthcompat/internal/httpserve"
)

// Server is a replay server on a loopback port, in the spirit of
// [net/http/httptest.Server]: point a client's base URL at [Server.URL] and
// call [Server.Close] when done.
type Server struct {
	// Index is the loaded recording; use it for [Index.Misses].
	Index *Index

	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// NewServer loads the cassettes at path (see [Load]) and serves them on
// 127.0.0.1 at a free port.
func NewServer(path string, opts Options) (*Server, error) {
	ix, err := Load(path, opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("replay: listen: %w", err)
	}
	s := &Server{Index: ix, ln: ln, srv: newHTTPServer(ix), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// URL returns the base URL, "http://127.0.0.1:PORT".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server, letting in-flight requests finish (for up to
// five seconds).
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
	<-s.done
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
}

// Serve answers requests on ln from ix until ctx is done, then shuts down
// gracefully: in-flight requests finish (for up to five seconds).
func Serve(ctx context.Context, ln net.Listener, ix *Index) error {
	if err := httpserve.Serve(ctx, ln, ix, nil); err != nil {
		return fmt.Errorf("serve replay: %w", err)
	}
	return nil
}
