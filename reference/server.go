package reference

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// MaxBodyBytes is the largest request body the server reads; larger ones
// get 413 Payload Too Large.
const MaxBodyBytes = 1 << 20

// DefaultTime is the fixed clock of a server made without [WithClock]:
// every created_at and updated_at is this instant, so recordings are
// stable.
var DefaultTime = time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)

// Option configures a [Server].
type Option func(*config)

type config struct {
	now    func() time.Time
	seed   uint64
	seeded bool
	log    *slog.Logger
}

// WithClock sets the clock used for created_at, updated_at and expires_at.
// The default always answers [DefaultTime].
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithSeed seeds the generator of new tokens. By default the seed is
// derived from the fixtures, so the same fixtures and the same requests in
// the same order mint the same tokens.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed, c.seeded = seed, true } }

// WithLogger logs every request at debug level: method, path, operation,
// status and duration. The segment of a path that carries a token (the
// legacy /applications/{client_id}/tokens/{access_token} endpoints, any
// method) and token-shaped strings are logged as REDACTED; credentials,
// queries and bodies are never logged. nil disables logging,
// which is the default.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// Server is the reference server of one catalog version: an in-memory,
// stateful stand-in for GitHub's OAuth endpoints that serves every
// operation the version documents, under /api/v3 and at the root. It
// implements [http.Handler] and is safe for concurrent use.
type Server struct {
	v       *schemas.Version
	st      *state
	routes  map[string][]*route // by method
	docBase string
	status  bool // error bodies carry "status"
	log     *slog.Logger

	prod    *product
	lastEnv atomic.Pointer[cachedEnv]
	logins  logins
}

// New builds a server for version v seeded with f. It fails when the
// fixtures are inconsistent, with an *[UnsupportedError] when v documents
// operations the server cannot emulate, and when it cannot serve an
// operation with a body valid for v's schema.
func New(v *schemas.Version, f Fixtures, opts ...Option) (*Server, error) {
	if v == nil {
		return nil, errors.New("reference: nil version")
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("reference: fixtures: %w", err)
	}
	if err := checkSupported(v); err != nil {
		return nil, err
	}
	cfg := config{now: func() time.Time { return DefaultTime }}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.seeded {
		cfg.seed = fixturesSeed(f)
	}
	s := &Server{
		v:      v,
		st:     newState(f, cfg.now, cfg.seed),
		routes: map[string][]*route{},
		log:    cfg.log,
		status: errorsCarryStatus(v),
	}
	s.docBase = docBase(v)
	s.prod = newProduct(v, f, cfg.now())
	s.logins.init()
	for _, op := range v.Operations {
		h := handlers[op.Key()]
		rt := &route{op: op, h: h.fn, body: h.body, segs: strings.Split(strings.Trim(op.Path, "/"), "/")}
		for _, sg := range rt.segs {
			if strings.HasPrefix(sg, "{") {
				rt.params = append(rt.params, strings.Trim(sg, "{}"))
			} else {
				rt.literals++
			}
		}
		rt.doc = s.docBase + docPage(op)
		rt.fields = shapeOf(v, op)
		rt.statusless = statuslessOf(v, op)
		if err := s.probe(rt); err != nil {
			return nil, err
		}
		s.routes[op.Method] = append(s.routes[op.Method], rt)
	}
	return s, nil
}

// Version is the version the server stands in for.
func (s *Server) Version() *schemas.Version { return s.v }

func docBase(v *schemas.Version) string {
	switch v.Kind() {
	case schemas.KindGHES:
		return "https://docs.github.com/enterprise-server@" + v.Release() + "/rest"
	case schemas.KindAE:
		return "https://docs.github.com/github-ae@latest/rest"
	case schemas.KindGHEC:
		return "https://docs.github.com/enterprise-cloud@latest/rest"
	}
	return "https://docs.github.com/rest"
}

