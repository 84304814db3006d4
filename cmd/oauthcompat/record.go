package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/httpserve"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/schemas"
)

const recordAbout = `Records the traffic between a client and a GitHub server into redacted go-vcr v3
cassettes, DIR/<version>/<name>.yaml. Only the OAuth endpoints (/applications...,
/authorizations..., with or without /api/v3) are recorded unless --record-all.

Reverse mode (default): point the client's base URL at the proxy; every request is
forwarded to --upstream. Forward mode (--forward): set the client's HTTPS_PROXY to the
proxy; CONNECT tunnels to the --mitm-host hosts are intercepted with the CA made by
'oauthcompat ca init' (the client must trust it); the --tunnel-host and --allow-host
hosts are tunnelled untouched, not recorded. No other host can be reached at all:
refused CONNECTs and requests are logged (host and port only).

The first line on standard output is the proxy's URL. Secrets (Authorization,
X-GitHub-OTP, cookies, client_secret, password, tokens in bodies, queries and paths)
are replaced by pseudonyms keyed by --redact-key-file before anything reaches disk;
the client always gets the real response. Each interaction is written to a journal
before its response ends, so a crash of the proxy loses only requests in flight; the
journal is fdatasynced within --sync-interval (a power loss can lose that much), or
before each response ends with --sync-each (slower). SIGINT or SIGTERM finishes the
requests in flight, writes the cassettes and prints a one-line summary: recording again
into the same --name appends in place, so stopping costs what was just recorded. With
--rotate-size or --rotate-every, a long recording is a series of bounded cassettes,
<name>.yaml, <name>-0001.yaml, ..., which every command reads as one recording, in
order. After a crash, 'oauthcompat cassette recover DIR' (or the next record into DIR)
turns the journal into a cassette.

Before serving, record checks that --listen can be listened on, the key read or made, the
directory written, and that no other record holds DIR and --name. An interaction it cannot
store (the disk is full) is logged at once and counted; --upstream may end in /api/v3.
--upstream-ca trusts a private CA (SSL_CERT_FILE works too).

Exit codes: 0 every interaction answered is in a cassette, 2 usage error (a bad flag,
--listen or --name, another record holding DIR and --name), 3 an interaction was not
recorded, a cassette could not be written, or the directory or key cannot be written.`

// storeFS is the file system cassettes are written through; tests replace
// it with one that injects faults. Nil means the operating system's.
var storeFS cassettes.FS

