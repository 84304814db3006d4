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
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("version %q, $schema %q, %d runs; want 2.1.0, the 2.1.0 schema, one run", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name == "" || len(run.Tool.Driver.Rules) == 0 {
		t.Errorf("tool.driver: name %q, %d rules", run.Tool.Driver.Name, len(run.Tool.Driver.Rules))
	}
	if len(run.Results) != findings {
		t.Errorf("%d results, want one per finding (%d)", len(run.Results), findings)
	}
	ids := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		ids[r.ID] = i
	}
	for _, r := range run.Results {
		if i, ok := ids[r.RuleID]; !ok || r.RuleIndex == nil || *r.RuleIndex != i {
			t.Errorf("result of rule %q: not a rule of the driver at ruleIndex %v", r.RuleID, r.RuleIndex)
		}
		if r.Message.Text == "" || len(r.Locations) != 1 {
			t.Errorf("result %q: message %q, %d locations", r.RuleID, r.Message.Text, len(r.Locations))
			continue
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "c/ghes-3.8/planted.yaml" || loc.Region.StartLine < 1 {
			t.Errorf("result %q: location %s:%d, want c/ghes-3.8/planted.yaml and a line", r.RuleID, loc.ArtifactLocation.URI, loc.Region.StartLine)
		}
		if strings.Contains(r.Message.Text, "Correct-Horse-Battery-9") {
			t.Error("a result prints a secret")
		}
	}
	if code, _, errs := runCmd(t, "cassette", "lint", "--format", "xml", dir); code != exitUsage || !strings.Contains(errs, "sarif") {
		t.Errorf("--format xml: exit %d, %s", code, errs)
	}
}
