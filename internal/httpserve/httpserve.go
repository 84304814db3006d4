// Package httpserve runs an HTTP server on a listener until a context ends,
// then shuts it down gracefully: the one serving loop of every oauthcompat
// server (reference server, recording proxy, replay server).
package httpserve

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Grace is how long in-flight requests may take to finish at shutdown.
const Grace = 5 * time.Second

// Serve answers requests on ln with h until ctx is done or the server
// fails, then shuts down: the listener closes, in-flight requests finish
// (for up to Grace), and Serve returns. It returns nil after a shutdown
// that ctx asked for, and the server's error otherwise. logger, which may
// be nil, receives the server's own error log.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if logger != nil {
		srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelDebug)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), Grace)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		srv.Close()
	}
	return err
}