func docPage(op *schemas.Operation) string {
	page := "/apps/oauth-applications"
	switch {
	case op.Family == schemas.FamilyAuthorizationsAPI:
		page = "/oauth-authorizations/oauth-authorizations"
	case op.Category == "apps":
		page = "/apps/apps"
	}
	return page + "#" + slug(op.Summary)
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// route is one documented operation and its handler.
type route struct {
	op       *schemas.Operation
	h        func(*Server, *call)
	body     bodyKind
	segs     []string
	params   []string
	literals int
	doc      string
	fields   fields // the members its version's schema lists
	// statusless are the error statuses whose bodies carry no "status"
	// (statuslessOf).
	statusless []int
}

// match finds the route for a path (without /api/v3). Literal segments
// win over parameters, so /applications/grants/1 is get-grant.
func (s *Server) match(method, path string, c *call) *route {
	var segs [8]string
	n := 0
	p := strings.Trim(path, "/")
	for {
		if n == len(segs) {
			return nil
		}
		seg, rest, more := strings.Cut(p, "/")
		segs[n] = seg
		n++
		if !more {
			break
		}
		p = rest
	}
	var best *route
	for _, rt := range s.routes[method] {
		if len(rt.segs) != n || (best != nil && rt.literals <= best.literals) {
			continue
		}
		ok := true
		for i, t := range rt.segs {
			if t[0] == '{' {
				if segs[i] == "" {
					ok = false
					break
				}
			} else if t != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			best = rt
		}
	}
	if best == nil {
		return nil
	}
	k := 0
	for i, t := range best.segs {
		if t[0] == '{' && k < len(c.params) {
			c.params[k] = segs[i]
			k++
		}
	}
	return best
}

// call is one request in flight.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	rt     *route
	env    env
	params [2]string
	buf    []byte
	in     *[]byte // pooled request body
	code   int
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

var (
	hdrJSON      = []string{"application/json; charset=utf-8"}
	hdrMediaType = []string{"github.v3; format=json"}
)

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var start time.Time
	if s.log != nil {
		start = time.Now()
	}
	bp := bufPool.Get().(*[]byte)
	c := &call{s: s, w: w, r: r, buf: (*bp)[:0]}
	h := w.Header()
	h["X-Github-Media-Type"] = hdrMediaType
	h["X-Github-Request-Id"] = []string{s.prod.requestID()}
	if s.prod.enterprise != nil {
		h["X-Github-Enterprise-Version"] = s.prod.enterprise
	}
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/api/v3"); ok && (rest == "" || rest[0] == '/') {
		path = rest
	}
	c.env = s.envFor(r)
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	c.rt = s.match(method, path, c)
	authenticated := r.Header.Get("Authorization") != ""
	if s.prod.rate != nil && (c.rt != nil || !authenticated) {
		s.prod.rateHeaders(h, authenticated)
	}
	if c.rt == nil {
		c.notFound()
	} else {
		if sel, _ := s.prod.apiVersion(r); sel != "" {
			h["X-Github-Api-Version-Selected"] = []string{sel}
		}
		c.env.f = c.rt.fields
		c.env.statusless = c.rt.statusless
		c.rt.h(s, c)
	}
	if cap(c.buf) <= 64<<10 {
		*bp = c.buf[:0]
		bufPool.Put(bp)
	}
	if c.in != nil && cap(*c.in) <= 64<<10 {
		*c.in = (*c.in)[:0]
		bodyPool.Put(c.in)
	}
	if s.log != nil {
		id := "undocumented"
		if c.rt != nil {
			id = c.rt.op.ID
		}
		s.log.Debug("request", "method", r.Method, "path", redactPath(r.URL.Path), "operation", id, "status", c.code, "duration", time.Since(start))
	}
}

// redactPath is a request path as the log shows it: the segments that
// carry a token (by position, whatever the method: see
// [schemas.SecretPathParams]) and token-shaped strings anywhere (see
// [redact.TokenPattern]) replaced by REDACTED.
func redactPath(p string) string {
	return redact.ReplaceTokens(schemas.MaskPath(p, "REDACTED"), func(string) string { return "REDACTED" })
}

const upperHex = "0123456789ABCDEF"

// envFor derives the base URLs from the request: its Host, and https when
// it came over TLS or a proxy says so. The last one is cached: a server
// mostly sees one host.
func (s *Server) envFor(r *http.Request) env {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	if e := s.lastEnv.Load(); e != nil && e.host == host && e.scheme == scheme {
		return e.env
	}
	e := s.makeEnv(scheme, host)
	s.lastEnv.Store(&cachedEnv{scheme: scheme, host: host, env: e})
	return e
}

