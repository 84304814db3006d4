// Package fleet runs the conformance suite against many servers in one go:
// the servers of a targets file (YAML or JSON), each with credentials from
// its own environment prefix and its version given or detected, a few at
// a time, into one [Report] whose exit code is the worst of the servers'.
// One server that cannot be reached is reported and does not stop the
// others. Package reports renders the report.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/detect"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// DefaultParallel is how many servers run at once when Config.Parallel is
// not set. Each server's cases run one after the other.
const DefaultParallel = 4

// Verdict is the outcome of one server, or of the whole run.
type Verdict string

// The verdicts.
const (
	// Conformant: every exercised case passed.
	Conformant Verdict = "conformant"
	// NotConformant: a case failed.
	NotConformant Verdict = "not-conformant"
	// NotChecked: the server answered, but no case could be exercised
	// (missing credentials, an --only that selects nothing), or a replay
	// did not match its recording.
	NotChecked Verdict = "not-checked"
	// Unreachable: the server could not be reached.
	Unreachable Verdict = "unreachable"
	// Failed: the run could not start or complete for another reason (the
	// version could not be detected, the run was cancelled).
	Failed Verdict = "error"
)

// Exit codes, as every command uses them.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitSetup    = 2
)

// FailOn says which findings fail a run (exit code 1).
type FailOn string

// The thresholds.
const (
	// FailOnError: a failed case (an error finding). The default.
	FailOnError FailOn = "error"
	// FailOnWarning: a failed case or a warning finding.
	FailOnWarning FailOn = "warning"
	// FailOnNever: findings are reported and never fail the run; a server
	// that could not be checked still does.
	FailOnNever FailOn = "never"
)

// ParseFailOn reads --fail-on: error (or ""), warning or never.
func ParseFailOn(s string) (FailOn, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "error", "errors", "fail", "failure":
		return FailOnError, nil
	case "warning", "warnings":
		return FailOnWarning, nil
	case "never", "none":
		return FailOnNever, nil
	}
	return "", fmt.Errorf("unknown threshold %q: use error, warning or never", s)
}

// Judge returns the verdict of a completed run of the suite, its exit code
// under failOn, and, when the run checked nothing, why.
func Judge(rep *conformance.Report, failOn FailOn) (Verdict, int, string) {
	misses, warnings := 0, 0
	for _, f := range rep.Findings() {
		switch {
		case f.Rule == conformance.RuleReplayMiss:
			misses++
		case f.Severity == conformance.SeverityWarning:
			warnings++
		}
	}
	if misses > 0 {
		return NotChecked, ExitSetup, fmt.Sprintf("%d request(s) of this run are not in the recording: replay with the credentials of the recorded run (and its --only), or record again", misses)
	}
	if rep.Summary.Passed+rep.Summary.Failed == 0 {
		return NotChecked, ExitSetup, nothingRan(rep)
	}
	switch {
	case rep.Failed() && failOn != FailOnNever:
		return NotConformant, ExitFindings, ""
	case rep.Failed():
		return NotConformant, ExitOK, ""
	case warnings > 0 && failOn == FailOnWarning:
		return Conformant, ExitFindings, ""
	}
	return Conformant, ExitOK, ""
}

// nothingRan explains a run in which no case was exercised, which must not
// pass a CI gate as "conformant".
func nothingRan(rep *conformance.Report) string {
	if len(rep.Cases) == 0 {
		return fmt.Sprintf("no case ran: --only selects nothing %s documents or probes; check it against 'oauthcompat catalog --version %s'", rep.Version, rep.Version)
	}
	return fmt.Sprintf("none of the %d cases could be exercised, so nothing was checked (first reason: %s); set the credentials they need (see 'oauthcompat conform -h')",
		len(rep.Cases), rep.Cases[0].Reason)
}

