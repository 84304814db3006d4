package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// planted is the cassette replay's tests build with a real secret planted
// in one field of each interaction: host, URL, query, status text, header
// names and values, JSON, form, multipart, text and compressed bodies,
// percent-encoded forms, duplicate JSON keys, a real token_last_eight.
const planted = "../../replay/testdata/.planted/ghes-3.8/planted.yaml"

// plantedKey is the key it was recorded with (replay's plantKey).
var plantedKey = bytes.Repeat([]byte{7, 9}, 16)

// plantedCopy copies the planted cassette into a fresh directory without a
// key, the working directory, and returns the cassettes directory (relative)
// and the number of interactions.
func plantedCopy(t *testing.T) (string, int) {
	t.Helper()
	data, err := os.ReadFile(planted)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(filepath.Join("c", "ghes-3.8"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("c", "ghes-3.8", "planted.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("key", plantedKey, 0o600); err != nil {
		t.Fatal(err)
	}
	return "c", bytes.Count(data, []byte("\n    - id: "))
}

// TestLintNamesEveryPlantedSecret: cassette lint exits 1 on the planted
// cassette and names each interaction's secret with its file, line and
// field, with and without the key.
func TestLintNamesEveryPlantedSecret(t *testing.T) {
	dir, n := plantedCopy(t)
	if n < 20 {
		t.Fatalf("the planted cassette has %d interactions", n)
	}
	for _, keyArgs := range [][]string{nil, {"--redact-key-file", "key"}} {
		args := append(append([]string{"cassette", "lint"}, keyArgs...), dir)
		code, out, errs := runCmd(t, args...)
		if code != exitFindings {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitFindings, errs)
		}
		for i := range n {
			re := regexp.MustCompile(fmt.Sprintf(`(?m)^c/ghes-3\.8/planted\.yaml:\d+: interaction %d \([^)]*\) (request|response)\.\S+: unredacted-secret: `, i))
			if !re.MatchString(out) {
				t.Errorf("%v: interaction %d: no finding with its line and field:\n%s", args, i, out)
			}
		}
		for _, s := range []string{"Correct-Horse-Battery-9", "9d5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5", "Lint0Real0Token0Not0Published0"} {
			if strings.Contains(out+errs, s) {
				t.Errorf("%v: the output prints a secret", args)
			}
		}
	}
}

// TestLintSARIF checks --format sarif against the properties SARIF 2.1.0
// requires and code scanning reads: one result per finding, with its rule,
// message and location (file relative to the working directory, line).
func TestLintSARIF(t *testing.T) {
	dir, _ := plantedCopy(t)
	_, text, _ := runCmd(t, "cassette", "lint", dir)
	findings := strings.Count(text, "\n")
	code, out, errs := runCmd(t, "cassette", "lint", "--format", "sarif", dir)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var log any
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	// The properties SARIF 2.1.0 requires, read as any reader of the
	// schema would, not through the writer's own types.
	if at(log, "version") != "2.1.0" || !strings.Contains(fmt.Sprint(at(log, "$schema")), "sarif-2.1.0") || len(list(at(log, "runs"))) != 1 {
		t.Fatalf("version %v, $schema %v, runs %v; want 2.1.0, the 2.1.0 schema, one run", at(log, "version"), at(log, "$schema"), at(log, "runs"))
	}
	run := list(at(log, "runs"))[0]
	rules := list(at(run, "tool", "driver", "rules"))
	if s, _ := at(run, "tool", "driver", "name").(string); s == "" || len(rules) == 0 {
		t.Errorf("tool.driver: name %v, %d rules", at(run, "tool", "driver", "name"), len(rules))
	}
	results := list(at(run, "results"))
	if len(results) != findings {
		t.Errorf("%d results, want one per finding (%d)", len(results), findings)
	}
	for _, r := range results {
		id := at(r, "ruleId")
		i, _ := at(r, "ruleIndex").(float64)
		if int(i) >= len(rules) || at(rules[int(i)], "id") != id {
			t.Errorf("result of rule %v: ruleIndex %v names another rule", id, at(r, "ruleIndex"))
		}
		locs := list(at(r, "locations"))
		if text, _ := at(r, "message", "text").(string); text == "" || len(locs) != 1 || strings.Contains(text, "Correct-Horse-Battery-9") {
			t.Errorf("result %v: message %q (never a secret), %d locations", id, text, len(locs))
			continue
		}
		uri, line := at(locs[0], "physicalLocation", "artifactLocation", "uri"), at(locs[0], "physicalLocation", "region", "startLine")
		if n, _ := line.(float64); uri != "c/ghes-3.8/planted.yaml" || n < 1 {
			t.Errorf("result %v: location %v:%v, want c/ghes-3.8/planted.yaml and a line", id, uri, line)
		}
	}
	if code, _, errs := runCmd(t, "cassette", "lint", "--format", "xml", dir); code != exitUsage || !strings.Contains(errs, "sarif") {
		t.Errorf("--format xml: exit %d, %s", code, errs)
	}
}

// at is the value at the path of member names in decoded JSON; nil when
// there is none.
func at(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// list is v as a JSON array; nil when it is not one.
func list(v any) []any {
	l, _ := v.([]any)
	return l
}
