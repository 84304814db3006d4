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
		`Turns every journal under DIR (DIR/<version>/<name>.yaml.journal, left when a 'record'
was killed) into a valid cassette, appending to the cassette already there, and removes
the journal. Every record with a valid checksum is kept: damaged bytes (a record torn by a
crash mid-write, or overwritten) are skipped, each reported with its offset and length,
recovery goes on at the next record, and the journal is kept beside the cassette as
<journal>.damaged. Journals of a recording still running are left alone, and said so.
Prints each cassette written.

Exit codes: 0 every journal recovered whole (or none to recover), 1 damaged bytes were
skipped, 2 usage error, 3 a journal could not be recovered.`, stderr)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(stderr, "cassette recover", "want exactly one DIR")
	}
	if code, ok := missing(stderr, "cassette recover", "DIR", fs.Arg(0)); !ok {
		return code
	}
	rec, err := cassettes.Recover(fs.Arg(0))
	damaged := false
	for _, m := range rec.Merged {
		if m.Cassette != "" {
			fmt.Fprintln(stdout, m.Cassette)
		}
		if len(m.Skipped) > 0 {
			damaged = true
			for _, sp := range m.Skipped {
				fmt.Fprintf(stderr, "oauthcompat cassette recover: %s: skipped %d damaged bytes at offset %d\n", m.Journal, sp.Length, sp.Offset)
			}
			fmt.Fprintf(stderr, "oauthcompat cassette recover: %s: %d intact interactions recovered into %s; the damaged journal is kept as %s\n", m.Journal, m.Records, m.Cassette, m.Kept)
		}
	}
	for _, b := range rec.Busy {
		fmt.Fprintf(stderr, "oauthcompat cassette recover: %s is being written by a recording still running: left alone; stop that recording (SIGINT or SIGTERM) to write its cassette\n", b)
	}
	if err != nil {
		return failure(stderr, "cassette recover", err)
	}
	if len(rec.Merged) == 0 && len(rec.Busy) == 0 {
		fmt.Fprintln(stderr, "oauthcompat cassette recover: no journal to recover")
	}
	if damaged {
		return exitFindings
	}
	return exitOK
}