type cachedEnv struct {
	scheme, host string
	env          env
}

func (s *Server) makeEnv(scheme, host string) env {
	web := scheme + "://" + host
	api := web
	if s.v.Kind() == schemas.KindGHES {
		api += "/api/v3"
	}
	return env{apiBase: api, webBase: web, status: s.status, f: allFields}
}

// write sends status with body (nil: none). GET responses with a body
// carry an ETag.
func (c *call) write(status int, body []byte) {
	c.code = status
	h := c.w.Header()
	if body != nil {
		h["Content-Type"] = hdrJSON
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	c.w.WriteHeader(status)
	if body != nil && c.r.Method != http.MethodHead {
		c.w.Write(body)
	}
}

// writeGET sends a 200 body with its ETag, or 304 when If-None-Match
// matches it. Only GET and HEAD are conditional: on any other method
// If-None-Match is ignored, as GitHub does (docs/fidelity.md, "304 on
// conditional POST, PUT, PATCH and DELETE").
func (c *call) writeGET(body []byte) {
	tag := etag(body)
	c.w.Header()["Etag"] = []string{tag}
	if (c.r.Method == http.MethodGet || c.r.Method == http.MethodHead) && etagMatch(c.r.Header.Get("If-None-Match"), tag) {
		c.write(http.StatusNotModified, nil)
		return
	}
	c.write(http.StatusOK, body)
}

// writeTagged sends status with body and its ETag, never 304: GitHub's
// answers to a check, a reset and a get-or-create carry an ETag
// (docs/fidelity.md, "Reset token").
func (c *call) writeTagged(status int, body []byte) {
	c.w.Header()["Etag"] = []string{etag(body)}
	c.write(status, body)
}

func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:]) + `"`
}

// etagMatch implements If-None-Match's weak comparison.
func etagMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

func (c *call) fail(status int, msg string) {
	c.buf = appendBasicError(c.buf[:0], &c.env, status, msg, c.doc())
	c.write(status, c.buf)
}

func (c *call) doc() string {
	if c.rt == nil {
		return "https://docs.github.com/rest"
	}
	return c.rt.doc
}

func (c *call) notFound() { c.fail(http.StatusNotFound, "Not Found") }

func (c *call) invalid(msg string, errs ...fieldError) {
	c.buf = appendValidationError(c.buf[:0], &c.env, msg, c.doc(), errs)
	c.write(http.StatusUnprocessableEntity, c.buf)
}

func (c *call) param(name string) string {
	for i, p := range c.rt.params {
		if p == name && i < len(c.params) {
			return c.params[i]
		}
	}
	return ""
}

// body reads the request body, refusing more than MaxBodyBytes with 413.
// ok is false when a response was written. The bytes are valid until the
// handler returns.
func (c *call) body() (b []byte, ok bool) {
	if c.r.ContentLength > MaxBodyBytes {
		c.fail(http.StatusRequestEntityTooLarge, "Payload too large: the request body is limited to 1 MiB")
		return nil, false
	}
	if c.r.Body == nil || c.r.Body == http.NoBody {
		return nil, true
	}
	rd := http.MaxBytesReader(c.w, c.r.Body, MaxBodyBytes)
	bp := bodyPool.Get().(*[]byte)
	c.in = bp
	b = (*bp)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				c.fail(http.StatusRequestEntityTooLarge, "Payload too large: the request body is limited to 1 MiB")
				return nil, false
			}
			c.fail(http.StatusBadRequest, "Problems reading the request body")
			return nil, false
		}
	}
	*bp = b
	return b, true
}

var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// decodeBody is the one way a handler reads its request body: it reads
// the body (an empty one counts as {}), checks it is one JSON object,
// checks it against the operation's documented request schema when
// schema is true, and decodes it into dst. As GitHub does (docs/fidelity.md,
// "Malformed JSON" and "422 bodies"), malformed JSON answers 400 "Problems
// parsing JSON", a JSON value that is not an object 400 "Body should be a
// JSON object", and a body that does not fit the schema (or dst) 422
// "Invalid request." without "errors". Handlers that word their own 422s
// as GitHub does (the token in the body) pass schema false. ok is false
// when an answer was written; b is the body read.
func (c *call) decodeBody(dst any, schema bool) (b []byte, ok bool) {
	b, ok = c.body()
	if !ok {
		return nil, false
	}
	return c.decode(b, dst, schema)
}

