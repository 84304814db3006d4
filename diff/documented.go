package diff

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// Differ computes reports against one catalog. It caches the flattened
// schemas, so reuse one for many reports. It is safe for concurrent use.
type Differ struct {
	cat *schemas.Catalog

	mu     sync.Mutex
	shapes map[string]shape
	pairs  map[[2]string][]difference
	ops    map[string]*schemas.Operation // by key, for summaries
}

// New returns a Differ over cat; nil means [schemas.Default].
func New(cat *schemas.Catalog) *Differ {
	if cat == nil {
		cat = schemas.Default()
	}
	return &Differ{cat: cat, shapes: map[string]shape{}, pairs: map[[2]string][]difference{}}
}

// Catalog returns the catalog the Differ reads.
func (d *Differ) Catalog() *schemas.Catalog { return d.cat }

// shape returns the flattened schema file name; "" gives nil (no body).
func (d *Differ) shape(name string) (shape, error) {
	if name == "" {
		return nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.shapes[name]; ok {
		return s, nil
	}
	s, err := schemaShape(name, d.cat.SchemaJSON)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	d.shapes[name] = s
	return s, nil
}

// bodyDiff compares two schema files, flattened, once per pair: versions
// share most schema files, so most operations of a pair of versions point
// at the same few pairs.
func (d *Differ) bodyDiff(a, b string) (before, after shape, diffs []difference, err error) {
	if before, err = d.shape(a); err != nil {
		return nil, nil, nil, err
	}
	if after, err = d.shape(b); err != nil {
		return nil, nil, nil, err
	}
	key := [2]string{a, b}
	d.mu.Lock()
	diffs, ok := d.pairs[key]
	d.mu.Unlock()
	if !ok {
		diffs = structural(before, after)
		d.mu.Lock()
		d.pairs[key] = diffs
		d.mu.Unlock()
	}
	return before, after, diffs, nil
}

// The documented model compared by go-cmp: operations keyed by
// "METHOD path" (operation ids change across versions; method and path
// are the identity a client calls), responses keyed by status. Bodies are
// named by schema file here; two different files are then compared as
// flattened shapes keyed by JSON pointer (see bodyDiff). Wording
// (summaries, descriptions) is left out on purpose: it changes between
// versions without changing behaviour.
type docModel struct {
	Ops map[string]opModel
}

type opModel struct {
	ID              string
	Deprecated      bool
	RequestRequired bool
	Request         string // schema file; "": no request body
	Responses       map[int]respModel
}

type respModel struct {
	ContentType string
	Body        string // schema file; "": no body
}

func model(v *schemas.Version) docModel {
	m := docModel{Ops: make(map[string]opModel, len(v.Operations))}
	for _, op := range v.Operations {
		om := opModel{ID: op.ID, Deprecated: op.Deprecated, Responses: make(map[int]respModel, len(op.Responses))}
		if op.Request != nil {
			om.RequestRequired = op.Request.Required
			om.Request = op.Request.Schema
		}
		for _, r := range op.Responses {
			om.Responses[r.Status] = respModel{ContentType: r.ContentType, Body: r.Schema}
		}
		m.Ops[op.Key()] = om
	}
	return m
}

// Documented compares what from and to document. It reports operations
// added, removed (legacy path-token and Authorizations API removals with
// their migration) and newly deprecated, status codes added and removed,
// and every request and response schema change, property by property.
func (d *Differ) Documented(from, to *schemas.Version) (*Report, error) {
	mf, mt := model(from), model(to)
	rep := &Report{Kind: KindDocumented, From: from.Name, To: to.Name}
	ops := func(v *schemas.Version) map[string]*schemas.Operation {
		m := make(map[string]*schemas.Operation, len(v.Operations))
		for _, op := range v.Operations {
			m[op.Key()] = op
		}
		return m
	}
	fromOps, toOps := ops(from), ops(to)

	// Bodies whose schema file changed, compared after the operations.
	type bodyKey struct {
		op     string
		status int // 0: request
	}
	var bodies []bodyKey
	for _, df := range structural(mf, mt) {
		if len(df.steps) < 2 {
			continue
		}
		key := df.steps[1].key.(string)
		fop, top := fromOps[key], toOps[key]
		if len(df.steps) == 2 {
			if top == nil {
				rule, mig := removal(fop, to)
				c := opChange(fop, rule, fmt.Sprintf("%s no longer documents this operation", to.Name))
				c.Migration = mig
				rep.add(c)
			} else {
				rep.add(opChange(top, "operation-added", fmt.Sprintf("%s documents this new operation", to.Name)))
			}
			continue
		}
		switch df.steps[2].field {
		case "ID":
			c := opChange(top, "operation-id-changed", fmt.Sprintf("operationId changes from %s to %s", fop.ID, top.ID))
			c.Before, c.After = fop.ID, top.ID
			rep.add(c)
		case "Deprecated":
			if top.Deprecated {
				c := opChange(top, "operation-deprecated", fmt.Sprintf("%s marks %s deprecated", to.Name, top.Key()))
				if top.Family == schemas.FamilyLegacyPathToken || top.Family == schemas.FamilyAuthorizationsAPI {
					_, c.Migration = removal(top, to)
				}
				rep.add(c)
			} else {
				rep.add(opChange(top, "operation-undeprecated", fmt.Sprintf("%s no longer marks %s deprecated", to.Name, top.Key())))
			}
		case "RequestRequired":
			c := opChange(top, "request-body-became-optional", "the request body becomes optional")
			if mt.Ops[key].RequestRequired {
				c = opChange(top, "request-body-became-required", "the request body becomes required")
			}
			c.Location = "request"
			rep.add(c)
		case "Request":
			switch {
			case mf.Ops[key].Request == "":
				c := opChange(top, "request-body-added", "the operation documents a request body")
				c.Location = "request"
				rep.add(c)
			case mt.Ops[key].Request == "":
				c := opChange(top, "request-body-removed", "the operation no longer documents a request body")
				c.Location = "request"
				rep.add(c)
			default:
				bodies = append(bodies, bodyKey{op: key})
			}
		case "Responses":
			status := df.steps[3].key.(int)
			if len(df.steps) == 4 {
				if _, ok := mt.Ops[key].Responses[status]; ok {
					c := opChange(top, "status-added", fmt.Sprintf("%s documents status %d", top.Key(), status))
					c.Status, c.After = status, strconv.Itoa(status)
					rep.add(c)
				} else {
					rule := "status-removed"
					if status >= 200 && status < 300 {
						rule = "success-status-removed"
					}
					c := opChange(top, rule, fmt.Sprintf("%s no longer documents status %d", top.Key(), status))
					c.Status, c.Before = status, strconv.Itoa(status)
					rep.add(c)
				}
				continue
			}
			switch df.steps[4].field {
			case "ContentType":
				b, a := mf.Ops[key].Responses[status].ContentType, mt.Ops[key].Responses[status].ContentType
				c := opChange(top, "response-content-type-changed", fmt.Sprintf("the %d response changes media type from %q to %q", status, b, a))
				c.Status, c.Location, c.Before, c.After = status, "response", b, a
				rep.add(c)
			case "Body":
				b, a := mf.Ops[key].Responses[status].Body, mt.Ops[key].Responses[status].Body
				if b != "" && a != "" {
					bodies = append(bodies, bodyKey{op: key, status: status})
					continue
				}
				c := opChange(top, "response-body-added", fmt.Sprintf("the %d response documents a body", status))
				if a == "" {
					c = opChange(top, "response-body-removed", fmt.Sprintf("the %d response no longer documents a body", status))
				}
				c.Status, c.Location = status, "response"
				rep.add(c)
			}
		}
	}
	for _, bk := range bodies {
		top := toOps[bk.op]
		a, b, rules := mf.Ops[bk.op].Request, mt.Ops[bk.op].Request, requestRules
		if bk.status != 0 {
			a, b, rules = mf.Ops[bk.op].Responses[bk.status].Body, mt.Ops[bk.op].Responses[bk.status].Body, responseRules
		}
		before, after, diffs, err := d.bodyDiff(a, b)
		if err != nil {
			return nil, fmt.Errorf("%s → %s, %s: %w", from.Name, to.Name, bk.op, err)
		}
		for _, c := range shapeChanges(diffs, before, after, rules) {
			c.Operation, c.Method, c.Path, c.Status = top.ID, top.Method, top.Path, bk.status
			rep.add(c)
		}
	}
	rep.Sort()
	return rep, nil
}

func opChange(op *schemas.Operation, rule, msg string) Change {
	return Change{Rule: rule, Operation: op.ID, Method: op.Method, Path: op.Path, Message: msg}
}
