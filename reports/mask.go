package reports

import (
	"reflect"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/fleet"
)

// masked returns a copy of r with every string in it passed through the
// run's mask (see [conformance.Report.MaskText]): case names, reasons,
// findings, evidence, the target, and any field added later. It is the one
// masking step of every report writer, so no format can embed what
// another masks.
func masked(r *conformance.Report) *conformance.Report {
	if r == nil {
		return nil
	}
	return scrub(r, r.MaskText)
}

// maskedAll is [masked] of each report.
func maskedAll(reps []*conformance.Report) []*conformance.Report {
	out := make([]*conformance.Report, len(reps))
	for i, r := range reps {
		out[i] = masked(r)
	}
	return out
}

// maskedFleet returns a copy of r with each server's report masked by
// its run's mask, and every other string (errors, notes, URLs) by the
// scanner.
func maskedFleet(r *fleet.Report) *fleet.Report {
	if r == nil {
		return nil
	}
	var none *conformance.Report // masks with the scanner alone
	out := scrub(r, none.MaskText)
	for i := range out.Targets {
		out.Targets[i].Report = masked(r.Targets[i].Report)
	}
	return out
}

// scrub returns a deep copy of *p with mask applied to every exported
// string it reaches (struct fields, slices, arrays, maps, pointers).
// Unexported fields are copied as they are.
func scrub[T any](p *T, mask func(string) string) *T {
	cp := new(T)
	v := reflect.ValueOf(cp).Elem()
	v.Set(reflect.ValueOf(p).Elem())
	scrubValue(v, mask)
	return cp
}

func scrubValue(v reflect.Value, mask func(string) string) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(mask(v.String()))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				scrubValue(f, mask)
			}
		}
	case reflect.Pointer:
		if v.IsNil() || !v.CanSet() {
			return
		}
		cp := reflect.New(v.Elem().Type())
		cp.Elem().Set(v.Elem())
		scrubValue(cp.Elem(), mask)
		v.Set(cp)
	case reflect.Slice:
		if v.IsNil() || !v.CanSet() {
			return
		}
		cp := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(cp, v)
		for i := 0; i < cp.Len(); i++ {
			scrubValue(cp.Index(i), mask)
		}
		v.Set(cp)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			scrubValue(v.Index(i), mask)
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		cp := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(iter.Key())
			scrubValue(k, mask)
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			scrubValue(e, mask)
			cp.SetMapIndex(k, e)
		}
		v.Set(cp)
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		e := reflect.New(v.Elem().Type()).Elem()
		e.Set(v.Elem())
		scrubValue(e, mask)
		v.Set(e)
	}
}