// decode is decodeBody for a body already read (accessToken reads it to
// try its fast path first).
func (c *call) decode(b []byte, dst any, schema bool) ([]byte, bool) {
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	if !c.jsonObject(b) {
		return nil, false
	}
	if schema && !c.fitsRequestSchema(b) {
		return nil, false
	}
	if err := json.Unmarshal(b, dst); err != nil {
		c.invalidRequest("Invalid request.\n\n" + err.Error())
		return nil, false
	}
	return b, true
}

// fitsRequestSchema answers 422 unless b fits the operation's documented
// request schema.
func (c *call) fitsRequestSchema(b []byte) bool {
	if err := c.s.v.ValidateRequest(c.rt.op, b); err != nil {
		var verr *schemas.ValidationError
		if !errors.As(err, &verr) {
			c.invalidRequest("Invalid request.")
			return false
		}
		var msg strings.Builder
		msg.WriteString("Invalid request.\n")
		for _, p := range verr.Problems {
			msg.WriteString("\n")
			msg.WriteString(p.String())
		}
		c.invalidRequest(msg.String())
		return false
	}
	return true
}

// jsonObject answers 400 unless b is one JSON object. Only decodeBody and
// the fast path of accessToken call it.
func (c *call) jsonObject(b []byte) bool {
	if !json.Valid(b) {
		c.fail(http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		c.fail(http.StatusBadRequest, "Body should be a JSON object")
		return false
	}
	return true
}

// invalidRequest answers 422 for a body that does not fit the request
// schema: GitHub's "Invalid request.\n\n…" message, without "errors".
func (c *call) invalidRequest(msg string) {
	c.buf = appendValidationError(c.buf[:0], &c.env, msg, c.doc(), nil)
	c.write(http.StatusUnprocessableEntity, c.buf)
}

// credentials parses the Authorization header. scheme is "" when the
// header is absent, "basic" for Basic (any case), else the scheme in lower
// case.
func credentials(r *http.Request) (scheme, user, pass string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", "", ""
	}
	sch, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(sch, "basic") {
		return strings.ToLower(sch), "", ""
	}
	user, pass, _, ok := redact.DecodeBasic(rest)
	if !ok {
		return "basic", "", ""
	}
	return "basic", user, pass
}

var dummySecret = []byte("0000000000000000000000000000000000000000")

