package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/convert"
	"github.com/oauthcompat/oauthcompat/redact"
)

const exportAbout = `Writes cassettes in a format other tools replay:

  har       HTTP Archive 1.2 (browsers' devtools, Polly.js, mitmproxy, Charles)
  vcrpy     a VCR.py cassette (YAML, format version 1)
  wiremock  WireMock stub mappings: PATH/mappings/*.json (and PATH/__files/ with
            --body-files); identical requests answered in turn become a WireMock scenario

For one cassette FILE, PATH is the file written (har, vcrpy) or the WireMock root
directory. For a directory DIR, PATH is a directory: each cassette DIR/<rel>.yaml becomes
PATH/<rel>.har, PATH/<rel>.yaml or the WireMock root PATH/<rel>/. Files are written
atomically; a PATH that would write over an input is refused. A WireMock export replaces the
mappings (and __files/ bodies) an earlier export wrote in its root and keeps the others. The output holds what the cassettes hold: pseudonyms stay pseudonyms (a
client must send them to match), and no format can re-hydrate secrets as replay does.`

func runCassetteExport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("cassette export", "cassette export --format har|vcrpy|wiremock --out PATH [--body-files] DIR|FILE", exportAbout, stderr)
	format := fs.String("format", "", "har, vcrpy or wiremock (required)")
	out := fs.String("out", "", "the file (one cassette) or directory (a cassette directory, or wiremock) to write (required)")
	bodyFiles := fs.Bool("body-files", false, "wiremock: put response bodies in __files/ (bodyFileName) instead of inline")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(stderr, "cassette export", "want one DIR or FILE, got %d arguments", fs.NArg())
	}
	switch *format {
	case "har", "vcrpy", "wiremock":
	case "":
		return usageError(stderr, "cassette export", "--format is required: har, vcrpy or wiremock")
	default:
		return usageError(stderr, "cassette export", "--format must be har, vcrpy or wiremock, got %q", *format)
	}
	if *out == "" {
		return usageError(stderr, "cassette export", "--out is required")
	}
	if *bodyFiles && *format != "wiremock" {
		return usageError(stderr, "cassette export", "--body-files applies to --format wiremock only")
	}
	src := fs.Arg(0)
	if code, ok := missing(stderr, "cassette export", "DIR|FILE", src); !ok {
		return code
	}
	paths, err := cassettes.Files(src)
	if err != nil {
		return loadFailure(stderr, "cassette export", err)
	}
	st, _ := os.Stat(src)
	single := st != nil && !st.IsDir()
	targets := make([]string, len(paths))
	for k, p := range paths {
		targets[k] = *out
		if !single {
			rel, err := filepath.Rel(src, p)
			if err != nil {
				return failure(stderr, "cassette export", err)
			}
			rel = strings.TrimSuffix(strings.TrimSuffix(rel, ".yml"), ".yaml")
			switch *format {
			case "har":
				targets[k] = filepath.Join(*out, rel+".har")
			case "vcrpy":
				targets[k] = filepath.Join(*out, rel+".yaml")
			default:
				targets[k] = filepath.Join(*out, rel)
			}
		}
	}
	if in := overwrittenInput(paths, targets, *format == "wiremock"); in != "" {
		return usageError(stderr, "cassette export", "--out %s would write over the cassette %s it exports: choose another --out", *out, in)
	}
	for k, p := range paths {
		var its []*cassette.Interaction
		if err := cassettes.WalkFile(p, func(it cassettes.Item) error {
			its = append(its, it.Interaction)
			return nil
		}); err != nil {
			return failure(stderr, "cassette export", err)
		}
		if err := export(*format, its, targets[k], *bodyFiles, strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))); err != nil {
			return failure(stderr, "cassette export", fmt.Errorf("%s: %w", p, err))
		}
		fmt.Fprintln(stdout, targets[k])
	}
	return exitOK
}

// overwrittenInput returns the first of the inputs that writing targets
// would replace, "" when none: a target that is an input, or, for a
// directory target (dirs), one holding an input.
func overwrittenInput(inputs, targets []string, dirs bool) string {
	for _, in := range inputs {
		ai, err := filepath.Abs(in)
		if err != nil {
			continue
		}
		si, _ := os.Stat(in)
		for _, t := range targets {
			at, err := filepath.Abs(t)
			if err != nil {
				continue
			}
			if at == ai || dirs && strings.HasPrefix(ai, at+string(filepath.Separator)) {
				return in
			}
			if st, err := os.Stat(t); err == nil && si != nil && os.SameFile(si, st) {
				return in
			}
		}
	}
	return ""
}

func export(format string, its []*cassette.Interaction, target string, bodyFiles bool, name string) error {
	var data []byte
	var err error
	switch format {
	case "har":
		data, err = convert.HAR(its)
	case "vcrpy":
		data, err = convert.VCRPy(its)
	default:
		files, err := convert.WireMock(its, convert.WireMockOptions{Scenario: name, BodyFiles: bodyFiles})
		if err != nil {
			return err
		}
		owned, err := convert.WireMockOwned(target)
		if err != nil {
			return fmt.Errorf("list the mappings an earlier export wrote: %w", err)
		}
		return convert.ReplaceFiles(target, files, owned)
	}
	if err != nil {
		return err
	}
	return cassettes.WriteFile(target, data)
}

