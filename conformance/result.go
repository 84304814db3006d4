package conformance

import (
	"strconv"
	"time"
)

// Outcome is the result of one case.
type Outcome string

// The outcomes of a case.
const (
	// Pass: the target answered as the version documents.
	Pass Outcome = "pass"
	// Fail: at least one error finding.
	Fail Outcome = "fail"
	// NotExercised: the case could not be run against this target (missing
	// credentials, no token left, a prerequisite failed); Reason says why.
	NotExercised Outcome = "not-exercised"
	// CannotProvoke: the version documents the status, but no request can
	// provoke it from a server that behaves as GitHub does (see
	// [Unprovokable]); Reason says why. Reported, never sent, never a
	// failure.
	CannotProvoke Outcome = "cannot-provoke"
)

// Severity ranks a finding.
type Severity string

// The severities. Only errors fail a case; warnings and notes are reported.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Stable rule ids of findings. Each names one check; reports and CI
// filters key on them, so they never change meaning.
const (
	// Response rules, applied to the response a case is about.
	RuleStatusMismatch     = "status-mismatch"     // a documented status, but not the one the inputs call for
	RuleStatusUndocumented = "status-undocumented" // a status the version does not document for the operation
	RuleSchemaInvalid      = "schema-invalid"      // the body fails the documented schema
	RuleContentType        = "content-type-not-json"
	RuleBodyNotEmpty       = "body-not-empty" // a body on 204 or 304
	RuleETagMissing        = "etag-missing"   // a GET answered 200 without an ETag

	// Behaviour rules, checked beyond schemas.
	RuleResetTokenUnchanged  = "reset-token-unchanged"
	RuleResetOldTokenValid   = "reset-old-token-valid"
	RuleResetNewTokenInvalid = "reset-new-token-invalid"
	RuleDeletedTokenValid    = "deleted-token-valid"
	RuleRevokedGrantValid    = "revoked-grant-token-valid"
	RuleLegacyBodyDisagree   = "legacy-body-disagree"
	RuleGetOrCreate          = "get-or-create-not-idempotent"
	RuleTokenLastEight       = "token-last-eight-mismatch"
	RuleHashedToken          = "hashed-token-mismatch"
	RuleTokenEcho            = "token-not-echoed"
	RuleAppClientID          = "app-client-id-mismatch"
	RuleLinkHeader           = "link-header-inconsistent"
	RuleOTPRequired          = "otp-required-missing" // a 2FA refusal without X-GitHub-OTP: required; app|sms
	RuleScopes               = "scopes-not-applied"
	RuleDeletedStillThere    = "deleted-resource-still-present"

	// Removed versus rejected: a documented endpoint answering 404 where
	// the inputs call for success, classified with control probes.
	RuleEndpointRemoved    = "endpoint-removed"
	RuleEndpointDisabled   = "endpoint-disabled"
	RuleTokenRejected      = "token-rejected"
	RuleCredentialRejected = "credential-rejected"

	// Operations the version does not document.
	RuleUndocumentedLive = "undocumented-endpoint-live"

	// Replay only: the recording holds no answer for a request of this run.
	RuleReplayMiss = "replay-miss"
)

// Finding is one typed observation about a response or a behaviour.
type Finding struct {
	Rule      string    `json:"rule"`
	Severity  Severity  `json:"severity"`
	Operation string    `json:"operation"`         // operation id
	Status    int       `json:"status,omitempty"`  // the status the case expects
	Pointer   string    `json:"pointer,omitempty"` // JSON pointer into the body, when it is about one field
	Message   string    `json:"message"`
	Evidence  *Evidence `json:"evidence,omitempty"`
}

// Evidence is a redacted excerpt of the exchange a finding is about:
// credentials, tokens, secrets and passwords are masked.
type Evidence struct {
	Request  string `json:"request"`  // "PATCH /api/v3/applications/abc/token" and the masked body
	Response string `json:"response"` // "200 application/json; charset=utf-8" and the masked body, cut short
}

// Case is one scenario run against the target: an (operation, status)
// pair provoked by named inputs, or a probe of an operation the version
// does not document.
type Case struct {
	ID        string    `json:"id"`        // "apps/check-token 404 unknown token"; unique in a report
	Operation string    `json:"operation"` // operation id
	Method    string    `json:"method"`
	Path      string    `json:"path"` // template
	Status    int       `json:"status"`
	Name      string    `json:"name"`
	Probe     bool      `json:"probe,omitempty"` // an operation the version does not document
	Result    Outcome   `json:"result"`
	Got       int       `json:"got,omitempty"`    // the status the target answered
	Reason    string    `json:"reason,omitempty"` // why it passed, failed, was not exercised or cannot be provoked
	Token     string    `json:"token,omitempty"`  // which token it used ("env:0", "minted:2", "reset of env:0"); never the value
	Findings  []Finding `json:"findings,omitempty"`
	Requests  int       `json:"requests"`
	Duration  Duration  `json:"duration_ms"`
}