// Config describes a run over many servers. Its zero value works.
type Config struct {
	// Catalog names the versions. Nil means [schemas.Default].
	Catalog *schemas.Catalog
	// DefaultVersion is the version of targets that name none: a version
	// or "auto". Empty means "auto".
	DefaultVersion string
	// Only keeps the cases of these operations on every server; see
	// [conformance.Config].
	Only []string
	// Getenv reads the credentials' variables. Nil means [os.Getenv].
	Getenv func(string) string
	// Parallel is how many servers run at once; < 1 means
	// [DefaultParallel].
	Parallel int
	// FailOn decides which findings fail a server. Empty means
	// [FailOnError].
	FailOn FailOn
	// Client makes the HTTP client of one server. Nil means a client with
	// a 30 s timeout per request.
	Client func(Target) *http.Client
	// Done, when set, is called as each server ends, one call at a time.
	Done func(Result)
}

// Result is the outcome of one server.
type Result struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	// Version is the version the server was checked against; empty when
	// it could not be detected.
	Version string `json:"version,omitempty"`
	// VersionFrom says where Version came from: "targets file",
	// "default", or "detected from X-GitHub-Enterprise-Version: 3.8.0 on
	// GET /api/v3/meta".
	VersionFrom string  `json:"version_from,omitempty"`
	Verdict     Verdict `json:"verdict"`
	ExitCode    int     `json:"exit_code"`
	// Error says why the server was not checked (unreachable, nothing
	// exercised, version not detected). Secrets are masked.
	Error string `json:"error,omitempty"`
	// Notes are remarks on a run that completed, e.g. that no credentials
	// were set, so only the probes of undocumented operations ran.
	Notes []string `json:"notes,omitempty"`
	// Report is the suite's report; nil when the run did not complete.
	Report *conformance.Report `json:"-"`
}

// Summary counts the servers by verdict.
type Summary struct {
	Targets       int `json:"targets"`
	Conformant    int `json:"conformant"`
	NotConformant int `json:"not_conformant"`
	NotChecked    int `json:"not_checked"`
	Unreachable   int `json:"unreachable"`
	Errors        int `json:"errors"`
}

// Report is the outcome of a run over many servers.
type Report struct {
	// Verdict is Conformant when every server is, else NotConformant.
	Verdict Verdict `json:"verdict"`
	// ExitCode is the worst (highest) exit code of the servers.
	ExitCode int                  `json:"exit_code"`
	Summary  Summary              `json:"summary"`
	Targets  []Result             `json:"targets"`
	Started  time.Time            `json:"started"`
	Duration conformance.Duration `json:"duration_ms"`
}

