// Command oauthcompat records, replays, checks and compares GitHub's OAuth
// application and authorization REST endpoints across GitHub Enterprise
// Server versions, GitHub AE and api.github.com.
//
// Usage:
//
//	oauthcompat <command> [flags]
//
// Run "oauthcompat help" for the commands and "oauthcompat <command> -h" for
// the flags of one; "oauthcompat --version" is "oauthcompat version". Exit codes: 0 success, 1 findings (invalid body,
// non-conformance, breaking change), 2 usage error, 3 operational failure.
// The same fault gives the same code in every command: a cassette that does
// not load, a directory holding no cassette or only journals, is 3; a bad --listen or
// --name is 2; record exits 3 when any interaction was not recorded.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	exitFailure  = 3
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"versions", "list the GitHub versions the catalog knows", runVersions},
		{"catalog", "list the operations a version documents", runCatalog},
		{"validate", "validate a response body against a version's schema", runValidate},
		{"serve", "run the reference server for a version", runServe},
		{"record", "record OAuth traffic through a proxy into cassettes", runRecord},
		{"ca", "create the CA for HTTPS interception (ca init)", runCA},
		{"replay", "serve cassettes as an offline GitHub", runReplay},
		{"cassette", "recover, lint, export or import cassettes (cassette recover|lint|export|import)", runCassette},
		{"fixtures", "write offline fixture packs for clients in any language", runFixtures},
		{"conform", "check a server or a recording against a version", runConform},
		{"diff", "compare two versions, or two recordings", runDiff},
		{"upgrade-check", "check recorded client traffic against a target version", runUpgradeCheck},
		{"version", "print the release, the commit it was built from and the catalog's sources", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "-h"}, stdout, stderr)
		}
		w := stdout
		if len(args) == 0 {
			w = stderr
		}
		printUsage(w)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		return runVersion(ctx, args[1:], stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "oauthcompat: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "oauthcompat makes GitHub's OAuth application and authorization endpoints testable across versions.")
	fmt.Fprintln(w, "\nUsage: oauthcompat <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'oauthcompat <command> -h' for a command's flags.")
}

// flags makes a command's flag set. usage is the synopsis line(s) after
// "Usage: oauthcompat "; about says what the command does.
func flags(name, usage, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: oauthcompat %s\n\n%s\n", usage, strings.TrimSpace(about))
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args and maps the outcome to an exit code: ok is false when
// the caller should return code (help printed, or a usage error). Flags may
// come before or after the positional arguments
// ("cassette export DIR --format har --out x"); "--" ends the flags.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(flagsFirst(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return exitOK, true
}

// flagsFirst reorders args so that the flags come first, each with its
// value, then "--" and the positional arguments in their order, which is
// what [flag.FlagSet.Parse] takes. A flag fs does not know, or one written
// with "=", stays alone: Parse reports the unknown ones.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if len(positional) == 0 {
		return flags
	}
	return append(append(flags, "--"), positional...)
}

// usageError prints a usage problem with a hint and returns exitUsage.
func usageError(stderr io.Writer, name, format string, a ...any) int {
	fmt.Fprintf(stderr, "oauthcompat %s: %s\nRun 'oauthcompat %s -h' for help.\n", name, fmt.Sprintf(format, a...), name)
	return exitUsage
}

// missing reports, as a usage error, an input path that does not exist:
// ok is false when the caller should return code.
func missing(stderr io.Writer, name, flag, path string) (code int, ok bool) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return usageError(stderr, name, "%s %s: no such file or directory", flag, path), false
		}
		return usageError(stderr, name, "%s: %v", flag, err), false
	}
	return exitOK, true
}

// failure prints an operational error and returns exitFailure.
func failure(stderr io.Writer, name string, err error) int {
	fmt.Fprintf(stderr, "oauthcompat %s: %v\n", name, err)
	return exitFailure
}
