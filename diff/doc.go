// Package diff tells what changes between two GitHub versions for the OAuth
// application and authorization endpoints, and whether a client breaks.
//
// # Overview
//
// Three reports share one model ([Report], a list of [Change]s, each with a
// stable kebab-case rule id and a [Severity]):
//
//   - [Differ.Documented] compares what two catalog versions document:
//     operations added, removed or newly deprecated, status codes, and the
//     request and response JSON Schemas, property by property. The
//     comparison runs github.com/google/go-cmp over a model keyed by
//     "METHOD path" and reads the differences through a [cmp.Reporter],
//     never through cmp.Diff text.
//   - [Differ.Observed] compares two recordings (go-vcr v3 cassettes, laid
//     out DIR/<version>/<name>.yaml): statuses and response shapes per
//     operation, telling a removed endpoint from a rejected token.
//   - [Differ.UpgradeCheck] takes a client's recorded traffic and a target
//     version and lists every call that the target no longer documents, or
//     whose documented statuses or schemas change in a way that can break
//     the client.
//
// Removed legacy path-token endpoints and removed OAuth Authorizations API
// operations carry a [Migration]. [Rules] lists every rule id with its
// severity; docs/diff.md documents them and the JSON shape.
//
// # Usage
//
//	cat := schemas.Default()
//	d := diff.New(cat)
//	from, _ := cat.Version("3.3")
//	to, _ := cat.Version("3.4")
//	rep, err := d.Documented(from, to)
//	err = rep.WriteMarkdown(os.Stdout) // or WriteJSON, WriteHTML
package diff