func runRecord(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("record",
		"record --upstream URL --cassettes DIR [flags]\n       oauthcompat record --forward --mitm-host HOST[,HOST] --ca DIR --cassettes DIR [flags]",
		recordAbout, stderr)
	upstream := fs.String("upstream", "", "reverse mode: the server to forward to, e.g. https://ghe.example.com, https://ghe.example.com/api/v3 or http://127.0.0.1:8080")
	dir := fs.String("cassettes", "", "the directory cassettes are written under (required)")
	version := fs.String("version", "", "the GitHub version to file cassettes under (3.8, ghes-3.8, api.github.com); default: each response's X-GitHub-Enterprise-Version, else api.github.com")
	catOpt := withCatalog(fs)
	name := fs.String("name", "session", "the cassette name: cassettes are DIR/<version>/<name>.yaml; recording again appends")
	listenAddr := fs.String("listen", "127.0.0.1:8081", "the address to listen on (127.0.0.1:0 picks a free port)")
	recordAll := fs.Bool("record-all", false, "record every request, not only the OAuth endpoints")
	maxBody := fs.Int64("max-body", proxy.DefaultMaxBody, "bytes of each body to store; longer bodies stream through whole and are stored truncated with an "+cassettes.TruncatedHeader+" header")
	keyFile := fs.String("redact-key-file", "", "the redaction key (created with mode 0600 if missing); default DIR/.redact-key, inside the cassettes directory. Keep it: the same key gives the same pseudonyms")
	pseudoID := fs.Bool("pseudonymize-client-id", false, "replace OAuth client ids with pseudonyms too (they are kept readable by default)")
	forward := fs.Bool("forward", false, "run a forward proxy with HTTPS interception instead of a reverse proxy")
	mitmHosts := fs.String("mitm-host", "", "forward mode: comma-separated hosts (name or name:port) whose HTTPS is intercepted and recorded")
	caDir := fs.String("ca", "", "forward mode: the directory holding the CA made by 'oauthcompat ca init'")
	allowHosts := fs.String("allow-host", "", "forward mode: comma-separated hosts that may also be reached (tunnelled, not recorded); every host not in --mitm-host, --tunnel-host or --allow-host is refused")
	tunnelHosts := fs.String("tunnel-host", "", "forward mode: comma-separated hosts (name or name:port) tunnelled untouched, not recorded; every host not in --mitm-host, --tunnel-host or --allow-host is refused")
	upstreamCA := fs.String("upstream-ca", "", "trust the CA certificate(s) in this PEM file for the upstream's TLS, as well as the system's (a GHES with a private CA); SSL_CERT_FILE works too")
	insecure := fs.Bool("upstream-insecure", false, "do not verify the upstream's TLS certificate (anyone on the path can then read the traffic); prefer --upstream-ca")
	syncInterval := fs.Duration("sync-interval", cassettes.DefaultSyncInterval, "the longest a recorded interaction waits to be fdatasynced to stable storage (what a power loss can lose; a crash of the proxy loses nothing answered)")
	syncEach := fs.Bool("sync-each", false, "end each response only once its interaction is fdatasynced (concurrent requests share a sync; slower)")
	var rotateSize byteSize
	fs.Var(&rotateSize, "rotate-size", "start a new cassette (<name>-0001.yaml, <name>-0002.yaml, ...) once the current one holds this much, such as 64MB; every command reads them as one recording, in order")
	rotateEvery := fs.Duration("rotate-every", 0, "start a new cassette (<name>-0001.yaml, ...) after recording into the current one this long, such as 1h")
	verbose := fs.Bool("v", false, "log debug messages")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "record", "unexpected argument %q", fs.Arg(0))
	}
	if *dir == "" {
		return usageError(stderr, "record", "--cassettes is required")
	}
	if code, ok := checkCassetteName(stderr, "record", *name); !ok {
		return code
	}
	if code, ok := checkListen(stderr, "record", *listenAddr); !ok {
		return code
	}
	if *version != "" {
		if err := cassettes.CheckName("--version", schemas.Canonical(*version)); err != nil {
			return usageError(stderr, "record", "%v", err)
		}
	}
	var up *url.URL
	if *forward {
		if *upstream != "" {
			return usageError(stderr, "record", "--upstream is for reverse mode; in --forward mode the client chooses the host")
		}
		if *mitmHosts == "" || *caDir == "" {
			return usageError(stderr, "record", "--forward needs --mitm-host and --ca")
		}
		if *allowHosts == "" && !loopback(*listenAddr) {
			return usageError(stderr, "record", "--listen %s is not a loopback address: anyone on the network could use the proxy, not an open proxy but one into the --mitm-host hosts; listen on 127.0.0.1, or confirm the hosts clients may reach with --allow-host", *listenAddr)
		}
	} else {
		if *upstream == "" {
			return usageError(stderr, "record", "--upstream is required (or use --forward)")
		}
		if *mitmHosts != "" || *caDir != "" || *allowHosts != "" || *tunnelHosts != "" {
			return usageError(stderr, "record", "--mitm-host, --ca, --tunnel-host and --allow-host need --forward")
		}
		u, err := url.Parse(*upstream)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError(stderr, "record", "--upstream: want an http:// or https:// URL")
		}
		if u.User != nil {
			return usageError(stderr, "record", "--upstream must not carry credentials (user:password@): they would not be sent; the client's own Authorization header is forwarded")
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return usageError(stderr, "record", "--upstream: want a base URL such as https://ghe.example.com/api/v3, without a query or fragment")
		}
		up = u
	}
	if *maxBody <= 0 {
		return usageError(stderr, "record", "--max-body must be positive")
	}
	if *rotateEvery < 0 {
		return usageError(stderr, "record", "--rotate-every must be positive, such as 1h")
	}
	if *syncInterval <= 0 {
		return usageError(stderr, "record", "--sync-interval must be positive, such as 10ms; use --sync-each to sync before every response")
	}
	cat, code, ok := catOpt.get(stderr, "record")
	if !ok {
		return code
	}
	if *upstreamCA != "" && *insecure {
		return usageError(stderr, "record", "--upstream-ca and --upstream-insecure exclude each other")
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	transport, err := upstreamTransport(*upstreamCA, *insecure, logger)
	if err != nil {
		return usageError(stderr, "record", "%v", err)
	}

	// Start-up checks, before anything is served: the address can be
	// listened on, the key read or made, the directory written and the
	// name is free.
	ln, code, ok := listen(stderr, "record", *listenAddr)
	if !ok {
		return code
	}
	red, keyPath, err := createRedactor(*dir, *keyFile, redact.Options{PseudonymizeClientID: *pseudoID}, logger)
	if err != nil {
		ln.Close()
		if errors.Is(err, redact.ErrWeakKey) {
			return keyFailure(stderr, "record", err)
		}
		return failure(stderr, "record", fmt.Errorf("%w; choose a writable --cassettes directory or --redact-key-file", err))
	}
	key, _ := os.ReadFile(keyPath)
	store, err := cassettes.OpenStoreWith(*dir, *name, red, cassettes.Options{SyncInterval: *syncInterval, SyncEach: *syncEach, FS: storeFS, Logger: logger, RotateSize: int64(rotateSize), RotateEvery: *rotateEvery})
	if err != nil {
		ln.Close()
		if errors.Is(err, cassettes.ErrBusy) {
			return usageError(stderr, "record", "%v", err)
		}
		return failure(stderr, "record", err)
	}
	logRecovery(logger, store.Recovered())
	cfg := proxy.Config{Upstream: up, Store: store, Version: *version, Catalog: cat, RecordAll: *recordAll, MaxBody: *maxBody, Logger: logger, Transport: transport}

	var (
		handler http.Handler
		rec     *proxy.Recorder
	)
	if *forward {
		ca, err := proxy.LoadCA(*caDir)
		if err != nil {
			ln.Close()
			store.Close()
			return failure(stderr, "record", err)
		}
		f, err := proxy.NewForward(cfg, ca, splitList(*mitmHosts), reachable(*mitmHosts, *tunnelHosts, *allowHosts))
		if err != nil {
			ln.Close()
			store.Close()
			return failure(stderr, "record", err)
		}
		handler, rec = f, f.Recorder
	} else {
		r, err := proxy.NewReverse(cfg)
		if err != nil {
			ln.Close()
			store.Close()
			return failure(stderr, "record", err)
		}
		handler, rec = r, r.Recorder
	}
	if v := rec.Version(); v != "" {
		if err := store.Prepare(v); err != nil {
			ln.Close()
			store.Close()
			return failure(stderr, "record", err)
		}
	}

	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	if f, ok := stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	mode := "reverse"
	if *forward {
		mode = "forward"
	}
	logger.Info("recording", "mode", mode, "listen", ln.Addr().String(), "upstream", *upstream, "cassettes", *dir, "name", *name)

	runErr := httpserve.Serve(ctx, ln, handler, logger)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	closeErr := rec.Shutdown(sctx)
	restoreKey(keyPath, key, logger)
	for _, p := range store.Written() {
		logger.Info("cassette written", "path", p)
	}
	return recordSummary(stderr, "record", *dir, rec.Stats(), store.Written(), errors.Join(runErr, closeErr))
}

