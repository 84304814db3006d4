package diff

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
)

// step is one step of a go-cmp path that matters to the models here: a
// struct field or a map key.
type step struct {
	field string // struct field name; "" for a map key
	key   any    // map key (string or int) when field is ""
}

// difference is one leaf go-cmp found unequal. before or after is invalid
// when the map entry is absent on that side.
type difference struct {
	steps         []step
	before, after reflect.Value
}

// collector is the cmp.Reporter that turns go-cmp's walk into
// differences. cmp.Diff's text is unstable by design; this is not.
type collector struct {
	path  cmp.Path
	diffs []difference
}

func (c *collector) PushStep(ps cmp.PathStep) { c.path = append(c.path, ps) }
func (c *collector) PopStep()                 { c.path = c.path[:len(c.path)-1] }

func (c *collector) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	vx, vy := c.path.Last().Values()
	d := difference{before: vx, after: vy}
	for _, ps := range c.path {
		switch s := ps.(type) {
		case cmp.StructField:
			d.steps = append(d.steps, step{field: s.Name()})
		case cmp.MapIndex:
			d.steps = append(d.steps, step{key: s.Key().Interface()})
		}
	}
	c.diffs = append(c.diffs, d)
}

// structural compares x and y with go-cmp and returns every difference.
// The models compared hold only maps keyed by identity ("METHOD path",
// status, JSON pointer, enum value), so a removal is a removal, never a
// shifted slice element.
func structural(x, y any) []difference {
	var c collector
	cmp.Equal(x, y, cmp.Reporter(&c))
	return c.diffs
}

// shapeRules maps a body difference to rule ids, per side.
type shapeRules struct {
	location                    string // "request" or "response"
	observed                    bool   // shapes of recorded bodies, not schemas
	added, removed, removedOpt  string
	typeChanged, formatChanged  string
	formatAdded                 string
	becameNullable, becameNonNl string
	requiredAdded, requiredGone string
	requiredNewProp             string // a property added as required ("" = use added)
	enumValueAdded, enumValueRm string
	enumAdded, enumRemoved      string
}

var (
	responseRules = shapeRules{
		location: "response", added: "response-property-added", removed: "response-property-removed",
		removedOpt: "response-optional-property-removed", typeChanged: "response-property-type-changed",
		formatChanged: "response-property-format-changed", formatAdded: "response-property-format-added", becameNullable: "response-property-became-nullable",
		becameNonNl: "response-property-became-non-nullable", requiredAdded: "response-required-added",
		requiredGone: "response-required-removed", enumValueAdded: "response-enum-value-added",
		enumValueRm: "response-enum-value-removed", enumAdded: "response-enum-added", enumRemoved: "response-enum-removed",
	}
	requestRules = shapeRules{
		location: "request", added: "request-property-added", removed: "request-property-removed",
		removedOpt: "request-property-removed", typeChanged: "request-property-type-changed",
		formatChanged: "request-property-format-changed", formatAdded: "request-property-format-added", becameNullable: "request-property-became-nullable",
		becameNonNl: "request-property-became-non-nullable", requiredAdded: "request-property-required-added",
		requiredGone: "request-property-required-removed", requiredNewProp: "request-required-property-added",
		enumValueAdded: "request-enum-value-added", enumValueRm: "request-enum-value-removed",
		enumAdded: "request-enum-added", enumRemoved: "request-enum-removed",
	}
	observedRules = shapeRules{
		location: "response", observed: true, added: "observed-field-added", removed: "observed-field-removed",
		removedOpt: "observed-field-removed", typeChanged: "observed-field-type-changed",
		becameNullable: "observed-field-became-null", requiredGone: "observed-field-sometimes-absent",
	}
)

