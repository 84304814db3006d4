package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Finding kinds reported by [Lint].
const (
	FindingYAML         = "cassette-invalid"     // the file does not load
	FindingNoOperation  = "no-operation"         // the request matches no catalog operation of the version
	FindingAbsent       = "absent-as-documented" // (info) an operation the version does not document, answered 404: a probe, as conform sends
	FindingUndocumented = "undocumented-status"  // the status is not documented for the operation
	FindingSchema       = "schema-mismatch"      // the body fails the documented schema
	FindingSecret       = "unredacted-secret"    // something looks like a secret left in clear
	FindingHash         = "inconsistent-hash"    // hashed_token is not the SHA-256 of token
	FindingNoVersion    = "version-unknown"      // no catalog version to check the file against: the operation and schema checks did not run
	FindingJournal      = "unrecovered-journal"  // a journal beside the cassettes: interactions in no cassette yet
	FindingTruncated    = "truncated-body"       // (info) the stored body is cut short (the recording cap, or the client stopped reading): not schema-checked
	FindingUpstream     = "upstream-failure"     // (info) the upstream failed (no answer, or a body cut short): recorded as it happened, not schema-checked
	FindingSkipped      = "skipped-file"         // (info) a file in another cassette format (VCR.py), not checked
)

// Finding is one problem [Lint] found in a cassette. It never holds a
// secret: it names where the secret is, not what it is.
type Finding struct {
	File string `json:"file"`
	// Line is the line of File the finding is about: the field's line
	// when Field is set, else the interaction's; 0 when not known.
	Line        int `json:"line,omitempty"`
	Interaction int `json:"interaction"` // -1 for the whole file
	// Field names the field of the interaction a secret is in, as
	// [redact.EachField] names it ("request.headers[Authorization]",
	// "response.body"); it never holds the secret (a secret header name
	// is shown by its shape).
	Field  string `json:"field,omitempty"`
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	Kind   string `json:"kind"`
	// Info is set for findings that are worth knowing but not wrong: a
	// status the version does not document (GitHub answers more statuses
	// than it documents), an operation it does not document answered
	// 404 (conform's probes of removed endpoints), a stored body cut
	// short, a recorded upstream failure.
	Info    bool   `json:"info,omitempty"`
	Message string `json:"message"`
}

// String formats f as "FILE:LINE: interaction N (METHOD PATH) FIELD:
// kind: message" (without ":LINE" when the line is not known, without
// " FIELD" when the finding names none).
func (f Finding) String() string {
	kind := f.Kind
	if f.Info {
		kind += " (info)"
	}
	file := f.File
	if f.Line > 0 {
		file += ":" + strconv.Itoa(f.Line)
	}
	if f.Interaction < 0 {
		return fmt.Sprintf("%s: %s: %s", file, kind, f.Message)
	}
	if f.Field != "" {
		return fmt.Sprintf("%s: interaction %d (%s %s) %s: %s: %s", file, f.Interaction, f.Method, f.Path, f.Field, kind, f.Message)
	}
	return fmt.Sprintf("%s: interaction %d (%s %s): %s: %s", file, f.Interaction, f.Method, f.Path, kind, f.Message)
}

// LintOptions configures [Lint].
type LintOptions struct {
	// Version overrides the version the directory names say.
	Version string
	// Catalog resolves the versions; nil means [schemas.Default].
	Catalog *schemas.Catalog
	// Redactor, when set (the key the cassettes were recorded with), makes
	// the secret check exact: a secret this key does not reproduce, and
	// anything else its redaction would still change, is an unredacted
	// secret. Without it, pseudonyms are told from real secrets by their
	// form (see [redact.IsPseudonym]): a GitHub token with a valid
	// checksum, or any other credential, password, OTP, cookie or client
	// secret without the redactor's public mark, is reported.
	Redactor *redact.Redactor
	// Progress, when set, is called after each interaction with how many
	// bytes of cassette were read for it.
	Progress func(bytes int64)
}

// Lint checks every cassette at path (a directory, recursively, or one
// file): that it loads, that each interaction matches a catalog operation
// of its version, that each response fits the documented schema for its
// status, and that no secret is left in clear. The error is for path
// itself (missing, unreadable, or holding only journals: see
// [cassettes.ErrUnrecovered]); problems in files are findings.
func Lint(path string, opts LintOptions) ([]Finding, error) {
	r, err := LintAll(path, opts)
	return r.Findings, err
}

