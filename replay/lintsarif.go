package replay

import (
	"encoding/json"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// SARIFSchema is the JSON schema of SARIF 2.1.0 the output of
// [WriteSARIF] names.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// lintRules describe each kind of finding, as SARIF rules: the ids are the
// kinds, stable.
var lintRules = []struct{ id, text string }{
	{FindingSecret, "Something in the cassette looks like a secret left in clear: re-record through the recorder, which pseudonymises it"},
	{FindingHash, "hashed_token is not the SHA-256 of token: the token or its hash was not redacted consistently"},
	{FindingYAML, "The cassette does not load"},
	{FindingNoOperation, "The request matches no operation the cassette's version documents"},
	{FindingSchema, "The response body does not fit the documented schema for its operation and status"},
	{FindingNoVersion, "The cassette's directory names no documented version: its operations and schemas were not checked"},
	{FindingJournal, "A journal of a recording that did not finish: its interactions are in no cassette yet"},
	{FindingUndocumented, "The status is not documented for the operation (GitHub answers more statuses than it documents)"},
	{FindingAbsent, "An operation the version does not document, answered 404 as it should be"},
	{FindingTruncated, "The stored body is cut short: its schema was not checked"},
	{FindingUpstream, "The upstream failed (no answer, or a body cut short): recorded as it happened"},
}

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
}

// WriteSARIF writes findings as a SARIF 2.1.0 log for code scanning (such
// as GitHub's): one result per finding, its rule the finding's kind, its
// location the cassette file (relative to base, the working directory,
// with forward slashes) and line (1 for what concerns a whole file).
// Findings marked Info are notes, the others errors.
func WriteSARIF(w io.Writer, findings []Finding, base string) error {
	driver := sarifDriver{Name: "oauthcompat cassette lint", InformationURI: "https://github.com/oauthcompat/oauthcompat/blob/main/docs/replay.md"}
	index := map[string]int{}
	for i, r := range lintRules {
		rule := sarifRule{ID: r.id, ShortDescription: sarifMessage{r.text}}
		rule.DefaultConfiguration.Level = "error"
		if infoKinds[r.id] {
			rule.DefaultConfiguration.Level = "note"
		}
		driver.Rules = append(driver.Rules, rule)
		index[r.id] = i
	}
	results := []sarifResult{}
	for _, f := range findings {
		i, ok := index[f.Kind]
		if !ok {
			// A kind added without a rule still gets one.
			i = len(driver.Rules)
			rule := sarifRule{ID: f.Kind, ShortDescription: sarifMessage{f.Kind}}
			rule.DefaultConfiguration.Level = "error"
			driver.Rules = append(driver.Rules, rule)
			index[f.Kind] = i
		}
		res := sarifResult{RuleID: f.Kind, RuleIndex: i, Level: "error", Message: sarifMessage{sarifText(f)}}
		if f.Info {
			res.Level = "note"
		}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = relativeURI(base, f.File)
		loc.PhysicalLocation.Region.StartLine = max(f.Line, 1)
		res.Locations = []sarifLocation{loc}
		results = append(results, res)
	}
	sort.SliceStable(results, func(a, b int) bool {
		la, lb := results[a].Locations[0].PhysicalLocation, results[b].Locations[0].PhysicalLocation
		if la.ArtifactLocation.URI != lb.ArtifactLocation.URI {
			return la.ArtifactLocation.URI < lb.ArtifactLocation.URI
		}
		return la.Region.StartLine < lb.Region.StartLine
	})
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: SARIFSchema, Runs: []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}}})
}

// sarifText is a finding's message with where it is in the cassette.
func sarifText(f Finding) string {
	var b strings.Builder
	if f.Interaction >= 0 {
		b.WriteString("interaction ")
		b.WriteString(strconv.Itoa(f.Interaction))
		b.WriteString(" (" + f.Method + " " + f.Path + ")")
		if f.Field != "" {
			b.WriteString(", " + f.Field)
		}
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// relativeURI is path relative to base, with forward slashes; path as it
// is (slashed) when it is not below base.
func relativeURI(base, path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		if b, err := filepath.Abs(base); err == nil {
			if rel, err := filepath.Rel(b, abs); err == nil && !strings.HasPrefix(rel, "..") {
				return filepath.ToSlash(rel)
			}
		}
	}
	return filepath.ToSlash(path)
}