// Line is the one-line verdict of the run:
// "NOT conformant — 3 servers: 1 conformant, 1 not conformant, 1 unreachable".
func (r *Report) Line() string {
	s := r.Summary
	verdict := "conformant"
	if r.Verdict != Conformant {
		verdict = "NOT conformant"
	}
	parts := []string{fmt.Sprintf("%d conformant", s.Conformant)}
	for _, p := range []struct {
		n    int
		what string
	}{{s.NotConformant, "not conformant"}, {s.NotChecked, "not checked"}, {s.Unreachable, "unreachable"}, {s.Errors, "failed to run"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	servers := "servers"
	if s.Targets == 1 {
		servers = "server"
	}
	return fmt.Sprintf("%s — %d %s: %s", verdict, s.Targets, servers, strings.Join(parts, ", "))
}

// Line is the server's verdict line: "prod (ghes-3.8): conformant — 63
// passed, ..." (the counts as reports.SummaryLine gives them) or "dr
// (version unknown): unreachable — cannot reach ...".
func (r Result) Line() string {
	v := r.Version
	if v == "" {
		v = "version unknown"
	}
	head := r.Name + " (" + v + ")"
	if r.Report != nil && r.Error == "" {
		s := r.Report.Summary
		verdict := "conformant"
		if r.Verdict == NotConformant {
			verdict = "NOT conformant"
		}
		line := fmt.Sprintf("%s: %s — %d passed, %d failed, %d not exercised; %d/%d documented statuses exercised",
			head, verdict, s.Passed, s.Failed, s.NotExercised, s.Exercised, s.Documented)
		if s.Unprovokable > 0 {
			line += fmt.Sprintf(", %d cannot be provoked", s.Unprovokable)
		}
		return line
	}
	return fmt.Sprintf("%s: %s — %s", head, strings.ReplaceAll(string(r.Verdict), "-", " "), r.Error)
}

// Run checks every target, cfg.Parallel at a time, and returns the report
// with the results in the targets' order. It does not fail: what goes
// wrong with a server is that server's result.
func Run(ctx context.Context, targets []Target, cfg Config) *Report {
	par := cfg.Parallel
	if par < 1 {
		par = DefaultParallel
	}
	rep := &Report{Started: time.Now().UTC(), Targets: make([]Result, len(targets))}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r Result
			select {
			case sem <- struct{}{}:
				r = runOne(ctx, t, cfg)
				<-sem
			case <-ctx.Done():
				r = Result{Name: t.Name, URL: t.URL, Verdict: Failed, ExitCode: ExitSetup, Error: "not run: " + ctx.Err().Error()}
			}
			mu.Lock()
			defer mu.Unlock()
			rep.Targets[i] = r
			if cfg.Done != nil {
				cfg.Done(r)
			}
		}()
	}
	wg.Wait()
	rep.Duration = conformance.Duration(time.Since(rep.Started))
	rep.Verdict = Conformant
	for _, r := range rep.Targets {
		rep.Summary.Targets++
		switch r.Verdict {
		case Conformant:
			rep.Summary.Conformant++
		case NotConformant:
			rep.Summary.NotConformant++
		case NotChecked:
			rep.Summary.NotChecked++
		case Unreachable:
			rep.Summary.Unreachable++
		default:
			rep.Summary.Errors++
		}
		if r.Verdict != Conformant {
			rep.Verdict = NotConformant
		}
		rep.ExitCode = max(rep.ExitCode, r.ExitCode)
	}
	return rep
}

// runOne checks one target.
func runOne(ctx context.Context, t Target, cfg Config) Result {
	res := Result{Name: t.Name, URL: t.URL}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	client := &http.Client{Timeout: 30 * time.Second}
	if cfg.Client != nil {
		client = cfg.Client(t)
	}
	version, from := t.Version, "targets file"
	if version == "" {
		version, from = cfg.DefaultVersion, "default"
	}
	cat := cfg.Catalog
	if cat == nil {
		cat = schemas.Default()
	}
	var v *schemas.Version
	if version == "" || strings.EqualFold(version, Auto) {
		d, err := detect.Version(ctx, t.URL, detect.Config{Client: client, Catalog: cat})
		if err != nil {
			return res.fail(err)
		}
		v, from = d.Version, "detected from "+d.Evidence
	} else {
		var err error
		if v, err = cat.Version(version); err != nil {
			return res.fail(err)
		}
	}
	res.Version, res.VersionFrom = v.Name, from
	creds := t.Credentials(getenv)
	rep, err := conformance.Run(ctx, conformance.Config{
		Version: v, Client: client, BaseURL: t.URL, Credentials: creds, Only: cfg.Only, Mode: "live",
	})
	if err != nil {
		return res.fail(err)
	}
	res.Report = rep
	failOn := cfg.FailOn
	if failOn == "" {
		failOn = FailOnError
	}
	var why string
	res.Verdict, res.ExitCode, why = Judge(rep, failOn)
	none := !creds.HasApp() && !creds.HasUser() && len(creds.Tokens) == 0
	if none {
		res.Notes = append(res.Notes, "none of "+strings.Join(t.EnvNames(), ", ")+" is set")
	}
	if res.Verdict == NotChecked {
		res.Error = why
		if none {
			res.Error += "; " + res.Notes[0]
		}
	}
	return res
}

// fail makes the result of a server that could not be checked.
func (r Result) fail(err error) Result {
	r.Error, r.ExitCode, r.Verdict = err.Error(), ExitSetup, Failed
	var te *conformance.TargetError
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &te) || errors.As(err, &oe) || (errors.As(err, &ne) && ne.Timeout()) {
		r.Verdict = Unreachable
	}
	return r
}
