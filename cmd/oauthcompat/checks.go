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
	"strings"
	"syscall"

	"github.com/oauthcompat/oauthcompat/cassettes"
	progressline "github.com/oauthcompat/oauthcompat/internal/progress"
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
	if err := cassettes.CheckVisibleName("--name", value); err != nil {
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

// byteSize is a flag holding a number of bytes, written as 67108864,
// 64MB, 64MiB, 512KB or 1GB (decimal and binary units alike are powers
// of 1024: what a file system shows).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("want a positive size such as 64MB, 512KB or 1GB, got %q", s)
	}
	*b = byteSize(n * mult)
	return nil
}

// meter returns the progress line of reading the cassettes at path, shown
// on stderr when it is a terminal and the reading takes more than a
// second.
func meter(stderr io.Writer, label string, paths ...string) *progressline.Meter {
	var total int64
	for _, p := range paths {
		files, _ := cassettes.Files(p)
		for _, f := range files {
			if st, err := os.Stat(f); err == nil {
				total += st.Size()
			}
		}
	}
	return progressline.ForStderr(stderr, "oauthcompat "+label, total)
}
