package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oauthcompat/oauthcompat/proxy"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Config describes one run of the suite. The transport behind Client
// decides what the suite talks to: a live server, a live server through the
// recorder, or a replay of cassettes.
type Config struct {
	// Version is the version the target is checked against. Required.
	Version *schemas.Version
	// Client sends every request. Nil means a client over
	// [http.DefaultTransport]. Redirects are never followed.
	Client *http.Client
	// BaseURL is the target: "http://127.0.0.1:8080" or
	// "https://ghes.example.com/api/v3". Required. A replay uses the base URL
	// of the recorded run, so the requests match.
	BaseURL string
	// Credentials authenticate the requests; missing ones leave the cases
	// that need them not exercised.
	Credentials Credentials
	// Only keeps the cases of these operations (ids like apps/check-token,
	// the id of any version naming the endpoint, or "METHOD /path"). Empty
	// means every case. An entry no version knows makes Run fail with
	// [ErrUnknownOnly]; see [CheckOnly].
	Only []string
	// Nonce makes the names, fingerprints and unknown tokens of the run
	// unique. Empty means a random one; a replay passes the recorded one.
	Nonce string
	// DryRun, when set, receives every request the suite would send (secrets
	// masked) and nothing is sent.
	DryRun io.Writer
	// Progress, when set, is called before each case and once at the end
	// (done == total).
	Progress func(done, total int, current string)
	// SameToken tells whether a token the target answered is the token the
	// suite sent. Nil means equality. A replay passes a comparison through
	// the redactor, because recorded answers carry pseudonyms.
	SameToken func(sent, answered string) bool
	// Mode and Target label the report ("live", "live+record", "replay";
	// the URL or cassette file). Empty Target means BaseURL.
	Mode   string
	Target string
}

// TargetError reports that the target could not be reached at all: a
// setup problem, not a finding.
type TargetError struct {
	URL string
	Err error

	mask *masker // masks the secrets of the run in the message
}

// Error says which target could not be reached, what to do and why, in
// the words record and replay use for the same failure ([proxy.Problem],
// [proxy.Cause]). Secrets of the run (tokens in a legacy path,
// credentials) are masked.
func (e *TargetError) Error() string {
	out := fmt.Sprintf("cannot reach %s: %s (%s)", e.URL, proxy.Problem(e.Err), proxy.Cause(e.Err))
	if e.mask != nil {
		out = e.mask.text(out)
	}
	return out
}

// Unwrap returns the underlying error, so that errors.Is and errors.As see
// the network error (syscall.ECONNREFUSED, *net.OpError, a context error).
func (e *TargetError) Unwrap() error { return e.Err }

// Run runs the suite and returns its report. The error is non-nil only for
// setup problems (a missing version, an unreachable target, a cancelled
// context); non-conformance is in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Version == nil {
		return nil, errors.New("conformance: no version")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("target %q is not an absolute URL like http://127.0.0.1:8080 or https://ghes.example.com/api/v3", withoutUserinfo(cfg.BaseURL))
	}
	base.User = nil
	cat := cfg.Version.Catalog()
	only, err := resolveOnly(cat, cfg.Version, cfg.Only)
	if err != nil {
		return nil, err
	}
	nonce := cfg.Nonce
	if nonce == "" {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("conformance: nonce: %w", err)
		}
		nonce = hex.EncodeToString(b[:])
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s := &suite{
		cfg:    cfg,
		ctx:    ctx,
		v:      cfg.Version,
		cat:    cat,
		only:   only,
		client: &c,
		base:   base,
		creds:  cfg.Credentials,
		mask:   newMasker(cfg.Credentials.Secrets()...),
		nonce:  nonce,
		dry:    cfg.DryRun,
		users:  map[string]string{},
	}
	s.pool = newPool(s)
	for i, t := range cfg.Credentials.Tokens {
		s.pool.put(t, fmt.Sprintf("env:%d", i), "")
	}
	target := cfg.Target
	if target == "" {
		target = base.String()
	}
	rep := &Report{
		Version: s.v.Name, Mode: cfg.Mode, Target: target, Started: time.Now().UTC(),
		nonce: nonce, only: cfg.Only, shape: ShapeOf(cfg.Credentials), mask: s.mask,
	}
	if rep.Mode == "" {
		rep.Mode = "live"
	}
	plan := s.plan()
	cleaned := false
	for i, sc := range plan {
		if sc.final && !cleaned {
			s.cleanup() // the last cases may lock the user out
			cleaned = true
			if s.fatal != nil {
				return nil, s.fatal
			}
		}
		if cfg.Progress != nil {
			cfg.Progress(i, len(plan), sc.id())
		}
		c := s.runCase(sc)
		if s.fatal != nil {
			return nil, s.fatal
		}
		rep.Cases = append(rep.Cases, c)
	}
	if !cleaned {
		s.cleanup()
	}
	if s.fatal != nil {
		return nil, s.fatal
	}
	if cfg.Progress != nil {
		cfg.Progress(len(plan), len(plan), "")
	}
	rep.Duration = Duration(time.Since(rep.Started))
	rep.summarise(s.documented())
	return rep, nil
}