// shapeChanges turns the differences between two shapes (steps relative to
// the shape: pointer, then node field, then enum value) into changes that
// carry only rule, location, pointer, before, after and message; the
// caller fills in the operation. A property added or removed under a
// parent that is itself added or removed is folded into its parent.
func shapeChanges(diffs []difference, before, after shape, rs shapeRules) []Change {
	added, removed := map[string]bool{}, map[string]bool{}
	for _, d := range diffs {
		if len(d.steps) == 1 {
			ptr := d.steps[0].key.(string)
			if !d.before.IsValid() {
				added[ptr] = true
			} else if !d.after.IsValid() {
				removed[ptr] = true
			}
		}
	}
	var out []Change
	emit := func(rule, ptr, b, a, msg string) {
		if rule == "" {
			return
		}
		out = append(out, Change{Rule: rule, Location: rs.location, Pointer: ptr, Before: b, After: a, Message: msg})
	}
	for _, d := range diffs {
		if len(d.steps) == 0 {
			continue
		}
		ptr := d.steps[0].key.(string)
		name := displayPointer(ptr)
		switch {
		case len(d.steps) == 1 && added[ptr]:
			if hasAncestor(ptr, added) {
				continue
			}
			n := after[ptr]
			rule := rs.added
			if n.Required && rs.requiredNewProp != "" {
				rule = rs.requiredNewProp
			}
			emit(rule, ptr, "", describe(n), fmt.Sprintf("%s %s is new (%s)", rs.noun(), name, describe(n)))
		case len(d.steps) == 1 && removed[ptr]:
			if hasAncestor(ptr, removed) {
				continue
			}
			n := before[ptr]
			rule := rs.removedOpt
			if n.Required {
				rule = rs.removed
			}
			emit(rule, ptr, describe(n), "", fmt.Sprintf("%s %s is gone (was %s)", rs.noun(), name, describe(n)))
		case len(d.steps) >= 2:
			b, a := before[ptr], after[ptr]
			switch d.steps[1].field {
			case "Type":
				if rs.observed && (b.Type == "" || a.Type == "") {
					continue // only null was seen on one side: that is a nullability change
				}
				emit(rs.typeChanged, ptr, orAny(b.Type), orAny(a.Type), fmt.Sprintf("%s %s changes type from %s to %s", rs.noun(), name, orAny(b.Type), orAny(a.Type)))
			case "Format":
				if b.Format == "" {
					emit(rs.formatAdded, ptr, "", a.Format, fmt.Sprintf("%s %s now documents format %q", rs.noun(), name, a.Format))
					continue
				}
				emit(rs.formatChanged, ptr, b.Format, a.Format, fmt.Sprintf("%s %s changes format from %q to %q", rs.noun(), name, b.Format, a.Format))
			case "Nullable":
				if a.Nullable {
					emit(rs.becameNullable, ptr, "non-nullable", "nullable", fmt.Sprintf("%s %s may now be null", rs.noun(), name))
				} else {
					emit(rs.becameNonNl, ptr, "nullable", "non-nullable", fmt.Sprintf("%s %s can no longer be null", rs.noun(), name))
				}
			case "Required":
				if ptr == "" {
					continue
				}
				if a.Required {
					emit(rs.requiredAdded, ptr, "optional", "required", fmt.Sprintf("%s %s becomes required", rs.noun(), name))
				} else {
					emit(rs.requiredGone, ptr, "required", "optional", fmt.Sprintf("%s %s becomes optional", rs.noun(), name))
				}
			case "Enum":
				if len(d.steps) == 2 { // enumerated on one side only
					if a.Enum != nil {
						emit(rs.enumAdded, ptr, "", enumList(a.Enum), fmt.Sprintf("%s %s is now restricted to %s", rs.noun(), name, enumList(a.Enum)))
					} else {
						emit(rs.enumRemoved, ptr, enumList(b.Enum), "", fmt.Sprintf("%s %s is no longer restricted to %s", rs.noun(), name, enumList(b.Enum)))
					}
					continue
				}
				val := d.steps[2].key.(string)
				if !d.before.IsValid() {
					emit(rs.enumValueAdded, ptr, "", val, fmt.Sprintf("%s %s gains the value %s", rs.noun(), name, val))
				} else if !d.after.IsValid() {
					emit(rs.enumValueRm, ptr, val, "", fmt.Sprintf("%s %s loses the value %s", rs.noun(), name, val))
				}
			}
		}
	}
	return out
}

func (rs shapeRules) noun() string {
	if rs.location == "request" {
		return "request property"
	}
	return "response property"
}

func displayPointer(ptr string) string {
	if ptr == "" {
		return "(body)"
	}
	return ptr
}

func orAny(t string) string {
	if t == "" {
		return "any"
	}
	return t
}

// describe renders a node as "string, nullable, required".
func describe(n node) string {
	parts := []string{orAny(n.Type)}
	if n.Format != "" {
		parts[0] += " (" + n.Format + ")"
	}
	if n.Nullable {
		parts = append(parts, "nullable")
	}
	if n.Required {
		parts = append(parts, "required")
	} else {
		parts = append(parts, "optional")
	}
	return strings.Join(parts, ", ")
}

func enumList(m map[string]bool) string {
	vals := make([]string, 0, len(m))
	for v := range m {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	return strings.Join(vals, ", ")
}
