package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// scenario provokes one documented (operation, status) with named inputs,
// or probes an operation the version does not document.
type scenario struct {
	key    string // "POST /applications/{client_id}/token"
	status int
	name   string
	probe  bool
	op     *schemas.Operation // the version's operation (the catalog's newest for a probe)
	run    func(c *caseRun)
	final  bool // runs after the cleanup (it may lock the user out)

	unprovokable string // why no request can provoke the status; the case is not run
}

func (sc *scenario) id() string {
	return sc.op.ID + " " + strconv.Itoa(sc.status) + " " + sc.name
}

// Panics that end a case early; runCase recovers them.
type (
	skipCase  struct{ reason string } // not exercised
	stopCase  struct{}                // findings already say why
	abortCase struct{}                // setup problem: suite.fatal is set
)

// caseRun is one case being run.
type caseRun struct {
	s         *suite
	sc        *scenario
	op        *schemas.Operation
	res       Case
	exercised bool
	notes     []string // tolerated differences, for the reason of a pass
}

func (s *suite) runCase(sc *scenario) Case {
	c := &caseRun{s: s, sc: sc, op: sc.op, res: Case{
		ID: sc.id(), Operation: sc.op.ID, Method: sc.op.Method, Path: sc.op.Path,
		Status: sc.status, Name: sc.name, Probe: sc.probe,
	}}
	if s.dry != nil {
		fmt.Fprintf(s.dry, "# %s\n", c.res.ID)
	}
	if sc.unprovokable != "" {
		c.res.Result, c.res.Reason = CannotProvoke, sc.unprovokable
		if s.dry != nil {
			fmt.Fprintf(s.dry, "  (cannot be provoked: %s)\n", sc.unprovokable)
		}
		return c.res
	}
	start := time.Now()
	func() {
		defer func() {
			switch p := recover().(type) {
			case nil:
			case skipCase:
				c.res.Result, c.res.Reason = NotExercised, p.reason
				if s.dry != nil {
					fmt.Fprintf(s.dry, "  (not exercised: %s)\n", p.reason)
				}
			case stopCase, abortCase:
			default:
				panic(p)
			}
		}()
		sc.run(c)
	}()
	c.res.Duration = Duration(time.Since(start))
	if c.res.Result == NotExercised {
		return c.res
	}
	var errs []string
	for _, f := range c.res.Findings {
		if f.Severity == SeverityError {
			errs = append(errs, f.Rule)
		}
	}
	switch {
	case len(errs) > 0:
		c.res.Result = Fail
		if c.res.Reason == "" {
			c.res.Reason = c.res.Findings[0].Message
			if len(errs) > 1 {
				c.res.Reason += fmt.Sprintf(" (and %d more)", len(errs)-1)
			}
		}
	case !c.exercised && s.dry == nil:
		c.res.Result, c.res.Reason = NotExercised, "the scenario did not reach its request"
	default:
		c.res.Result = Pass
		if c.res.Reason == "" {
			c.res.Reason = c.passReason()
		}
	}
	return c.res
}

// passReason says why a case passed: what it got, and what was accepted
// where GitHub's real answers differ from its descriptions.
func (c *caseRun) passReason() string {
	if c.s.dry != nil {
		return "dry run: nothing was sent"
	}
	if c.sc.probe {
		return fmt.Sprintf("answered %d: %s does not document %s %s, and the endpoint is not live", c.res.Got, c.s.v.Name, c.op.Method, c.op.Path)
	}
	r := fmt.Sprintf("answered %d as %s documents for %s, and every check of the answer held", c.res.Got, c.s.v.Name, c.op.ID)
	if len(c.notes) > 0 {
		r += "; accepted: " + strings.Join(c.notes, "; ")
	}
	return r
}

// note records a tolerated difference from the description, for the
// reason of a passing case.
func (c *caseRun) note(format string, a ...any) {
	n := c.s.mask.text(fmt.Sprintf(format, a...))
	for _, x := range c.notes {
		if x == n {
			return
		}
	}
	c.notes = append(c.notes, n)
}

// skip ends the case as not exercised. The reason is masked: it may quote
// a path or an answer.
func (c *caseRun) skip(format string, a ...any) {
	panic(skipCase{reason: c.s.mask.text(fmt.Sprintf(format, a...))})
}

// finding records a finding of this case. A dry run records none. The
// message and pointer are masked: they may quote an answer (a server's
// message, a schema problem naming the value).
func (c *caseRun) finding(rule string, sev Severity, pointer, msg string, ex *exchange) {
	if c.s.dry != nil {
		return
	}
	m := c.s.mask
	f := Finding{Rule: rule, Severity: sev, Operation: c.op.ID, Status: c.sc.status, Pointer: m.text(pointer), Message: m.text(msg)}
	if sev == SeverityError {
		f.Evidence = ex.evidence(c.s.mask)
	}
	c.res.Findings = append(c.res.Findings, f)
}

func (c *caseRun) fail(rule, pointer, msg string, ex *exchange) {
	c.finding(rule, SeverityError, pointer, msg, ex)
}

// send performs a request that is not the one under test (setup or
// verification).
func (c *caseRun) send(r *request, want int) *exchange {
	ex := c.s.send(r, want)
	c.res.Requests++
	if ex.miss {
		c.fail(RuleReplayMiss, "", fmt.Sprintf("the recording holds no answer to %s %s: replay with the credentials, version and options of the recorded run, or re-record", ex.method, c.s.mask.text(maskPath(ex.path))), ex)
		panic(stopCase{})
	}
	return ex
}

