package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/oauthcompat/oauthcompat/internal/httpserve"
	"github.com/oauthcompat/oauthcompat/reference"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("serve", "serve --version V [--listen ADDR] [--fixtures FILE] [--verbose]\n       oauthcompat serve --print-fixtures",
		`Runs the reference server: an in-memory, stateful stand-in for GitHub's OAuth application
and authorization endpoints as version V documents them, under /api/v3 and at the root.
The first line on standard output is the base URL it serves (use --listen 127.0.0.1:0 for
a free port). It stops cleanly on SIGINT or SIGTERM.

Without --fixtures it starts from a built-in seed of apps, users and tokens; print it with
--print-fixtures to see the credentials, or edit it and pass it back with --fixtures FILE.`, stderr)
	version := fs.String("version", "", "the GitHub version to stand in for, e.g. 3.8, ghes-3.2, github.ae, api.github.com (required)")
	listenAddr := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	fixtures := fs.String("fixtures", "", "JSON file with the seed state (the shape --print-fixtures prints)")
	printFixtures := fs.Bool("print-fixtures", false, "print the seed state as JSON (the --fixtures file if given) and exit")
	catOpt := withCatalog(fs)
	verbose := fs.Bool("verbose", false, "log each request (method, operation, status; never credentials) to standard error")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "serve", "unexpected argument %q", fs.Arg(0))
	}
	f := reference.DefaultFixtures()
	if *fixtures != "" {
		var err error
		if f, err = reference.LoadFixtures(*fixtures); err != nil {
			return usageError(stderr, "serve", "%v", err)
		}
	}
	if *printFixtures {
		return writeJSON(stdout, f)
	}
	if *version == "" {
		return usageError(stderr, "serve", "--version is required (see 'oauthcompat versions')")
	}
	cat, code, ok := catOpt.get(stderr, "serve")
	if !ok {
		return code
	}
	v, err := cat.Version(*version)
	if err != nil {
		return usageError(stderr, "serve", "%v", err)
	}
	var opts []reference.Option
	if *verbose {
		opts = append(opts, reference.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	srv, err := reference.New(v, f, opts...)
	var unsupported *reference.UnsupportedError
	if errors.As(err, &unsupported) {
		return failure(stderr, "serve", fmt.Errorf("%w. Refusing to stand in for part of %s: its other operations would be served and these would wrongly answer 404", err, v.Name))
	}
	if err != nil {
		return failure(stderr, "serve", err)
	}
	ln, code, ok := listen(stderr, "serve", *listenAddr)
	if !ok {
		return code
	}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	if err := httpserve.Serve(ctx, ln, srv, nil); err != nil {
		return failure(stderr, "serve", err)
	}
	return exitOK
}
