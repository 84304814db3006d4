package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/oauthcompat/oauthcompat/schemas"
)

func runVersions(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("versions", "versions [--catalog DIR] [--json]", "Lists every GitHub version the catalog documents, oldest GHES first, with the number\nof OAuth operations each documents and where the facts come from. Versions imported into\nthe --catalog overlay are marked \"imported\", with the file they came from and its SHA-256.", stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	catOpt := withCatalog(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cat, code, ok := catOpt.get(stderr, "versions")
	if !ok {
		return code
	}
	if *asJSON {
		type row struct {
			Name       string          `json:"name"`
			Kind       string          `json:"kind"`
			Operations int             `json:"operations"`
			Source     string          `json:"source"`
			Verified   bool            `json:"verified"`
			Imported   bool            `json:"imported,omitempty"`
			Origin     *schemas.Origin `json:"origin,omitempty"`
		}
		var rows []row
		for _, v := range cat.Versions() {
			rows = append(rows, row{v.Name, string(v.Kind()), len(v.Operations), v.Source, v.Verified, v.Imported(), v.Origin()})
		}
		return writeJSON(stdout, rows)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tKIND\tOPERATIONS\tSOURCE")
	for _, v := range cat.Versions() {
		src := v.Source
		if o := v.Origin(); v.Imported() {
			src = fmt.Sprintf("imported: %s (sha256 %s)", o.File, o.SHA256)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", v.Name, v.Kind(), len(v.Operations), src)
	}
	tw.Flush()
	return exitOK
}

func runCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "import" {
		return runCatalogImport(ctx, args[1:], stdout, stderr)
	}
	fs := flags("catalog", "catalog --version V [--catalog DIR] [--json]\n       oauthcompat catalog import --description FILE [--name V] --out DIR", "Lists the OAuth operations version V documents: id, method, path, family, deprecation\nand status codes, and where its facts come from. V may be written 3.8, ghes-3.8,\n\"GHES 3.8.12\", github.ae, api.github.com or ghec.\n\n'oauthcompat catalog import -h' tells how to add a version GitHub published after this release.", stderr)
	version := fs.String("version", "", "the GitHub version (required)")
	asJSON := fs.Bool("json", false, "print the full operations as JSON (request fields, response schemas)")
	catOpt := withCatalog(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *version == "" {
		return usageError(stderr, "catalog", "--version is required")
	}
	cat, code, ok := catOpt.get(stderr, "catalog")
	if !ok {
		return code
	}
	v, err := cat.Version(*version)
	if err != nil {
		return usageError(stderr, "catalog", "%v", err)
	}
	if *asJSON {
		return writeJSON(stdout, struct {
			*schemas.Version
			Imported bool            `json:"imported,omitempty"`
			Origin   *schemas.Origin `json:"origin,omitempty"`
			Notes    []schemas.Note  `json:"notes"`
		}{v, v.Imported(), v.Origin(), v.Notes()})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tMETHOD\tPATH\tFAMILY\tSTATUSES\tDEPRECATED")
	for _, op := range v.Operations {
		st := make([]string, 0, len(op.Responses))
		for _, s := range op.Statuses() {
			st = append(st, strconv.Itoa(s))
		}
		dep := ""
		if op.Deprecated {
			dep = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", op.ID, op.Method, op.Path, op.Family, strings.Join(st, " "), dep)
	}
	tw.Flush()
	if notes := v.Notes(); len(notes) > 0 {
		fmt.Fprintln(stdout, "\nWhere the docs and the official description disagree (the catalog follows the description):")
		for _, n := range notes {
			where := n.Operation
			if n.Status != 0 {
				where += " " + strconv.Itoa(n.Status)
			}
			fmt.Fprintf(stdout, "  - %s (%s): %s\n", where, n.Kind, n.Text)
		}
	}
	printOrigin(stdout, v)
	return exitOK
}

func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flags("validate", "validate --version V --operation ID --status N [FILE|-]",
		"Validates a response body (FILE, or standard input when FILE is - or absent) against the\nschema version V documents for the operation and status. Exits 0 when valid, 1 when not\n(each problem printed with its JSON pointer), 2 for an unknown version, operation or status.", stderr)
	version := fs.String("version", "", "the GitHub version (required)")
	opID := fs.String("operation", "", "the operation id, e.g. apps/check-token (see 'oauthcompat catalog')")
	status := fs.Int("status", 0, "the HTTP status of the response")
	catOpt := withCatalog(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *version == "" || *opID == "" || *status == 0 {
		return usageError(stderr, "validate", "--version, --operation and --status are required")
	}
	if fs.NArg() > 1 {
		return usageError(stderr, "validate", "one FILE at most, got %d", fs.NArg())
	}
	cat, code, ok := catOpt.get(stderr, "validate")
	if !ok {
		return code
	}
	v, err := cat.Version(*version)
	if err != nil {
		return usageError(stderr, "validate", "%v", err)
	}
	var body []byte
	switch name := fs.Arg(0); name {
	case "", "-":
		if st, err := os.Stdin.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 && name == "" {
			return usageError(stderr, "validate", "give the body as FILE, or pipe it in (FILE - reads standard input)")
		}
		body, err = io.ReadAll(os.Stdin)
	default:
		body, err = os.ReadFile(name)
	}
	if err != nil {
		return usageError(stderr, "validate", "read body: %v", err)
	}
	err, tolerated := schemas.Tolerated(v.Validate(*opID, *status, body))
	var verr *schemas.ValidationError
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "valid: %s %s %d\n", v.Name, *opID, *status)
		for _, p := range tolerated {
			fmt.Fprintf(stdout, "  tolerated: %s (GitHub answers null there; docs/fidelity.md)\n", p)
		}
		return exitOK
	case errors.As(err, &verr):
		fmt.Fprintf(stdout, "invalid: %s %s %d\n", v.Name, *opID, *status)
		for _, p := range verr.Problems {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
		return exitFindings
	default:
		return usageError(stderr, "validate", "%v", err)
	}
}

func writeJSON(w io.Writer, v any) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return exitFailure
	}
	return exitOK
}

// printOrigin says where v's facts come from: the source file and its
// SHA-256, and, for a transcribed or inferred version, what was read from
// which description and what was inferred.
func printOrigin(w io.Writer, v *schemas.Version) {
	o := v.Origin()
	if o == nil {
		fmt.Fprintf(w, "\nSource: %s\n", v.Source)
		return
	}
	fmt.Fprintf(w, "\nWhere the facts of %s come from: %s\n", v.Name, o)
	for _, f := range o.Facts {
		fmt.Fprintf(w, "  - %s\n", f)
	}
	if o.Like != "" {
		if like, err := v.Catalog().Version(o.Like); err == nil && like.Origin() != nil {
			fmt.Fprintf(w, "  %s's facts come from %s\n", o.Like, like.Origin())
			for _, f := range like.Origin().Facts {
				fmt.Fprintf(w, "    - %s\n", f)
			}
		}
	}
	if !v.Verified {
		fmt.Fprintf(w, "Note: %s is %s.\n", v.Name, v.Source)
	}
}