func secretEqual(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// appAuth authenticates the app named in the path with Basic
// client_id:client_secret. ok is false when a response was written: 401
// without or with wrong credentials (404 without credentials on the legacy
// endpoints that carry the token in the path, as GitHub answered them:
// docs/fidelity.md, "No credentials on the legacy app endpoints"), 403 for
// a token where Basic is required, 404 when the credentials are another
// app's, 400 for an API version the product does not support.
func (c *call) appAuth() (a *app, ok bool) {
	if c.rt != nil && c.param("access_token") != "" && c.r.Header.Get("Authorization") == "" {
		c.notFound()
		return nil, false
	}
	id, secret, ok := c.basic("This endpoint requires Basic authentication with the application's client_id and client_secret")
	if !ok {
		return nil, false
	}
	a = c.s.st.apps[id]
	if !c.verify(a != nil, func() string { return a.ClientSecret }, secret) {
		return nil, false
	}
	if !c.apiVersionOK() {
		return nil, false
	}
	if a.ClientID != c.param("client_id") {
		c.notFound()
		return nil, false
	}
	return a, true
}

// userAuth authenticates a user with Basic login:password, as the OAuth
// Authorizations API requires, and the one-time password of a user with
// two-factor authentication. ok is false when a response was written: 401
// without or with wrong credentials or one-time password, 403 for a token,
// and 403 once the user has no login attempts left (MaxLoginAttempts).
func (c *call) userAuth() (u *user, ok bool) {
	login, pass, ok := c.basic("The OAuth Authorizations API accepts only Basic authentication with a username and password, not tokens")
	if !ok {
		return nil, false
	}
	u = c.s.st.users[login]
	if u != nil && c.s.logins.locked(u.Login) {
		c.lockedOut()
		return nil, false
	}
	if !c.verify(u != nil, func() string { return u.Password }, pass) {
		if u != nil {
			c.s.logins.fail(u.Login)
		}
		return nil, false
	}
	if !c.secondFactor(u) {
		return nil, false
	}
	c.s.logins.succeed(u.Login)
	if !c.apiVersionOK() {
		return nil, false
	}
	return u, true
}

// basic reads Basic credentials. ok is false when a response was written:
// 401 without credentials (400 first for an unsupported API version), 403
// with notBasic for a token or another scheme.
func (c *call) basic(notBasic string) (name, secret string, ok bool) {
	scheme, name, secret := credentials(c.r)
	switch scheme {
	case "basic":
		return name, secret, true
	case "":
		if c.apiVersionOK() {
			c.fail(http.StatusUnauthorized, "Requires authentication")
		}
	default:
		c.fail(http.StatusForbidden, notBasic)
	}
	return "", "", false
}

// apiVersionOK answers 400 when the request names an API version the
// product does not support (api.github.com and GHEC). A credential error
// is answered first, as GitHub does.
func (c *call) apiVersionOK() bool {
	v, ok := c.s.prod.apiVersion(c.r)
	if ok {
		return true
	}
	c.w.Header().Del("X-Github-Api-Version-Selected")
	c.fail(http.StatusBadRequest, "Unsupported 'X-GitHub-Api-Version' header value "+strconv.Quote(v)+": use one of "+strings.Join(apiVersions, ", "))
	return false
}

// verify compares a Basic secret in constant time, taking as long for an
// unknown name (known false) as for a known one, and answers 401 when it
// does not match. want is called only when known.
func (c *call) verify(known bool, want func() string, got string) bool {
	if !known {
		subtle.ConstantTimeCompare(dummySecret, []byte(got))
	} else if secretEqual(want(), got) {
		return true
	}
	c.w.Header().Del("X-Github-Api-Version-Selected")
	c.fail(http.StatusUnauthorized, "Bad credentials")
	return false
}

// accessToken reads {"access_token": "..."} from the body. ok is false
// when a response was written: 413; 400 for malformed JSON or a JSON value
// that is not an object; 422 for a missing, empty or non-string
// access_token (docs/fidelity.md, "Malformed JSON" and "422 bodies").
func (c *call) accessToken() (tok string, ok bool) {
	b, ok := c.body()
	if !ok {
		return "", false
	}
	if t, ok := fastAccessToken(b); ok {
		return t, true
	}
	var in struct {
		AccessToken json.RawMessage `json:"access_token"`
	}
	if _, ok := c.decode(b, &in, false); !ok {
		return "", false
	}
	raw := bytes.TrimSpace(in.AccessToken)
	if len(raw) == 0 || string(raw) == "null" {
		c.invalidRequest("Invalid request.\n\n\"access_token\" wasn't supplied.")
		return "", false
	}
	if raw[0] != '"' || json.Unmarshal(raw, &tok) != nil {
		c.invalidRequest("Invalid request.\n\nFor 'properties/access_token', " + string(truncate(raw, 40)) + " is not a string.")
		return "", false
	}
	if tok == "" {
		c.invalid("Validation Failed", fieldError{Resource: "OauthAccess", Field: "access_token", Code: "missing_field"})
		return "", false
	}
	return tok, true
}

// fastAccessToken parses the common body {"access_token":"gho_..."}
// (whitespace allowed, token of [A-Za-z0-9_]) without reflection. Anything
// else is left to encoding/json.
func fastAccessToken(b []byte) (string, bool) {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return "", false
	}
	b = bytes.TrimSpace(b[1 : len(b)-1])
	rest, ok := bytes.CutPrefix(b, []byte(`"access_token"`))
	if !ok {
		return "", false
	}
	rest = bytes.TrimSpace(rest)
	if len(rest) == 0 || rest[0] != ':' {
		return "", false
	}
	rest = bytes.TrimSpace(rest[1:])
	if len(rest) < 3 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return "", false
	}
	tok := rest[1 : len(rest)-1]
	for _, ch := range tok {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_') {
			return "", false
		}
	}
	return string(tok), true
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return append(b[:n:n], "..."...)
	}
	return b
}
