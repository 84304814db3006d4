package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
	"github.com/oauthcompat/oauthcompat/schemas"
)

const replayAbout = `Serves recorded cassettes as an offline GitHub: point a client's base URL at the first
line printed on standard output. Requests match a recorded interaction by method, path
(with or without /api/v3), query (any order), JSON body (compared semantically) and
credentials (the Authorization scheme in any case, Basic by its decoded user and password,
so a cassette recorded by one client replays for another); identical requests get the
recorded answers in order (check 200, delete 204, check 404), and --exhausted says what
comes after the last. --ignore-header, --ignore-query, --ignore-field and --match-field
relax matching. Status, headers and body bytes are replayed as recorded, except that the
recording server's URLs (in the body, Location and Link) become the replay server's
(--keep-urls keeps them); an If-None-Match matching a recorded ETag gets the recorded 304.

Secrets: with the redaction key the cassettes were recorded with (--redact-key-file,
default .redact-key beside the cassettes or up to two directories above) a request's secrets are pseudonymised as at
record time, so a client sending the real token gets the answer recorded for it, and the
answer gives the real token back where the recording holds its pseudonym (hashed_token
and token_last_eight recomputed). Without a key, secret fields are matched by shape (their
kind, not their value) and answers hold the pseudonyms as recorded.

A miss is never mistaken for GitHub: it gets 501 with a JSON body naming the closest
recorded interaction and the fields that differ, and the header
X-Oauthcompat-Replay: miss; the log says the same. Nothing leaves the machine unless
--on-miss proxy: then a miss is forwarded to --upstream, recorded (redacted, durably)
into a new cassette under DIR, and the real answer returned.`

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("replay", "replay --cassettes DIR|FILE [--version V] [--listen ADDR] [--on-miss error|proxy --upstream URL] [flags]", replayAbout, stderr)
	dir := fs.String("cassettes", "", "a cassette directory (DIR/<version>/<name>.yaml, searched recursively) or one cassette file (required)")
	catOpt := withCatalog(fs)
	version := fs.String("version", "", "the GitHub version to replay (3.8, ghes-3.8, api.github.com); default: the version the cassette directories name (required when they name several)")
	listenAddr := fs.String("listen", "127.0.0.1:8082", "the address to listen on (127.0.0.1:0 picks a free port)")
	onMiss := fs.String("on-miss", "error", "what a request no interaction matches gets: error (501 with an explanation) or proxy (forwarded to --upstream and recorded)")
	upstream := fs.String("upstream", "", "with --on-miss proxy: the server misses are forwarded to")
	exhausted := fs.String("exhausted", "repeat-last", "after the last recorded answer to identical requests: repeat-last, or error (a miss)")
	keyFile := fs.String("redact-key-file", "", "the redaction key the cassettes were recorded with; default: .redact-key in the cassettes directory or up to two directories above")
	name := fs.String("name", "", "with --on-miss proxy: the cassette misses are recorded into (default misses-<UTC time>, a new episode)")
	pseudoID := fs.Bool("pseudonymize-client-id", false, "the cassettes were recorded with record --pseudonymize-client-id")
	upstreamCA := fs.String("upstream-ca", "", "with --on-miss proxy: trust the CA certificate(s) in this PEM file for the upstream's TLS, as well as the system's")
	insecure := fs.Bool("upstream-insecure", false, "with --on-miss proxy: do not verify the upstream's TLS certificate (prefer --upstream-ca)")
	verbose := fs.Bool("v", false, "log every hit too")
	keepURLs := fs.Bool("keep-urls", false, "answer with the recorded URLs instead of pointing them (body, Location, Link) at this server")
	var match replay.Match
	fs.Var((*listFlag)(&match.IgnoreHeaders), "ignore-header", "a header whose value does not count (Authorization, X-GitHub-OTP or If-None-Match; no other header is compared); repeatable")
	fs.Var((*listFlag)(&match.IgnoreQuery), "ignore-query", "a query parameter that does not count; repeatable")
	fs.Var((*listFlag)(&match.IgnoreFields), "ignore-field", "a body field that does not count: a JSON pointer (/note, /permissions/*, * any member) or a top-level name; repeatable")
	fs.Var((*patternFlag)(&match.FieldPatterns), "match-field", "FIELD=REGEXP: a body field whose live value must match REGEXP (Go syntax), whatever was recorded; repeatable")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "replay", "unexpected argument %q", fs.Arg(0))
	}
	if *dir == "" {
		return usageError(stderr, "replay", "--cassettes is required")
	}
	if code, ok := missing(stderr, "replay", "--cassettes", *dir); !ok {
		return code
	}
	if code, ok := checkListen(stderr, "replay", *listenAddr); !ok {
		return code
	}
	ex, err := replay.ParseExhausted(*exhausted)
	if err != nil {
		return usageError(stderr, "replay", "--exhausted: %v", err)
	}
	var up *url.URL
	switch *onMiss {
	case "error":
		if *upstream != "" || *upstreamCA != "" || *insecure || *name != "" {
			return usageError(stderr, "replay", "--upstream, --upstream-ca, --upstream-insecure and --name need --on-miss proxy")
		}
	case "proxy":
		u, err := url.Parse(*upstream)
		if *upstream == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError(stderr, "replay", "--on-miss proxy needs --upstream URL (http:// or https://)")
		}
		up = u
		if *name != "" {
			if code, ok := checkCassetteName(stderr, "replay", *name); !ok {
				return code
			}
		}
		if *upstreamCA != "" && *insecure {
			return usageError(stderr, "replay", "--upstream-ca and --upstream-insecure exclude each other")
		}
	default:
		return usageError(stderr, "replay", "--on-miss must be error or proxy, got %q", *onMiss)
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	root := *dir
	if st, err := os.Stat(root); err == nil && !st.IsDir() {
		root = filepath.Dir(root)
	}
	redOpts := redact.Options{PseudonymizeClientID: *pseudoID}
	red, keyPath, err := findRedactor(*dir, *keyFile, redOpts, logger)
	if err != nil {
		return usageError(stderr, "replay", "%v", err)
	}

	cat, code, ok := catOpt.get(stderr, "replay")
	if !ok {
		return code
	}
	opts := replay.Options{Version: *version, Catalog: cat, Exhausted: ex, Redactor: red, Logger: logger, KeepURLs: *keepURLs, Match: match}
	for _, h := range match.UncomparedHeaders() {
		fmt.Fprintf(stderr, "oauthcompat replay: warning: --ignore-header %s changes nothing: replay compares Authorization, X-GitHub-OTP and If-None-Match only\n", h)
	}
	var (
		rec           *proxy.Recorder
		store         *cassettes.Store
		miss          *lateTransport
		missTransport http.RoundTripper
	)
	if up != nil {
		storeRed := red
		if storeRed == nil {
			// Misses are recorded like any recording: with the directory's
			// key, made now. Matching stays by shape for the cassettes
			// already there, which were not recorded with it.
			if storeRed, _, err = createRedactor(root, *keyFile, redOpts, logger); err != nil {
				return keyFailure(stderr, "replay", err)
			}
		}
		if *name == "" {
			*name = "misses-" + time.Now().UTC().Format("20060102T150405Z")
		}
		transport, err := upstreamTransport(*upstreamCA, *insecure, logger)
		if err != nil {
			return usageError(stderr, "replay", "%v", err)
		}
		store, err = cassettes.OpenStoreWith(root, *name, storeRed, cassettes.Options{FS: storeFS, Logger: logger})
		if err != nil {
			if errors.Is(err, cassettes.ErrBusy) {
				return usageError(stderr, "replay", "%v", err)
			}
			return failure(stderr, "replay", err)
		}
		logRecovery(logger, store.Recovered())
		// The recorder is made once the cassettes are loaded: it files the
		// misses under their version, not under api.github.com when the
		// upstream names none (as when it does not answer at all).
		miss = &lateTransport{}
		opts.Miss = miss
		missTransport = transport
	}
	closeRec := func() error {
		if rec == nil {
			if store != nil {
				return store.Close()
			}
			return nil
		}
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return rec.Shutdown(sctx)
	}

	ix, err := replay.Load(*dir, opts)
	if err != nil {
		closeRec()
		return loadFailure(stderr, "replay", err, replay.ErrNoCassettes, replay.ErrSeveralVersions, schemas.ErrUnknownVersion, replay.ErrOptions)
	}
	if miss != nil {
		v := *version
		if v == "" && ix.Version() != nil {
			v = ix.Version().Name
		}
		if rec, err = proxy.NewRecorder(proxy.Config{Upstream: up, Store: store, Version: v, Catalog: cat, Logger: logger, Transport: missTransport}); err != nil {
			store.Close()
			return failure(stderr, "replay", err)
		}
		miss.rt = replay.Upstream(up, rec)
	}
	warnLeftovers(stderr, "replay", *dir)
	ln, code, ok := listen(stderr, "replay", *listenAddr)
	if !ok {
		closeRec()
		return code
	}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	if f, ok := stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	v := "unknown"
	if ix.Version() != nil {
		v = ix.Version().Name
	}
	secrets := "by shape (no redaction key)"
	if red != nil {
		secrets = "with the redaction key " + keyPath
	}
	logger.Info("replaying", "listen", ln.Addr().String(), "cassettes", *dir, "version", v, "interactions", ix.Len(), "secrets", secrets, "on_miss", *onMiss)
	// What reading the cassettes took and no longer needs goes back to
	// the system now, not when the collector gets to it (a long-running
	// replay holds the index only), while the first requests are served:
	// for a large recording this is a tenth of the load's time, which
	// being ready need not wait for.
	go debug.FreeOSMemory()

	runErr := replay.Serve(ctx, ln, ix)
	if rec == nil {
		if runErr != nil {
			return failure(stderr, "replay", runErr)
		}
		return exitOK
	}
	return recordSummary(stderr, "replay", root, rec.Stats(), store.Written(), errors.Join(runErr, closeRec()))
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// patternFlag is a repeatable FIELD=REGEXP flag.
type patternFlag []replay.FieldPattern

func (p *patternFlag) String() string {
	var s []string
	for _, x := range *p {
		s = append(s, x.String())
	}
	return strings.Join(s, ",")
}

func (p *patternFlag) Set(s string) error {
	fp, err := replay.ParseFieldPattern(s)
	if err != nil {
		return err
	}
	*p = append(*p, fp)
	return nil
}

// lateTransport is a RoundTripper handed out before the one it forwards
// to is made; rt must be set before the first request.
type lateTransport struct{ rt http.RoundTripper }

func (l *lateTransport) RoundTrip(r *http.Request) (*http.Response, error) { return l.rt.RoundTrip(r) }
