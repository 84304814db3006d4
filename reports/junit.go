package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/oauthcompat/oauthcompat/conformance"
)

// JUnitSuites is the JUnit XML document: one suite per report, one test
// case per scenario.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one version's run.
type JUnitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []JUnitProperty `xml:"properties>property"`
	Cases      []JUnitCase     `xml:"testcase"`
}

// JUnitProperty is a name/value pair of a suite.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitCase is one (operation, status) scenario.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *JUnitFailure `xml:"failure"`
	Error     *JUnitFailure `xml:"error"`
	Skipped   *JUnitSkipped `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"` // a passing case's reason
}

// JUnitFailure carries the failure message and the findings.
type JUnitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnitSkipped marks a case that was not exercised.
type JUnitSkipped struct {
	Message string `xml:"message,attr"`
}

func seconds(d conformance.Duration) string {
	return fmt.Sprintf("%.3f", time.Duration(d).Seconds())
}

// JUnitOf converts reports to the JUnit document.
func JUnitOf(reps ...*conformance.Report) JUnitSuites {
	reps = maskedAll(reps)
	doc := JUnitSuites{Name: "oauthcompat conform"}
	var total time.Duration
	for _, r := range reps {
		s := JUnitSuite{
			Name: "oauthcompat conform " + r.Version + " (" + r.Mode + ")", Time: seconds(r.Duration),
			Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
			Properties: []JUnitProperty{
				{Name: "version", Value: r.Version}, {Name: "mode", Value: r.Mode}, {Name: "target", Value: r.Target},
				{Name: "summary", Value: SummaryLine(r)},
			},
		}
		for _, c := range r.Cases {
			jc := JUnitCase{Name: c.ID, Classname: "oauthcompat." + r.Version + "." + c.Operation, Time: seconds(c.Duration)}
			switch c.Result {
			case conformance.Fail:
				s.Failures++
				rule := ""
				if len(c.Findings) > 0 {
					rule = c.Findings[0].Rule
				}
				jc.Failure = &JUnitFailure{Message: c.Reason, Type: rule, Text: findingsText(c)}
			case conformance.NotExercised:
				s.Skipped++
				jc.Skipped = &JUnitSkipped{Message: "not exercised: " + c.Reason}
			case conformance.CannotProvoke:
				s.Skipped++
				jc.Skipped = &JUnitSkipped{Message: "cannot be provoked: " + c.Reason}
			case conformance.Pass:
				jc.SystemOut = "pass: " + c.Reason
			}
			s.Cases = append(s.Cases, jc)
		}
		s.Tests = len(s.Cases)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		total += time.Duration(r.Duration)
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = seconds(conformance.Duration(total))
	return doc
}

func findingsText(c conformance.Case) string {
	var b strings.Builder
	for _, f := range c.Findings {
		fmt.Fprintf(&b, "[%s] %s", f.Severity, f.Rule)
		if f.Pointer != "" {
			fmt.Fprintf(&b, " at %s", f.Pointer)
		}
		fmt.Fprintf(&b, ": %s\n", f.Message)
		if f.Evidence != nil {
			fmt.Fprintf(&b, "  request:\n%s\n  response:\n%s\n", indent(f.Evidence.Request), indent(f.Evidence.Response))
		}
	}
	return b.String()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// WriteJUnit writes r as JUnit XML.
func WriteJUnit(w io.Writer, reps ...*conformance.Report) error {
	return encodeJUnit(w, JUnitOf(reps...))
}

func encodeJUnit(w io.Writer, doc JUnitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
