package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/oauthcompat/oauthcompat/conformance"
)

// maxMarkdownRows keeps a Markdown report within what a pull-request
// comment shows comfortably.
const maxMarkdownRows = 50

// WriteMarkdown writes r as Markdown for a pull-request comment: the
// summary line first, then the failures with their findings, what was not
// exercised and why, and the coverage matrix folded away.
func WriteMarkdown(w io.Writer, r *conformance.Report) error {
	r = masked(r)
	var b strings.Builder
	icon := "✅"
	if !r.Conformant {
		icon = "❌"
	}
	fmt.Fprintf(&b, "%s **%s**\n\n", icon, mdEscape(SummaryLine(r)))
	fmt.Fprintf(&b, "Target: `%s` · %d findings (%d errors) · %s\n", r.Target, r.Summary.Findings, r.Summary.Errors, seconds(r.Duration)+"s")

	var failed, skipped, unprovokable, passed []conformance.Case
	for _, c := range r.Cases {
		switch c.Result {
		case conformance.Fail:
			failed = append(failed, c)
		case conformance.NotExercised:
			skipped = append(skipped, c)
		case conformance.CannotProvoke:
			unprovokable = append(unprovokable, c)
		case conformance.Pass:
			passed = append(passed, c)
		}
	}
	if len(failed) > 0 {
		b.WriteString("\n### Failures\n\n")
		writeFailures(&b, r)
	}
	if len(skipped) > 0 {
		b.WriteString("\n### Not exercised\n\n")
		for i, c := range skipped {
			if i == maxMarkdownRows {
				fmt.Fprintf(&b, "- …and %d more\n", len(skipped)-i)
				break
			}
			fmt.Fprintf(&b, "- `%s`: %s\n", mdEscape(c.ID), mdEscape(c.Reason))
		}
	}
	writeReasons(&b, "### Cannot be provoked (documented, not a failure)\n\n", unprovokable, maxMarkdownRows)
	writeReasons(&b, "<details><summary>Passed, and why</summary>\n\n", passed, maxPassedRows)
	if len(passed) > 0 {
		b.WriteString("\n</details>\n")
	}
	b.WriteString("\n<details><summary>Coverage: documented (operation × status)</summary>\n\n| operation | method | path | status | result | cases |\n|---|---|---|---|---|---|\n")
	for _, c := range r.Coverage {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %d | %s %s | %d |\n", c.Operation, c.Method, c.Path, c.Status, resultIcon(c.Result), c.Result, c.Cases)
	}
	b.WriteString("\n</details>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// maxPassedRows bounds the folded list of passed cases: every run of a
// catalog version fits, and a comment stays well under GitHub's size limit.
const maxPassedRows = 200

// writeReasons lists cases with their reasons under a heading, at most
// limit of them.
func writeReasons(b *strings.Builder, heading string, cases []conformance.Case, limit int) {
	if len(cases) == 0 {
		return
	}
	b.WriteString("\n" + heading)
	for i, c := range cases {
		if i == limit {
			fmt.Fprintf(b, "- …and %d more\n", len(cases)-i)
			break
		}
		fmt.Fprintf(b, "- `%s`: %s\n", mdEscape(c.ID), mdEscape(c.Reason))
	}
}

// writeFailures writes the failing cases of r as a table of findings,
// then their redacted evidence folded away.
func writeFailures(b *strings.Builder, r *conformance.Report) {
	var failed []conformance.Case
	for _, c := range r.Cases {
		if c.Result == conformance.Fail {
			failed = append(failed, c)
		}
	}
	b.WriteString("| case | rule | where | message |\n|---|---|---|---|\n")
	rows := 0
	for _, c := range failed {
		for _, f := range c.Findings {
			if rows == maxMarkdownRows {
				break
			}
			rows++
			fmt.Fprintf(b, "| `%s` | `%s` | %s | %s |\n", mdEscape(c.ID), f.Rule, mdEscape(f.Pointer), mdEscape(f.Message))
		}
	}
	if n := r.Summary.Findings - rows; n > 0 {
		fmt.Fprintf(b, "\n…and %d more findings: see report.json or report.html.\n", n)
	}
	b.WriteString("\n<details><summary>Evidence (redacted)</summary>\n\n")
	shown := 0
	for _, c := range failed {
		for _, f := range c.Findings {
			if f.Evidence == nil || shown == 10 {
				continue
			}
			shown++
			fmt.Fprintf(b, "**%s** — `%s`\n\n```http\n%s\n```\n```http\n%s\n```\n\n", mdEscape(c.ID), f.Rule, fence(f.Evidence.Request), fence(f.Evidence.Response))
		}
	}
	b.WriteString("</details>\n")
}

func resultIcon(r conformance.Outcome) string {
	switch r {
	case conformance.Pass:
		return "✅"
	case conformance.Fail:
		return "❌"
	case conformance.CannotProvoke:
		return "➖"
	}
	return "⚪"
}

// mdEscape keeps text from breaking a table cell or turning into markup.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "`", "'")
	return r.Replace(s)
}

// fence keeps text from closing a code fence.
func fence(s string) string { return strings.ReplaceAll(s, "```", "'''") }
