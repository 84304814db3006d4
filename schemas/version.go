package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Kind is the product line of a version.
type Kind string

// The product lines.
const (
	KindGHES   Kind = "ghes"
	KindAE     Kind = "github.ae"
	KindDotcom Kind = "api.github.com"
	KindGHEC   Kind = "ghec"
)

// Version is one documented GitHub version and its operations.
type Version struct {
	Name       string       `json:"name"`     // "ghes-3.8", "github.ae", "api.github.com", "ghec"
	Source     string       `json:"source"`   // where the facts come from
	Verified   bool         `json:"verified"` // false: inferred, not read from the description
	Operations []*Operation `json:"operations"`

	cat    *Catalog
	index  int
	byID   map[string]*Operation
	origin *Origin
}

func (v *Version) init() error {
	v.byID = make(map[string]*Operation, len(v.Operations))
	for _, op := range v.Operations {
		if _, dup := v.byID[op.ID]; dup {
			return fmt.Errorf("%s: duplicate operation %s", v.Name, op.ID)
		}
		v.byID[op.ID] = op
		op.segs = strings.Split(strings.Trim(op.Path, "/"), "/")
		sort.Slice(op.Responses, func(i, j int) bool { return op.Responses[i].Status < op.Responses[j].Status })
		for _, r := range op.Responses {
			if _, ok := v.cat.compiled[r.Schema]; r.Schema != "" && !ok {
				return fmt.Errorf("%s %s %d: schema %s missing", v.Name, op.ID, r.Status, r.Schema)
			}
		}
	}
	sort.SliceStable(v.Operations, func(i, j int) bool {
		a, b := v.Operations[i], v.Operations[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return methodRank[a.Method] < methodRank[b.Method]
	})
	return nil
}

// String returns the version's name.
func (v *Version) String() string { return v.Name }

var methodRank = map[string]int{"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}

// Kind tells GHES, GitHub AE, api.github.com and GHEC apart.
func (v *Version) Kind() Kind {
	switch v.Name {
	case "github.ae":
		return KindAE
	case "api.github.com":
		return KindDotcom
	case "ghec":
		return KindGHEC
	}
	return KindGHES
}

// Release returns the GHES feature release ("3.8"), or "" for other kinds.
func (v *Version) Release() string {
	if v.Kind() != KindGHES {
		return ""
	}
	return strings.TrimPrefix(v.Name, "ghes-")
}

// EnterpriseHeader is the X-GitHub-Enterprise-Version value a server of this
// version sends ("3.8.0"), or "" when it sends none.
func (v *Version) EnterpriseHeader() string {
	if r := v.Release(); r != "" {
		return r + ".0"
	}
	return ""
}

// Before reports whether v comes before w in catalog order.
func (v *Version) Before(w *Version) bool { return v.index < w.index }

// Operation returns the operation with that id (GitHub's operationId).
func (v *Version) Operation(id string) (*Operation, error) {
	if op, ok := v.byID[id]; ok {
		return op, nil
	}
	ids := make([]string, 0, len(v.Operations))
	for _, op := range v.Operations {
		ids = append(ids, op.ID)
	}
	sort.Strings(ids)
	return nil, fmt.Errorf("%w %q in %s: it documents %s", ErrUnknownOperation, id, v.Name, strings.Join(ids, ", "))
}

// Match finds the operation a request addresses. The path may carry the
// /api/v3 prefix and a query. Literal segments win over parameters, so
// /applications/grants/1 is get-grant, not a client's grant.
func (v *Version) Match(method, path string) (*Operation, bool) {
	segs := strings.Split(strings.Trim(StripPrefix(path), "/"), "/")
	var best *Operation
	bestScore := -1
	for _, op := range v.Operations {
		if op.Method != method || len(op.segs) != len(segs) {
			continue
		}
		score := 0
		ok := true
		for i, s := range op.segs {
			if strings.HasPrefix(s, "{") {
				if segs[i] == "" {
					ok = false
					break
				}
				continue
			}
			if s != segs[i] {
				ok = false
				break
			}
			score++
		}
		if ok && score > bestScore {
			best, bestScore = op, score
		}
	}
	return best, best != nil
}

// PathParams extracts the template parameters of path for op:
// {"client_id": "abc", "access_token": "gho_..."}.
func (op *Operation) PathParams(path string) map[string]string {
	segs := strings.Split(strings.Trim(StripPrefix(path), "/"), "/")
	out := map[string]string{}
	for i, s := range op.segs {
		if i < len(segs) && strings.HasPrefix(s, "{") {
			out[strings.Trim(s, "{}")] = segs[i]
		}
	}
	return out
}

// Problem is one reason a body fails its schema.
type Problem struct {
	Pointer string `json:"pointer"` // JSON pointer into the body; "" is the whole body
	Message string `json:"message"`
}

// String renders the problem as "pointer: message".
func (p Problem) String() string {
	ptr := p.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return ptr + ": " + p.Message
}

// ValidationError lists every problem found in a body, sorted by pointer.
type ValidationError struct {
	Version   string
	Operation string
	Status    int
	Problems  []Problem
}

// Error lists every problem, one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %d: body does not match the schema", e.Version, e.Operation, e.Status)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Schema returns the compiled schema of op's response for status, or nil
// when the status documents no body. The error wraps ErrUndocumented.
func (v *Version) Schema(op *Operation, status int) (*jsonschema.Schema, error) {
	r, ok := op.Response(status)
	if !ok {
		return nil, fmt.Errorf("%w: %s %s documents %s, not %d", ErrUndocumented, v.Name, op.ID, joinInts(op.Statuses()), status)
	}
	if r.Schema == "" {
		return nil, nil
	}
	return v.cat.schema(r.Schema)
}

// Validate checks a response body against the schema documented for
// (operation id, status) in v. It returns nil when the body is valid, a
// *ValidationError listing every problem when it is not, and an error
// wrapping ErrUnknownOperation or ErrUndocumented when there is nothing to
// check against. A status documented without a body requires an empty one.
func (v *Version) Validate(id string, status int, body []byte) error {
	return v.validateBody(id, status, body, "", nil, false)
}

// ValidateDecoded is [Version.Validate] of a body its caller has decoded
// already, as encoding/json decodes it with UseNumber (objects as
// map[string]any, the last of duplicate members kept, or as [Object];
// numbers as json.Number): doc must be the body's one JSON value, with
// nothing but white space around it. It returns what Validate returns for body,
// without decoding it again.
func (v *Version) ValidateDecoded(id string, status int, body string, doc any) error {
	return v.validateBody(id, status, nil, body, doc, true)
}

// validateBody is Validate of body, or of text when body is nil, with
// the body's decoded value doc when decoded is set (a JSON null decodes
// to nil).
func (v *Version) validateBody(id string, status int, body []byte, text string, doc any, decoded bool) error {
	op, err := v.Operation(id)
	if err != nil {
		return err
	}
	sch, err := v.Schema(op, status)
	if err != nil {
		return err
	}
	verr := &ValidationError{Version: v.Name, Operation: id, Status: status}
	if sch == nil {
		if len(bytes.TrimSpace(body)) > 0 || len(strings.TrimSpace(text)) > 0 {
			verr.Problems = []Problem{{Message: fmt.Sprintf("status %d documents no body, got %d bytes", status, len(body)+len(text))}}
			return verr
		}
		return nil
	}
	if decoded {
		return validateValue(sch, doc, verr)
	}
	return validate(sch, body, verr)
}

// ValidateRequest checks a request body against op's documented request
// schema; nil when op takes no body.
func (v *Version) ValidateRequest(op *Operation, body []byte) error {
	if op.Request == nil || op.Request.Schema == "" {
		return nil
	}
	sch, err := v.cat.schema(op.Request.Schema)
	if err != nil {
		return err
	}
	return validate(sch, body, &ValidationError{Version: v.Name, Operation: op.ID})
}

func validate(sch *jsonschema.Schema, body []byte, verr *ValidationError) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		verr.Problems = []Problem{{Message: "not JSON: " + err.Error()}}
		return verr
	}
	if dec.More() {
		verr.Problems = []Problem{{Message: "trailing data after the JSON value"}}
		return verr
	}
	return validateValue(sch, doc, verr)
}

// validateValue validates a decoded body.
func validateValue(sch *jsonschema.Schema, doc any, verr *ValidationError) error {
	if surelyValid(sch, doc) {
		return nil
	}
	err := sch.Validate(plain(doc))
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	verr.Problems = problems(ve)
	return verr
}

// problems flattens a jsonschema error into its leaves, sorted and
// deduplicated (the library's order is random).
func problems(ve *jsonschema.ValidationError) []Problem {
	seen := map[Problem]bool{}
	var out []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			p := Problem{Pointer: e.InstanceLocation, Message: e.Message}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pointer != out[j].Pointer {
			return out[i].Pointer < out[j].Pointer
		}
		return out[i].Message < out[j].Message
	})
	return out
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