// recordSummary prints the one-line summary of a recording and returns
// its exit code: 0 when every interaction answered is in a cassette, 3
// when any is not, or the cassettes could not all be written.
func recordSummary(stderr io.Writer, name, dir string, st proxy.Stats, written []string, err error) int {
	line := fmt.Sprintf("recorded %d interaction%s into %s", st.Recorded, plural(st.Recorded), dir)
	if len(written) > 0 {
		rel := make([]string, len(written))
		for k, p := range written {
			if r, err := filepath.Rel(dir, p); err == nil {
				p = r
			}
			rel[k] = p
		}
		line += " (" + strings.Join(rel, ", ") + ")"
	}
	if st.NotRecorded > 0 {
		line += fmt.Sprintf("; %d not recorded (see log)", st.NotRecorded)
	}
	fmt.Fprintf(stderr, "oauthcompat %s: %s\n", name, line)
	if err != nil {
		return failure(stderr, name, err)
	}
	if st.NotRecorded > 0 {
		return exitFailure
	}
	return exitOK
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// nouns counts n of a thing: "1 entry", "2 entries", "0 entries".
func nouns(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// logRecovery logs what opening a store recovered: journals left by
// recordings that did not finish.
func logRecovery(logger *slog.Logger, r *cassettes.Recovery) {
	if r == nil {
		return
	}
	for _, m := range r.Merged {
		if m.Cassette == "" {
			continue
		}
		logger.Warn("recovered the journal of a recording that did not finish", "journal", m.Journal, "cassette", m.Cassette, "interactions", m.Records)
		for _, sp := range m.Skipped {
			logger.Error("recovery skipped damaged bytes of the journal; its intact records are kept", "journal", m.Journal, "offset", sp.Offset, "length", sp.Length, "kept", m.Kept)
		}
	}
	for _, b := range r.Busy {
		logger.Info("left alone: another recording is writing this journal", "journal", b)
	}
}

// reachable is the list of hosts a forward proxy may reach besides those
// it intercepts: the tunnelled and allowed ones, or, when there are none,
// the intercepted ones again, so the list is never empty and the proxy
// never open.
func reachable(mitm, tunnel, allow string) []string {
	hosts := append(splitList(tunnel), splitList(allow)...)
	if len(hosts) == 0 {
		return splitList(mitm)
	}
	return hosts
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// loopback reports whether a listen address is on the loopback interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