// Coverage is one documented (operation, status) pair and what the run
// made of it.
type Coverage struct {
	Operation string  `json:"operation"`
	Method    string  `json:"method"`
	Path      string  `json:"path"`
	Status    int     `json:"status"`
	Result    Outcome `json:"result"` // fail if any of its cases failed, else pass if one passed, else cannot-provoke or not-exercised
	Cases     int     `json:"cases"`
}

// Summary counts cases and findings.
type Summary struct {
	Cases         int `json:"cases"`
	Passed        int `json:"passed"`
	Failed        int `json:"failed"`
	NotExercised  int `json:"not_exercised"`
	CannotProvoke int `json:"cannot_provoke"` // cases of documented statuses no request can provoke
	Findings      int `json:"findings"`
	Errors        int `json:"errors"`
	Documented    int `json:"documented"`   // documented (operation, status) pairs
	Exercised     int `json:"exercised"`    // of those, how many some case exercised (pass or fail)
	Unprovokable  int `json:"unprovokable"` // of those, how many no request can provoke
}

// Report is the outcome of a run of the suite against one target for one
// version.
type Report struct {
	Version    string     `json:"version"`
	Mode       string     `json:"mode"`   // "live", "live+record" or "replay"
	Target     string     `json:"target"` // base URL (live) or cassette file (replay)
	Conformant bool       `json:"conformant"`
	Summary    Summary    `json:"summary"`
	Cases      []Case     `json:"cases"`
	Coverage   []Coverage `json:"coverage"`
	Started    time.Time  `json:"started"`
	Duration   Duration   `json:"duration_ms"`

	nonce string
	only  []string
	shape CredentialShape
	mask  *masker // the run's secrets, for MaskText
}

// Duration is a time.Duration that marshals as milliseconds.
type Duration time.Duration

// MarshalJSON writes the duration in milliseconds, with microsecond
// precision.
func (d Duration) MarshalJSON() ([]byte, error) {
	ms := float64(time.Duration(d).Microseconds()) / 1000
	return strconv.AppendFloat(nil, ms, 'f', -1, 64), nil
}

// UnmarshalJSON reads milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*d = Duration(time.Duration(f * float64(time.Millisecond)))
	return nil
}

// Failed reports whether any case failed.
func (r *Report) Failed() bool { return r.Summary.Failed > 0 }

// Findings returns every finding of every case, in case order.
func (r *Report) Findings() []Finding {
	var out []Finding
	for _, c := range r.Cases {
		out = append(out, c.Findings...)
	}
	return out
}

// summarise fills Summary, Coverage and Conformant from the cases and the
// version's documented pairs.
func (r *Report) summarise(documented []Coverage) {
	s := Summary{Cases: len(r.Cases)}
	type key struct {
		op     string
		status int
	}
	idx := map[key]int{}
	cov := make([]Coverage, len(documented))
	copy(cov, documented)
	for i := range cov {
		cov[i].Result = NotExercised
		idx[key{cov[i].Operation, cov[i].Status}] = i
	}
	for _, c := range r.Cases {
		switch c.Result {
		case Pass:
			s.Passed++
		case Fail:
			s.Failed++
		case NotExercised:
			s.NotExercised++
		case CannotProvoke:
			s.CannotProvoke++
		}
		for _, f := range c.Findings {
			s.Findings++
			if f.Severity == SeverityError {
				s.Errors++
			}
		}
		if c.Probe {
			continue
		}
		i, ok := idx[key{c.Operation, c.Status}]
		if !ok {
			continue
		}
		cov[i].Cases++
		switch {
		case c.Result == Fail:
			cov[i].Result = Fail
		case c.Result == Pass && cov[i].Result != Fail:
			cov[i].Result = Pass
		case c.Result == CannotProvoke && cov[i].Result == NotExercised:
			cov[i].Result = CannotProvoke
		}
	}
	s.Documented = len(cov)
	for _, c := range cov {
		switch c.Result {
		case Pass, Fail:
			s.Exercised++
		case CannotProvoke:
			s.Unprovokable++
		}
	}
	r.Summary = s
	r.Coverage = cov
	r.Conformant = s.Failed == 0
}