// suite is the state of one run, shared by its cases in order.
type suite struct {
	cfg    Config
	ctx    context.Context
	v      *schemas.Version
	cat    *schemas.Catalog
	client *http.Client
	base   *url.URL
	creds  Credentials
	mask   *masker
	only   map[string]bool // keys ("METHOD /path") of Config.Only; nil: every operation
	nonce  string
	dry    io.Writer
	pool   *pool
	fatal  error
	seq    int

	// otpChallenge is the X-GitHub-OTP challenge ("required; app") of the
	// first login refused for want of a one-time password the run was not
	// given; once set, no case logs the user in again.
	otpChallenge string

	users    map[string]string // token -> login of its owner, learnt from check answers
	authzIDs []string          // authorizations the suite created (Authorizations API)
	minted   int
}

// documented lists every (operation, status) the version documents,
// filtered like the cases.
func (s *suite) documented() []Coverage {
	var out []Coverage
	for _, op := range s.v.Operations {
		if !s.selected(op) {
			continue
		}
		for _, st := range op.Statuses() {
			out = append(out, Coverage{Operation: op.ID, Method: op.Method, Path: op.Path, Status: st})
		}
	}
	return out
}

// selected reports whether Config.Only keeps the operation.
func (s *suite) selected(op *schemas.Operation) bool {
	return s.only == nil || s.only[op.Key()]
}

// has reports whether the version documents the operation with this key.
func (s *suite) has(key string) bool { return s.op(key) != nil }

// op returns the version's operation with this key ("POST /authorizations"), or nil.
func (s *suite) op(key string) *schemas.Operation {
	method, path, _ := strings.Cut(key, " ")
	for _, op := range s.v.Operations {
		if op.Method == method && op.Path == path {
			return op
		}
	}
	return nil
}

// name makes a deterministic unique name for things the suite creates.
func (s *suite) name(kind string) string {
	s.seq++
	return fmt.Sprintf("oauthcompat-%s-%s-%d", s.nonce, kind, s.seq)
}