// LintResult is what [LintAll] found, and how much it checked.
type LintResult struct {
	Findings []Finding
	// Cassettes and Interactions count the files and interactions
	// checked (files that do not load are findings, not counted).
	Cassettes, Interactions int
}

// LintAll is [Lint] with counts. Besides the findings of Lint, it reports
// a file whose version is unknown (the operation and schema checks could
// not run: not a clean result), each journal beside the cassettes (its
// interactions are in no cassette yet), and, as info, each interaction
// whose stored body is cut short or records an upstream failure.
func LintAll(path string, opts LintOptions) (LintResult, error) {
	var res LintResult
	cat := opts.Catalog
	if cat == nil {
		cat = schemas.Default()
	}
	files, notes, err := cassetteFiles(path, cat)
	if err != nil {
		return res, err
	}
	for _, n := range notes {
		res.Findings = append(res.Findings, Finding{File: n.File, Interaction: -1, Kind: FindingSkipped, Message: n.Message, Info: true})
	}
	listed := map[string]int{} // findings listed so far, by kind
	var override *schemas.Version
	if opts.Version != "" {
		if override, err = cat.Version(opts.Version); err != nil {
			return res, fmt.Errorf("lint: %w", err)
		}
	}
	for _, f := range files {
		v := f.version
		if override != nil {
			v = override
		}
		// The interactions are checked as they are read, on workers, and
		// their findings kept in order, so that a recording of any size
		// is checked in constant memory; a file that does not load is one
		// finding, as if nothing of it had been read.
		before, n := len(res.Findings), 0
		fc := newFindingCap(&res.Findings, listed)
		p := newOrdered(fc.add)
		// Interactions go to the workers a batch at a time: a hand-over
		// costs more than checking a small interaction.
		var batch []cassettes.Item
		var batchBytes int64
		flush := func() {
			b := batch
			batch, batchBytes = make([]cassettes.Item, 0, lintBatch), 0
			p.do(func() []Finding {
				var out []Finding
				for _, it := range b {
					out = append(out, lintInteraction(cat, f.path, it.Index, it.Interaction, v, opts.Redactor)...)
				}
				return out
			})
		}
		err := cassettes.WalkFile(f.path, func(it cassettes.Item) error {
			if n == 0 && v == nil {
				p.done([]Finding{{File: f.path, Interaction: -1, Kind: FindingNoVersion, Message: noVersion(f.path)}})
			}
			n++
			batch, batchBytes = append(batch, it), batchBytes+it.Bytes
			if len(batch) == lintBatch || batchBytes >= lintBatchBytes {
				flush()
			}
			if opts.Progress != nil {
				opts.Progress(it.Bytes)
			}
			return nil
		})
		if len(batch) > 0 {
			flush()
		}
		p.wait()
		if err != nil {
			fc.undo()
			res.Findings = append(res.Findings[:before], Finding{File: f.path, Interaction: -1, Kind: FindingYAML, Message: err.Error()})
			continue
		}
		locateFindings(f.path, res.Findings[before:])
		fc.close(f.path)
		res.Cassettes++
		res.Interactions += n
	}
	if ls, err := cassettes.Leftovers(path); err == nil {
		for _, l := range ls {
			res.Findings = append(res.Findings, Finding{File: l.Path, Interaction: -1, Kind: FindingJournal,
				Message: cassettes.LeftoverAdvice(path, []cassettes.Leftover{l})})
		}
	}
	return res, nil
}

// lintBatch and lintBatchBytes bound the interactions a worker checks at
// a time: 16, or fewer that take 256 KiB of cassette, so that what is in
// flight (a few batches a worker) stays small whatever the interactions.
const lintBatch, lintBatchBytes = 16, 256 << 10

// noVersion says why the file at path could not be checked against a
// version.
func noVersion(path string) string {
	dir := filepath.Base(filepath.Dir(path))
	return fmt.Sprintf("the directory %q names no version the catalog documents, so whether each request is a documented operation and each response fits its schema was not checked (secrets were); pass --version V to check against a documented version (see 'oauthcompat versions')", dir)
}

// infoKinds are the kinds of finding that are worth knowing but not
// wrong.
var infoKinds = map[string]bool{FindingUndocumented: true, FindingAbsent: true, FindingTruncated: true, FindingUpstream: true}

