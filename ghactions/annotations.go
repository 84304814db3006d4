package ghactions

import (
	"fmt"
	"strings"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/diff"
	"github.com/oauthcompat/oauthcompat/fleet"
)

// Conform annotates a run of the suite: an error for each error finding
// of a failed case and a warning for each warning finding, titled
// "conform <server> <version>: <operation> <rule>" (server is "" for a
// single target). With failOn never, errors become warnings: they do not
// fail the step.
func Conform(server string, rep *conformance.Report, failOn fleet.FailOn) []Annotation {
	head := "conform "
	if server != "" {
		head += server + " "
	}
	head += rep.Version
	var out []Annotation
	for _, c := range rep.Cases {
		for _, f := range c.Findings {
			level := LevelWarning
			switch {
			case f.Severity == conformance.SeverityError && c.Result == conformance.Fail && failOn != fleet.FailOnNever:
				level = LevelError
			case f.Severity == conformance.SeverityInfo:
				continue
			}
			msg := c.ID + ": " + f.Message
			if f.Pointer != "" {
				msg += " (at " + f.Pointer + ")"
			}
			out = append(out, Annotation{Level: level, Title: head + ": " + f.Operation + " " + f.Rule, Message: msg})
		}
	}
	return out
}

// Fleet annotates a run over many servers: each server's findings as
// [Conform] gives them, and an error for each server that could not be
// checked, saying why.
func Fleet(r *fleet.Report, failOn fleet.FailOn) []Annotation {
	var out []Annotation
	for _, t := range r.Targets {
		if t.Report != nil {
			out = append(out, Conform(t.Name, t.Report, failOn)...)
		}
		if t.Error != "" {
			out = append(out, Annotation{Level: LevelError, Title: "conform " + t.Name + ": " + strings.ReplaceAll(string(t.Verdict), "-", " "), Message: t.URL + ": " + t.Error})
		}
	}
	return out
}

// Diff annotates a diff or upgrade check: an error for each change at or
// above failAt (the changes that fail the step; "" means none do), else a
// warning for breaking changes and warnings; info changes are not
// annotated. The title is "<command> <from> → <to>: <operation> <rule>".
func Diff(command string, r *diff.Report, failAt diff.Severity) []Annotation {
	var out []Annotation
	for _, c := range r.Changes {
		level := LevelWarning
		switch {
		case failAt != "" && (&diff.Report{Changes: []diff.Change{c}}).AtLeast(failAt):
			level = LevelError
		case c.Severity == diff.SeverityInfo:
			continue
		}
		op := c.Operation
		if op == "" {
			op = strings.TrimSpace(c.Method + " " + c.Path)
		}
		msg := c.Message
		if c.Migration != nil {
			msg += " Migration: " + c.Migration.String()
		}
		out = append(out, Annotation{Level: level, Title: fmt.Sprintf("%s %s → %s: %s %s", command, r.From, r.To, op, c.Rule), Message: msg})
	}
	return out
}
