package reference_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/reference/triggers"
	"github.com/oauthcompat/oauthcompat/schemas"
)

var update = flag.Bool("update", false, "rewrite golden files")

func operation(v *schemas.Version, key string) *schemas.Operation {
	for _, op := range v.Operations {
		if op.Key() == key {
			return op
		}
	}
	return nil
}

// TestEveryDocumentedStatus runs every trigger against every version that
// documents its operation: each documented (operation, status) must have a
// trigger (or be one no request can provoke from a server that behaves as
// GitHub does, conformance.Unprovokable: docs/fidelity.md, "304 on
// conditional POST, PUT, PATCH and DELETE"), each trigger must produce its
// status, and each documented answer must validate against the version's
// schema.
func TestEveryDocumentedStatus(t *testing.T) {
	have := map[string]bool{}
	for _, tr := range triggers.All() {
		have[tr.Key+" "+strconv.Itoa(tr.Status)] = true
	}
	for _, v := range schemas.Default().Versions() {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			for _, op := range v.Operations {
				for _, st := range op.Statuses() {
					if _, ok := conformance.Unprovokable(op, st); ok {
						if have[op.Key()+" "+strconv.Itoa(st)] {
							t.Errorf("%s (%s) %d cannot be provoked, but a trigger claims it", op.ID, op.Key(), st)
						}
						continue
					}
					if !have[op.Key()+" "+strconv.Itoa(st)] {
						t.Errorf("%s (%s) documents %d but no trigger produces it", op.ID, op.Key(), st)
					}
				}
			}
			for i, tr := range triggers.All() {
				op := operation(v, tr.Key)
				if op == nil {
					continue
				}
				s, err := tr.Server(v)
				if err != nil {
					t.Fatal(err)
				}
				h := &harness{tb: t, v: v, s: s, prefix: prefixOf(v)}
				r := tr.Run(h)
				name := fmt.Sprintf("trigger %d %s %d (%s)", i, op.ID, tr.Status, tr.Why)
				if r.Status != tr.Status {
					t.Errorf("%s: got %d %s", name, r.Status, r.Body)
					continue
				}
				if _, documented := op.Response(r.Status); documented {
					// Nulls GitHub answers where an old description says
					// string are tolerated (TestNoteNullOnOldVersions).
					if err, _ := schemas.Tolerated(v.Validate(op.ID, r.Status, r.Body)); err != nil {
						t.Errorf("%s: %v\nbody: %s", name, err, r.Body)
					}
				} else if len(r.Body) > 0 {
					var e struct {
						Message          string `json:"message"`
						DocumentationURL string `json:"documentation_url"`
					}
					if err := json.Unmarshal(r.Body, &e); err != nil || e.Message == "" || e.DocumentationURL == "" {
						t.Errorf("%s: undocumented %d without GitHub's error shape: %s", name, r.Status, r.Body)
					}
				}
			}
		})
	}
}

// documentedIn names the versions documenting (key, status), folding runs
// of consecutive catalog versions into "first…last".
func documentedIn(key string, status int) string {
	var runs [][]string
	prev := false
	for _, v := range schemas.Default().Versions() {
		op := operation(v, key)
		ok := false
		if op != nil {
			_, ok = op.Response(status)
		}
		ghes := v.Kind() == schemas.KindGHES
		switch {
		case ok && prev && ghes:
			runs[len(runs)-1] = append(runs[len(runs)-1], v.Name)
		case ok:
			runs = append(runs, []string{v.Name})
		}
		prev = ok && ghes
	}
	if len(runs) == 0 {
		return "undocumented"
	}
	var parts []string
	for _, r := range runs {
		if len(r) == 1 {
			parts = append(parts, r[0])
		} else {
			parts = append(parts, r[0]+"…"+r[len(r)-1])
		}
	}
	return strings.Join(parts, ", ")
}

// triggerTable renders the trigger table of docs/reference-server.md.
func triggerTable() []byte {
	var b bytes.Buffer
	b.WriteString("| operation | status | trigger | documented in |\n|---|---|---|---|\n")
	type row struct {
		status int
		whys   []string
	}
	var keys []string
	rows := map[string][]*row{}
	for _, tr := range triggers.All() {
		if _, ok := rows[tr.Key]; !ok {
			keys = append(keys, tr.Key)
		}
		var r *row
		for _, x := range rows[tr.Key] {
			if x.status == tr.Status {
				r = x
			}
		}
		if r == nil {
			r = &row{status: tr.Status}
			rows[tr.Key] = append(rows[tr.Key], r)
		}
		r.whys = append(r.whys, tr.Why)
	}
	for _, k := range keys {
		for _, r := range rows[k] {
			fmt.Fprintf(&b, "| `%s` | %d | %s | %s |\n", k, r.status, strings.Join(r.whys, "; "), documentedIn(k, r.status))
		}
		if op := catalogOp(k); op != nil {
			if _, ok := conformance.Unprovokable(op, 304); ok && documentedIn(k, 304) != "undocumented" {
				fmt.Fprintf(&b, "| `%s` | 304 | none: documented, but `If-None-Match` is ignored on %s, as GitHub does (docs/fidelity.md) | %s |\n", k, op.Method, documentedIn(k, 304))
			}
		}
	}
	return b.Bytes()
}

// catalogOp is the newest catalog operation with this key.
func catalogOp(key string) *schemas.Operation {
	var out *schemas.Operation
	for _, v := range schemas.Default().Versions() {
		if op := operation(v, key); op != nil {
			out = op
		}
	}
	return out
}

const (
	docsPath   = "../docs/reference-server.md"
	beginMark  = "<!-- triggers:begin (generated by go test ./reference -update) -->\n"
	endMark    = "<!-- triggers:end -->"
	goldenPath = "testdata/triggers.md"
)

// TestTriggerTableDocs keeps testdata/triggers.md and the table in
// docs/reference-server.md equal to the trigger table.
func TestTriggerTableDocs(t *testing.T) {
	got := triggerTable()
	if *update {
		if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		doc, err := os.ReadFile(docsPath)
		if err != nil {
			t.Fatal(err)
		}
		i, j := bytes.Index(doc, []byte(beginMark)), bytes.Index(doc, []byte(endMark))
		if i < 0 || j < i {
			t.Fatalf("%s: markers %q and %q not found", docsPath, beginMark, endMark)
		}
		out := append(append(append([]byte{}, doc[:i+len(beginMark)]...), got...), doc[j:]...)
		if err := os.WriteFile(docsPath, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (run go test ./reference -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is stale, run go test ./reference -update (-want +got):\n%s", goldenPath, diff)
	}
	doc, err := os.ReadFile(filepath.Clean(docsPath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, append([]byte(beginMark), got...)) {
		t.Errorf("%s: the trigger table is stale, run go test ./reference -update", docsPath)
	}
}