func lintInteraction(cat *schemas.Catalog, file string, i int, it *cassette.Interaction, v *schemas.Version, r *redact.Redactor) []Finding {
	// The URL and the response body are parsed once for every check.
	pre := &preparsed{}
	pre.url, pre.urlErr = url.Parse(it.Request.URL)
	path := it.Request.URL
	if pre.urlErr == nil {
		path = pre.url.Path
	}
	// The path as findings show it, made for the first finding only.
	base := Finding{File: file, Interaction: i, Method: it.Request.Method}
	shown := func() string {
		if base.Path == "" {
			base.Path = displayPath(path)
		}
		return base.Path
	}
	var out []Finding
	add := func(kind, format string, a ...any) {
		shown()
		f := base
		f.Kind, f.Message, f.Info = kind, fmt.Sprintf(format, a...), infoKinds[kind]
		out = append(out, f)
	}
	body := storedBody(it.Response.Headers, it.Response.Body)
	doc := &pre.body
	doc.src = strings.Trim(body, " \t\r\n")
	doc.value, doc.valid = parseJSON(doc.src)
	lintSecrets(it, r, pre, func(field, format string, a ...any) {
		add(FindingSecret, format, a...)
		out[len(out)-1].Field = field
	})
	if doc.valid {
		lintHashes(doc.value, add)
	}
	h := it.Response.Headers
	if note := h.Get(cassettes.TruncatedHeader); note != "" {
		add(FindingTruncated, "the stored body is cut short (%s: %s): its schema was not checked", cassettes.TruncatedHeader, note)
	}
	if note := h.Get(cassettes.CutHeader); note != "" {
		add(FindingUpstream, "%s (%s): replay sends the bytes received, then cuts the connection; the schema was not checked", note, cassettes.CutHeader)
	}
	if note := h.Get(cassettes.ErrorHeader); note != "" {
		add(FindingUpstream, "the upstream did not answer (%s: %s): recorded as the recorder's %d", cassettes.ErrorHeader, note, it.Response.Code)
	}

	var op *schemas.Operation
	var ok bool
	if v != nil {
		op, ok = v.Match(it.Request.Method, path)
		if !ok {
			if o, any := cat.Lookup(it.Request.Method, path); any && it.Response.Code == 404 {
				add(FindingAbsent, "%s does not document %s (%s) and the recorded answer is 404, as it should be", v.Name, o.Key(), o.ID)
			} else if any {
				add(FindingNoOperation, "%s does not document %s (%s); re-record against the right version or move the cassette", v.Name, o.Key(), o.ID)
			} else {
				add(FindingNoOperation, "%s documents no operation for %s %s", v.Name, it.Request.Method, schemas.StripPrefix(shown()))
			}
			return out
		}
	} else if op, ok = cat.Lookup(it.Request.Method, path); !ok {
		if schemas.IsOAuthPath(path) {
			add(FindingNoOperation, "no catalog version documents %s %s", it.Request.Method, schemas.StripPrefix(shown()))
		}
		return out
	}
	if v == nil || h.Get(cassettes.ErrorHeader) != "" || h.Get(cassettes.TruncatedHeader) != "" || h.Get(cassettes.CutHeader) != "" {
		return out // no version to check against, or no whole answer recorded
	}
	// A null note, note_url or fingerprint where an old description says
	// string is what GitHub answers (docs/fidelity.md, "note, note_url and
	// fingerprint"): not a finding.
	var verr error
	if doc.valid {
		// What Validate gives, without decoding the body again.
		verr = v.ValidateDecoded(op.ID, it.Response.Code, body, doc.value)
	} else {
		verr = v.Validate(op.ID, it.Response.Code, []byte(body))
	}
	err, _ := schemas.Tolerated(verr)
	var problems *schemas.ValidationError
	switch {
	case err == nil:
	case errors.As(err, &problems):
		for _, p := range problems.Problems {
			add(FindingSchema, "%s %s %d: %s", v.Name, op.ID, it.Response.Code, p)
		}
	case errors.Is(err, schemas.ErrUndocumented):
		add(FindingUndocumented, "%v", err)
	default:
		add(FindingSchema, "%v", err)
	}
	return out
}