const importAbout = `Turns a capture made elsewhere (an HTTP Archive from browser devtools, mitmproxy or
Charles) into a cassette, as 'record' would have written it: only the OAuth endpoints
(/applications/..., /authorizations..., with or without /api/v3) unless --record-all,
each labelled with its catalog operation, filed under its version (--version, else the
X-GitHub-Enterprise-Version the response carries, else api.github.com), and redacted with
the key of the cassettes directory (--redact-key-file, default DIR/.redact-key, created
when missing) before anything is written: no secret reaches disk. Writes
DIR/<version>/<name>.yaml (--name, default the file's name) and prints each cassette.`

// skipReasons says why import left entries out: " (2 not an OAuth
// endpoint (pass --record-all to keep them), 1 unreadable)", or "".
func skipReasons(res convert.ImportResult, unreadable int) string {
	var parts []string
	if n := res.SkippedBy[convert.SkipNotOAuth]; n > 0 {
		them := "them"
		if n == 1 {
			them = "it"
		}
		parts = append(parts, fmt.Sprintf("%d %s (pass --record-all to keep %s)", n, convert.SkipNotOAuth, them))
	}
	if n := res.SkippedBy[convert.SkipBadURL]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d with %s", n, convert.SkipBadURL))
	}
	if unreadable > 0 {
		parts = append(parts, fmt.Sprintf("%d unreadable (below)", unreadable))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func runCassetteImport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("cassette import", "cassette import --from har FILE --cassettes DIR [--version V] [--redact-key-file F] [--name NAME]", importAbout, stderr)
	from := fs.String("from", "", "the format of FILE: har (required)")
	dir := fs.String("cassettes", "", "the cassettes directory to write into (required)")
	version := fs.String("version", "", "file every interaction under this version (3.8, ghes-3.8, api.github.com)")
	keyFile := fs.String("redact-key-file", "", "the redaction key; default DIR/.redact-key, created (mode 0600, git-ignored) when missing")
	name := fs.String("name", "", "the cassette name (default: FILE's name without its extension)")
	all := fs.Bool("record-all", false, "import every entry, not only the OAuth endpoints")
	pseudoID := fs.Bool("pseudonymize-client-id", false, "pseudonymise OAuth client ids too, as record --pseudonymize-client-id")
	catOpt := withCatalog(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(stderr, "cassette import", "want one FILE, got %d arguments", fs.NArg())
	}
	if *from != "har" {
		return usageError(stderr, "cassette import", "--from must be har, got %q", *from)
	}
	if *dir == "" {
		return usageError(stderr, "cassette import", "--cassettes is required")
	}
	file := fs.Arg(0)
	if code, ok := missing(stderr, "cassette import", "FILE", file); !ok {
		return code
	}
	cat, code, ok := catOpt.get(stderr, "cassette import")
	if !ok {
		return code
	}
	if *version != "" {
		if _, err := cat.Version(*version); err != nil {
			return usageError(stderr, "cassette import", "--version: %v", err)
		}
	}
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return failure(stderr, "cassette import", err)
	}
	its, readErr := convert.FromHAR(data)
	if errors.Is(readErr, convert.ErrNotHAR) {
		return usageError(stderr, "cassette import", "%s: %v", file, readErr)
	}
	// Entries that cannot be read are reported and counted; the others
	// are imported.
	unreadable := 0
	if j, ok := readErr.(interface{ Unwrap() []error }); ok {
		unreadable = len(j.Unwrap())
	} else if readErr != nil {
		unreadable = 1
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return failure(stderr, "cassette import", err)
	}
	red, _, err := createRedactor(*dir, *keyFile, redact.Options{PseudonymizeClientID: *pseudoID}, stderrLogger(stderr))
	if err != nil {
		return keyFailure(stderr, "cassette import", err)
	}
	store, err := cassettes.OpenStore(*dir, *name, red)
	if err != nil {
		return failure(stderr, "cassette import", err)
	}
	res, addErr := convert.Import(its, store, convert.ImportOptions{Version: *version, All: *all, Catalog: cat})
	if err := errors.Join(addErr, store.Close()); err != nil {
		return failure(stderr, "cassette import", err)
	}
	for _, p := range store.Written() {
		fmt.Fprintln(stdout, p)
	}
	total := 0
	for _, n := range res.Added {
		total += n
	}
	fmt.Fprintf(stderr, "oauthcompat cassette import: %s imported; %s skipped%s\n",
		nouns(total, "interaction", "interactions"), nouns(res.Skipped+unreadable, "entry", "entries"), skipReasons(res, unreadable))
	if readErr != nil {
		return failure(stderr, "cassette import", fmt.Errorf("%s: %w", file, readErr))
	}
	if total == 0 && res.SkippedBy[convert.SkipNotOAuth] > 0 {
		fmt.Fprintln(stderr, "oauthcompat cassette import: nothing to import; pass --record-all to keep every entry")
	}
	return exitOK
}
