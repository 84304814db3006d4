package main

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
)

// checkListen checks the form of a --listen address: a malformed address,
// a port out of range or a host name that does not resolve is a usage
// error. ok is false when the caller should return code.
func checkListen(stderr io.Writer, name, addr string) (code int, ok bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError(stderr, name, "--listen %q: want HOST:PORT, such as 127.0.0.1:8080 (127.0.0.1:0 picks a free port): %v", addr, err), false
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return usageError(stderr, name, "--listen %q: the port must be a number from 0 to 65535 (0 picks a free one)", addr), false
	}
	if host != "" && net.ParseIP(host) == nil {
		if _, err := net.LookupHost(host); err != nil {
			return usageError(stderr, name, "--listen %q: the host does not resolve: %v; use an IP address such as 127.0.0.1", addr, err), false
		}
	}
	return exitOK, true
}

// listen listens on a --listen address (see checkListen). An address that
// is not this machine's is a usage error too; one in use (or a port the
// user may not bind) is an operational failure.
func listen(stderr io.Writer, name, addr string) (ln net.Listener, code int, ok bool) {
	if code, ok := checkListen(stderr, name, addr); !ok {
		return nil, code, false
	}
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		return ln, exitOK, true
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, usageError(stderr, name, "--listen %q: not an address of this machine; use 127.0.0.1:PORT", addr), false
	}
	return nil, failure(stderr, name, fmt.Errorf("listen on %s: %w (pick another address with --listen)", addr, err)), false
}

// checkCassetteName reports a --name that cannot be a file name as a
// usage error.
func checkCassetteName(stderr io.Writer, name, value string) (code int, ok bool) {
	if err := cassettes.CheckName("--name", value); err != nil {
		return usageError(stderr, name, "%v", err), false
	}
	return exitOK, true
}

// loadFailure maps an error loading cassettes to an exit code, the same
// for every command: a malformed cassette, a directory holding no
// cassette or only journals, is an operational failure (3); what else the caller knows as
// a usage error is one (2); anything else is 3.
func loadFailure(stderr io.Writer, name string, err error, usage ...error) int {
	if errors.Is(err, cassettes.ErrMalformed) || errors.Is(err, cassettes.ErrUnrecovered) || errors.Is(err, cassettes.ErrNoCassettes) {
		return failure(stderr, name, err)
	}
	for _, u := range usage {
		if errors.Is(err, u) {
			return usageError(stderr, name, "%v", err)
		}
	}
	return failure(stderr, name, err)
}

// checkCassettes loads every cassette under dir, for a command that reads
// them later through its own means: ok is false when the caller should
// return code, the same as every command's for the same fault (see
// [loadFailure]).
func checkCassettes(stderr io.Writer, name, dir string) (code int, ok bool) {
	if _, err := cassettes.LoadDir(dir); err != nil {
		return loadFailure(stderr, name, err), false
	}
	return exitOK, true
}

// warnLeftovers tells on stderr of the journals beside the cassettes at
// path: their interactions are in no cassette yet, so what follows does
// not see them.
func warnLeftovers(stderr io.Writer, name, path string) {
	ls, err := cassettes.Leftovers(path)
	if err != nil || len(ls) == 0 {
		return
	}
	fmt.Fprintf(stderr, "oauthcompat %s: warning: %s\n", name, cassettes.LeftoverAdvice(path, ls))
}

// probeWritable checks, before anything is sent, that files can be
// written in dir (created if missing): it creates and removes one.
func probeWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// upstreamTransport is the transport to an upstream, trusting the CA in
// caFile as well as the system's, or (insecure) verifying nothing, which
// is logged as a warning.
func upstreamTransport(caFile string, insecure bool, logger *slog.Logger) (*http.Transport, error) {
	conf, err := proxy.UpstreamTLS(caFile, insecure)
	if err != nil {
		return nil, err
	}
	t := proxy.NewTransport()
	if conf != nil {
		t.TLSClientConfig = conf
	}
	if insecure {
		logger.Warn("--upstream-insecure: the upstream's TLS certificate is NOT verified; anyone on the network path can read and change this traffic, credentials included. Use --upstream-ca FILE instead")
	}
	return t, nil
}

// restoreKey writes the redaction key back at path when it is gone (its
// directory was removed while recording): the cassettes written since
// hold pseudonyms of that key.
func restoreKey(path string, key []byte, logger *slog.Logger) {
	if len(key) == 0 {
		return
	}
	if _, err := os.Stat(path); !errors.Is(err, iofs.ErrNotExist) {
		return
	}
	err := os.MkdirAll(filepath.Dir(path), 0o755)
	if err == nil {
		err = os.WriteFile(path, key, 0o600)
	}
	if err == nil && filepath.Base(path) == keyName {
		err = ignoreInGit(filepath.Dir(path), path, true, logger)
	}
	if err != nil {
		logger.Error("the redaction key was removed while recording and could not be written back: replay can match secrets only by shape", "key", path, "err", err)
		return
	}
	logger.Warn("the redaction key was removed while recording; it is written back", "key", path)
}
