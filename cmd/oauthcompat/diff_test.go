package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata of the diff package: hand-written recordings in the recorder's
// go-vcr format.
var diffTestdata = filepath.Join("..", "..", "diff", "testdata")

func TestDiffAndUpgradeCheckCommands(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	rec := func(name string) string { return filepath.Join(diffTestdata, name) }
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		firstLine string // of stdout, when set
		contains  string // in stdout+stderr
	}{
		{"diff help", []string{"diff", "-h"}, exitOK, "", "--from-cassettes"},
		{"diff 3.3 to 3.4", []string{"diff", "--from", "3.3", "--to", "3.4"}, exitOK, "4 breaking, 12 warnings, 0 info", "legacy-path-token-endpoint-removed"},
		{"diff fail-on breaking", []string{"diff", "--from", "3.3", "--to", "3.4", "--fail-on", "breaking"}, exitFindings, "4 breaking, 12 warnings, 0 info", ""},
		{"diff wording only passes the gate", []string{"diff", "--from", "3.5", "--to", "3.6", "--fail-on", "info"}, exitOK, "0 breaking, 0 warnings, 0 info", "No changes."},
		{"diff json", []string{"diff", "--from", "ghes-3.8", "--to", "api.github.com", "--format", "json"}, exitOK, "{", `"rule": "authorizations-api-operation-removed"`},
		{"diff html to file", []string{"diff", "--from", "3.3", "--to", "3.4", "--format", "html", "--out", out}, exitOK, out + ": 4 breaking, 12 warnings, 0 info", ""},
		{"diff cassettes", []string{"diff", "--from-cassettes", rec("conform-3.2"), "--to-cassettes", rec("conform-3.8")}, exitOK, "4 breaking, 0 warnings, 0 info", "observed-endpoint-removed"},
		{"diff no flags", []string{"diff"}, exitUsage, "", "give --from and --to"},
		{"diff both modes", []string{"diff", "--from", "3.3", "--to", "3.4", "--from-cassettes", "x", "--to-cassettes", "y"}, exitUsage, "", "not both"},
		{"diff unknown version", []string{"diff", "--from", "9.9", "--to", "3.4"}, exitUsage, "", "known versions are"},
		{"diff bad format", []string{"diff", "--from", "3.3", "--to", "3.4", "--format", "pdf"}, exitUsage, "", "--format"},
		{"diff bad fail-on", []string{"diff", "--from", "3.3", "--to", "3.4", "--fail-on", "sometimes"}, exitUsage, "", "--fail-on"},
		{"diff missing recording", []string{"diff", "--from-cassettes", rec("nope"), "--to-cassettes", rec("conform-3.8")}, exitUsage, "", "nope"},
		{"upgrade-check help", []string{"upgrade-check", "-h"}, exitOK, "", "--traffic"},
		{"upgrade-check legacy client", []string{"upgrade-check", "--traffic", rec("traffic-legacy-client"), "--to", "3.4"}, exitFindings, "4 breaking, 0 warnings, 0 info", "POST /applications/{client_id}/token"},
		{"upgrade-check body client", []string{"upgrade-check", "--traffic", rec("traffic-body-client"), "--to", "3.4"}, exitOK, "0 breaking, 2 warnings, 0 info", ""},
		{"upgrade-check legacy client stays on 3.3", []string{"upgrade-check", "--traffic", rec("traffic-legacy-client"), "--to", "3.3"}, exitOK, "0 breaking, 0 warnings, 0 info", ""},
		{"upgrade-check to AE keeps reset", []string{"upgrade-check", "--traffic", rec("traffic-legacy-client"), "--to", "github.ae", "--format", "json"}, exitFindings, "{", `"breaking": 3`},
		{"upgrade-check no flags", []string{"upgrade-check"}, exitUsage, "", "--traffic and --to are required"},
		{"upgrade-check unknown target", []string{"upgrade-check", "--traffic", rec("traffic-body-client"), "--to", "4.0"}, exitUsage, "", "known versions are"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if tc.firstLine != "" {
				if first, _, _ := strings.Cut(stdout, "\n"); first != tc.firstLine {
					t.Errorf("first line %q, want %q", first, tc.firstLine)
				}
			}
			if !strings.Contains(stdout+stderr, tc.contains) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", tc.contains, stdout, stderr)
			}
		})
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(page), "<!DOCTYPE html>") {
		t.Errorf("%s is not an HTML page", out)
	}
	// The JSON of an upgrade check decodes.
	_, stdout, _ := runCmd(t, "upgrade-check", "--traffic", rec("traffic-legacy-client"), "--to", "3.4", "--format", "json")
	var rep struct {
		Kind    string `json:"kind"`
		Changes []struct {
			Migration struct {
				Method string `json:"method"`
			} `json:"migration"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Kind != "upgrade-check" || len(rep.Changes) != 4 {
		t.Errorf("upgrade-check JSON: %v, %+v", err, rep)
	}
}