// subject performs the request under test and checks its response against
// what the version documents for the case's (operation, status).
func (c *caseRun) subject(r *request) *exchange {
	ex := c.send(r, c.sc.status)
	c.exercised = true
	c.res.Got = ex.status
	if ex.dry {
		return ex
	}
	c.checkResponse(ex)
	return ex
}

// need ends the case as not exercised when a setup request did not get
// the status it needs.
func (c *caseRun) need(ex *exchange, want int, what string) {
	if ex.status != want {
		c.skip("%s: %s %s answered %d, want %d", what, ex.method, c.s.mask.text(maskPath(ex.path)), ex.status, want)
	}
}

// checkResponse applies the response rules: expected and documented
// status, schema, JSON content type, empty 204/304, ETag on GETs.
func (c *caseRun) checkResponse(ex *exchange) {
	op, want, got := c.op, c.sc.status, ex.status
	resp, documented := op.Response(got)
	if got != want {
		if documented {
			c.fail(RuleStatusMismatch, "", fmt.Sprintf("answered %d, want %d (%s)", got, want, c.sc.name), ex)
		} else {
			c.fail(RuleStatusUndocumented, "", fmt.Sprintf("answered %d, which %s does not document for %s (documented: %s)", got, c.s.v.Name, op.ID, statusList(op)), ex)
		}
	}
	if !documented {
		return
	}
	if resp.Schema == "" {
		if len(strings.TrimSpace(string(ex.body))) > 0 {
			c.fail(RuleBodyNotEmpty, "", fmt.Sprintf("%d must have no body, got %d bytes", got, len(ex.body)), ex)
		}
		return
	}
	if ct := ex.header.Get("Content-Type"); !contentTypeJSON(ct) {
		if ct == "" {
			ct = "none"
		}
		c.fail(RuleContentType, "", fmt.Sprintf("Content-Type is %s, want application/json", ct), ex)
	}
	if got == 422 && got == want {
		if _, has := ex.object()["errors"]; !has {
			c.note("a 422 without \"errors\", as GitHub answers a body that does not fit the request schema (docs/fidelity.md, \"422 bodies\")")
		}
	}
	err, tolerated := schemas.Tolerated(c.s.v.Validate(op.ID, got, ex.body))
	for _, p := range tolerated {
		c.note("%s is null where %s's description says string, as GitHub answers an unset value (docs/fidelity.md, \"note, note_url and fingerprint\")", p.Pointer, c.s.v.Name)
	}
	var verr *schemas.ValidationError
	switch {
	case err == nil:
	case errors.As(err, &verr):
		for _, p := range verr.Problems {
			c.fail(RuleSchemaInvalid, p.Pointer, p.Message, ex)
		}
	default:
		c.fail(RuleSchemaInvalid, "", err.Error(), ex)
	}
	if op.Method == "GET" && got == 200 && ex.header.Get("ETag") == "" {
		if _, ok := op.Response(304); ok {
			c.finding(RuleETagMissing, SeverityWarning, "", "a GET answered 200 without an ETag, so clients cannot make conditional requests", ex)
		}
	}
}

func statusList(op *schemas.Operation) string {
	var s []string
	for _, st := range op.Statuses() {
		s = append(s, strconv.Itoa(st))
	}
	return strings.Join(s, ", ")
}

// sameToken reports whether the token the target answered is the one the
// suite sent (a replay answers with pseudonyms).
func (s *suite) sameToken(sent, answered string) bool {
	if s.cfg.SameToken != nil {
		return s.cfg.SameToken(sent, answered)
	}
	return sent == answered
}

// checkTokenFields checks token_last_eight and hashed_token against token
// in an authorization object, and that token is sent when sent != "".
func (c *caseRun) checkTokenFields(ex *exchange, obj map[string]any, sent string) {
	if ex.dry || obj == nil {
		return
	}
	tok := str(obj, "token")
	if sent != "" && !c.s.sameToken(sent, tok) {
		c.fail(RuleTokenEcho, "/token", "the answer's token is not the token the request checked", ex)
	}
	if tok == "" {
		return
	}
	if l8, ok := obj["token_last_eight"].(string); ok && len(tok) >= 8 && l8 != tok[len(tok)-8:] {
		c.fail(RuleTokenLastEight, "/token_last_eight", "token_last_eight is not the last eight characters of token", ex)
	}
	if h, ok := obj["hashed_token"].(string); ok {
		sum := sha256.Sum256([]byte(tok))
		if !strings.EqualFold(h, hex.EncodeToString(sum[:])) {
			c.fail(RuleHashedToken, "/hashed_token", "hashed_token is not the SHA-256 (hex) of token", ex)
		}
	}
}

// checkAppClientID checks that app.client_id is the client id of the path.
func (c *caseRun) checkAppClientID(ex *exchange, obj map[string]any) {
	if ex.dry || obj == nil {
		return
	}
	if _, ok := obj["app"].(map[string]any); !ok {
		return
	}
	if got := nested(obj, "app", "client_id"); got != c.s.creds.ClientID {
		c.fail(RuleAppClientID, "/app/client_id", fmt.Sprintf("app.client_id is %q, want the path's client id %q", got, c.s.creds.ClientID), ex)
	}
}
