package main

import (
	"context"
	"fmt"
	"io"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// runCassette dispatches the cassette subcommands.
func runCassette(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "cassette", "want a subcommand: recover, lint, export or import")
	}
	switch args[0] {
	case "recover":
		return runCassetteRecover(ctx, args[1:], stdout, stderr)
	case "lint":
		return runCassetteLint(ctx, args[1:], stdout, stderr)
	case "export":
		return runCassetteExport(ctx, args[1:], stdout, stderr)
	case "import":
		return runCassetteImport(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "-help", "help":
		fmt.Fprintln(stderr, "Usage: oauthcompat cassette recover DIR\n       oauthcompat cassette lint ...\n       oauthcompat cassette export --format har|vcrpy|wiremock --out PATH DIR|FILE\n       oauthcompat cassette import --from har FILE --cassettes DIR\n\nRun 'oauthcompat cassette <subcommand> -h' for the flags of one.")
		return exitOK
	}
	return usageError(stderr, "cassette", "unknown subcommand %q: want recover, lint, export or import", args[0])
}

func runCassetteRecover(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("cassette recover", "cassette recover DIR",
		"Turns every journal under DIR (DIR/<version>/<name>.yaml.journal, left when a 'record'\nwas killed) into a valid cassette, appending to the cassette already there, and removes\nthe journal. A torn last record (the process died mid-write) is dropped; every completed\ninteraction is kept. Journals of a recording still running are left alone. Prints each\ncassette written.", stderr)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(stderr, "cassette recover", "want exactly one DIR")
	}
	if code, ok := missing(stderr, "cassette recover", "DIR", fs.Arg(0)); !ok {
		return code
	}
	written, err := cassettes.Recover(fs.Arg(0))
	for _, p := range written {
		fmt.Fprintln(stdout, p)
	}
	if err != nil {
		return failure(stderr, "cassette recover", err)
	}
	if len(written) == 0 {
		fmt.Fprintln(stderr, "oauthcompat cassette recover: no journal to recover")
	}
	return exitOK
}