// unknownToken is a well-formed OAuth token no server issued: its body is
// derived from the nonce, so it is the same in a replay.
func (s *suite) unknownToken() string {
	var b strings.Builder
	for _, r := range "oauthcompatunknown" + s.nonce {
		if r < 128 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	body := b.String() + strings.Repeat("0", 36)
	return "gho_" + body[:36]
}

// send performs one request. want is the status the caller expects; a dry
// run pretends the target answered it.
func (s *suite) send(r *request, want int) *exchange {
	u := *s.base
	rp, err := r.resolvedPath()
	if err != nil {
		panic(skipCase{reason: s.mask.text(err.Error())})
	}
	escaped := strings.TrimRight(s.base.EscapedPath(), "/") + rp
	if p, err := url.PathUnescape(escaped); err == nil {
		u.Path, u.RawPath = p, escaped
	}
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	pathQ := u.EscapedPath()
	if u.RawQuery != "" {
		pathQ += "?" + u.RawQuery
	}
	hdr := http.Header{}
	hdr.Set("Accept", "application/vnd.github+json")
	hdr.Set("User-Agent", "oauthcompat-conform")
	switch r.auth {
	case authApp:
		hdr.Set("Authorization", basic(s.creds.ClientID, s.creds.ClientSecret))
	case authUser:
		hdr.Set("Authorization", basic(s.creds.Username, s.creds.Password))
		if s.creds.OTP != "" && !r.noOTP {
			hdr.Set(OTPHeader, s.creds.OTP)
		}
	case authBasic:
		hdr.Set("Authorization", basic(r.user, r.pass))
	case authToken:
		hdr.Set("Authorization", "token "+r.pass)
	}
	if r.body != nil {
		hdr.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hdr[k] = v
	}
	ex := &exchange{method: r.method, path: pathQ, reqHdr: hdr, reqBdy: r.body}
	if s.dry != nil {
		s.printDry(ex)
		ex.dry, ex.status, ex.header = true, want, http.Header{}
		return ex
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(s.ctx, r.method, u.String(), body)
	if err != nil {
		s.fatal = fmt.Errorf("build request %s %s: %w", r.method, s.mask.text(maskPath(pathQ)), err)
		panic(abortCase{})
	}
	req.Header = hdr
	resp, err := s.client.Do(req)
	if err != nil {
		if s.ctx.Err() != nil {
			s.fatal = s.ctx.Err()
		} else {
			s.fatal = &TargetError{URL: s.base.String(), Err: unwrapURLError(err), mask: s.mask}
		}
		panic(abortCase{})
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		s.fatal = &TargetError{URL: s.base.String(), Err: fmt.Errorf("read the answer to %s %s: %w", r.method, s.mask.text(maskPath(pathQ)), err), mask: s.mask}
		panic(abortCase{})
	}
	ex.status, ex.header, ex.body = resp.StatusCode, resp.Header, b
	ex.miss = strings.EqualFold(resp.Header.Get(ReplayMissHeader), "miss")
	if r.auth == authUser && s.creds.OTP == "" && ex.status == http.StatusUnauthorized &&
		strings.HasPrefix(strings.ToLower(ex.header.Get(OTPHeader)), "required") {
		s.otpChallenge = ex.header.Get(OTPHeader)
		panic(skipCase{reason: s.otpMissingReason()})
	}
	return ex
}

// otpMissingReason says why the user's cases are not exercised once the
// server asked for a one-time password the run was not given.
func (s *suite) otpMissingReason() string {
	return fmt.Sprintf("needs %s: the user has two-factor authentication (the server answered 401 with %s: %s); set %s to the user's current one-time password. The suite sends no further login of the user, since every failed one counts toward GitHub's login lockout",
		EnvOTP, OTPHeader, s.otpChallenge, EnvOTP)
}

// withoutUserinfo drops "user:password@" from a URL that may not parse,
// so an error can quote it.
func withoutUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = masked + "@" + host[i+1:]
	}
	if path != "" || strings.Contains(rest, "/") {
		host += "/" + path
	}
	return scheme + "://" + host
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (s *suite) printDry(ex *exchange) {
	var b strings.Builder
	path := ex.path
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	b.WriteString("  " + ex.method + " " + s.mask.text(maskPath(s.base.Scheme+"://"+s.base.Host+path)))
	if a := ex.reqHdr.Get("Authorization"); a != "" {
		b.WriteString("  Authorization: " + s.mask.authorization(a))
	}
	if v := ex.reqHdr.Get("If-None-Match"); v != "" {
		b.WriteString("  If-None-Match: " + v)
	}
	if len(ex.reqBdy) > 0 {
		b.WriteString("  " + s.mask.body(ex.reqBdy))
	}
	fmt.Fprintln(s.dry, b.String())
}