// lintHashes reports objects whose hashed_token is not the SHA-256 of
// their token: a token replaced without its hash, or the reverse. An
// object is read as encoding/json reads it into a map: the last of
// duplicate members counts.
func lintHashes(doc any, add func(kind, format string, a ...any)) {
	var path jsonPath
	var visit func(t any)
	visit = func(t any) {
		switch x := t.(type) {
		case object:
			tok, _ := memberValue(x, "token").(string)
			h, _ := memberValue(x, "hashed_token").(string)
			if tok != "" && h != "" {
				sum := sha256.Sum256([]byte(tok))
				if !strings.EqualFold(hex.EncodeToString(sum[:]), h) {
					ptr := path.plain()
					add(FindingHash, "response body %s/hashed_token is not the SHA-256 of %s/token: the token or its hash was not redacted consistently", ptr, ptr)
				}
			}
			last := lastIndex(x)
			for i, m := range x {
				if lastOfName(x, i, last) {
					path = append(path, pathSeg{key: m.Key})
					visit(m.Value)
					path = path[:len(path)-1]
				}
			}
		case []any:
			for i, v := range x {
				path = append(path, pathSeg{index: i, isIndex: true})
				visit(v)
				path = path[:len(path)-1]
			}
		}
	}
	visit(doc)
}

// displayPath is path as a finding shows it: the secret segments (the
// legacy endpoints' tokens, see [schemas.SecretPathParams]) as
// {access_token} and other token-shaped segments by shape, so a finding
// never prints a secret.
func displayPath(path string) string {
	return shapeTokens(schemas.MaskPath(path, "{access_token}"))
}

// ordered runs checks on workers and hands their findings to out in the
// order the checks were given, one at a time; a bounded number is in
// flight.
type ordered struct {
	work  chan func()
	queue chan *pending
	wg    sync.WaitGroup
}

type pending struct {
	findings []Finding
	ready    chan struct{}
}

func newOrdered(out func([]Finding)) *ordered {
	o := &ordered{work: make(chan func(), 8), queue: make(chan *pending, 8)}
	for range min(runtime.GOMAXPROCS(0), 4) {
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			for fn := range o.work {
				fn()
			}
		}()
	}
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		for p := range o.queue {
			<-p.ready
			out(p.findings)
		}
	}()
	return o
}

// do runs check on a worker.
func (o *ordered) do(check func() []Finding) {
	p := &pending{ready: make(chan struct{})}
	o.queue <- p
	o.work <- func() {
		p.findings = check()
		close(p.ready)
	}
}

// done passes findings on in their turn.
func (o *ordered) done(f []Finding) {
	p := &pending{findings: f, ready: make(chan struct{})}
	close(p.ready)
	o.queue <- p
}

// wait returns once every finding is passed on.
func (o *ordered) wait() {
	close(o.work)
	close(o.queue)
	o.wg.Wait()
}

// maxListed bounds the findings of one kind [LintAll] lists for one
// file, and maxListedTotal those of one kind it lists in all, so that
// its memory stays bounded whatever the recording (a cassette recorded
// without redaction has a finding in every interaction). Beyond them,
// each file with findings left out gets one finding per kind saying how
// many (Interaction -1): what the first ones show is what is wrong, and a
// second run after fixing it lists the rest.
var maxListed, maxListedTotal = 1000, 20000

// findingCap appends the findings of one file to a list, up to the
// bounds, and counts the rest.
type findingCap struct {
	out    *[]Finding
	listed map[string]int // in all files, by kind
	inFile map[string]int // in this file, by kind
	left   map[string]int // left out of this file, by kind
	kinds  []string       // the kinds left out, in the order first left out
}

func newFindingCap(out *[]Finding, listed map[string]int) *findingCap {
	return &findingCap{out: out, listed: listed, inFile: map[string]int{}, left: map[string]int{}}
}

func (c *findingCap) add(fs []Finding) {
	for _, f := range fs {
		if c.inFile[f.Kind] >= maxListed || c.listed[f.Kind] >= maxListedTotal {
			if c.left[f.Kind] == 0 {
				c.kinds = append(c.kinds, f.Kind)
			}
			c.left[f.Kind]++
			continue
		}
		c.inFile[f.Kind]++
		c.listed[f.Kind]++
		*c.out = append(*c.out, f)
	}
}

// undo forgets the findings of a file that did not load.
func (c *findingCap) undo() {
	for k, n := range c.inFile {
		c.listed[k] -= n
	}
}

// close adds, once the file at path is read, a finding per kind some of
// whose findings were left out.
func (c *findingCap) close(path string) {
	for _, k := range c.kinds {
		*c.out = append(*c.out, Finding{File: path, Interaction: -1, Kind: k, Info: infoKinds[k],
			Message: fmt.Sprintf("%d more %s findings in this file are not listed (lint lists the first %d of each kind in a file, %d in all): fix what is listed and run lint again", c.left[k], k, maxListed, maxListedTotal)})
	}
}
