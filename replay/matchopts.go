package replay

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Match relaxes how an [Index] matches requests, for the cases other
// replay tools (VCR.py's match_on, WireMock's matchers) are asked for
// most: a header, a query parameter or a body field that changes on every
// run, and a body field whose value only has to look right.
//
// A field is a JSON pointer into the request body ("/note",
// "/permissions/contents"); a segment "*" stands for any member or array
// element ("/repositories/*"), and a name without a leading "/" is a
// top-level member ("note" is "/note"). In a form body the pointer "/name"
// names the field "name". The zero value relaxes nothing.
type Match struct {
	// IgnoreHeaders names headers (in any case) whose value does not
	// count. Replay compares three headers: Authorization (the
	// credentials), X-GitHub-OTP (whether one was sent) and If-None-Match;
	// no other header is compared, ignored or not.
	IgnoreHeaders []string
	// IgnoreQuery names query parameters that do not count, present or
	// not, whatever their value.
	IgnoreQuery []string
	// IgnoreFields are body fields that do not count, present or not,
	// whatever their value. An ignored array element keeps its place (as
	// null), so the elements after it still compare by position.
	IgnoreFields []string
	// FieldPatterns are body fields matched by pattern: the recorded value
	// does not count, but the field must be present exactly when the
	// recording has it, and its live value must match the pattern. The
	// value matched is the text of a JSON string, or the JSON text of any
	// other value.
	FieldPatterns []FieldPattern
}

// FieldPattern is a body field and the regular expression its live value
// must match (see [Match]).
type FieldPattern struct {
	Field   string
	Pattern *regexp.Regexp
}

// ParseFieldPattern parses the flag spelling "FIELD=REGEXP" of a
// [FieldPattern], e.g. `/note=^ci-[0-9]+$`. The regular expression is Go's
// (RE2) syntax and is not anchored unless it says so.
func ParseFieldPattern(s string) (FieldPattern, error) {
	field, expr, ok := strings.Cut(s, "=")
	if !ok || field == "" {
		return FieldPattern{}, fmt.Errorf("field pattern %q: want FIELD=REGEXP, e.g. /note=^ci-[0-9]+$", s)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return FieldPattern{}, fmt.Errorf("field pattern %q: %w", s, err)
	}
	return FieldPattern{Field: field, Pattern: re}, nil
}

// String returns the flag spelling, FIELD=REGEXP.
func (p FieldPattern) String() string {
	if p.Pattern == nil {
		return p.Field + "="
	}
	return p.Field + "=" + p.Pattern.String()
}

// fieldRule is a compiled body field rule: ignore (re nil) or pattern.
type fieldRule struct {
	segs []string // pointer segments, unescaped; "*" is a wildcard
	re   *regexp.Regexp
}

// placeholder is what a field matched by pattern becomes in the compared
// form of a request.
func (f *fieldRule) placeholder() string { return "<matches " + f.re.String() + ">" }

// UncomparedHeaders returns the headers of m.IgnoreHeaders that replay
// does not compare anyway (it compares Authorization, X-GitHub-OTP and
// If-None-Match only): ignoring them is allowed, as other tools' settings
// carried over name them, but changes nothing, which a command says.
func (m Match) UncomparedHeaders() []string {
	var out []string
	for _, h := range m.IgnoreHeaders {
		switch http.CanonicalHeaderKey(strings.TrimSpace(h)) {
		case "", "Authorization", "X-Github-Otp", "If-None-Match":
		default:
			out = append(out, h)
		}
	}
	return out
}

// compileMatch checks m and turns it into the normalizer's settings.
func (n *normalizer) compileMatch(m Match) error {
	var errs []error
	for _, h := range m.IgnoreHeaders {
		switch http.CanonicalHeaderKey(strings.TrimSpace(h)) {
		case "":
			errs = append(errs, errors.New("ignore header: empty name"))
		case "Authorization":
			n.ignoreAuth = true
		case "X-Github-Otp":
			n.ignoreOTP = true
		case "If-None-Match":
			n.ignoreINM = true
		}
	}
	for _, q := range m.IgnoreQuery {
		if q == "" {
			errs = append(errs, errors.New("ignore query: empty name"))
			continue
		}
		if n.ignoreQuery == nil {
			n.ignoreQuery = map[string]bool{}
		}
		n.ignoreQuery[q] = true
	}
	add := func(field string, re *regexp.Regexp) {
		segs, err := pointerSegments(field)
		if err != nil {
			errs = append(errs, err)
			return
		}
		n.fields = append(n.fields, fieldRule{segs: segs, re: re})
	}
	for _, f := range m.IgnoreFields {
		add(f, nil)
	}
	for _, p := range m.FieldPatterns {
		if p.Pattern == nil {
			errs = append(errs, fmt.Errorf("field pattern %q: no pattern", p.Field))
			continue
		}
		add(p.Field, p.Pattern)
	}
	return errors.Join(errs...)
}

// pointerSegments splits a field (a JSON pointer, or a top-level name) into
// its unescaped segments.
func pointerSegments(field string) ([]string, error) {
	if field == "" || field == "/" {
		return nil, fmt.Errorf("field %q: want a JSON pointer such as /note or /permissions/contents, or a top-level name", field)
	}
	if !strings.HasPrefix(field, "/") {
		return []string{field}, nil
	}
	segs := strings.Split(field[1:], "/")
	for i, s := range segs {
		if strings.Contains(strings.NewReplacer("~0", "", "~1", "").Replace(s), "~") {
			return nil, fmt.Errorf("field %q: in a JSON pointer, ~ is written ~0 and / is written ~1; %q is neither", field, s)
		}
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs, nil
}

// applyFields applies the field rules to a decoded JSON body: ignored
// members are deleted (ignored array elements become null), and a value
// matched by pattern becomes the rule's placeholder: always in a recorded
// body, and in a live one when the value matches (one that does not keeps
// its value, so the request misses and the miss shows it).
func (n *normalizer) applyFields(t any, recorded bool) any {
	for i := range n.fields {
		t = applyRule(t, &n.fields[i], n.fields[i].segs, recorded)
	}
	return t
}

func applyRule(t any, f *fieldRule, segs []string, recorded bool) any {
	if len(segs) == 0 {
		if f.re == nil {
			return nil
		}
		if recorded || f.re.MatchString(patternText(t)) {
			return f.placeholder()
		}
		return t
	}
	seg, rest := segs[0], segs[1:]
	switch x := t.(type) {
	case map[string]any:
		for k, v := range x {
			if seg != "*" && k != seg {
				continue
			}
			if len(rest) == 0 && f.re == nil {
				delete(x, k)
				continue
			}
			x[k] = applyRule(v, f, rest, recorded)
		}
	case []any:
		for i, v := range x {
			if seg != "*" && seg != strconv.Itoa(i) {
				continue
			}
			x[i] = applyRule(v, f, rest, recorded)
		}
	}
	return t
}

// patternText is the text a pattern is matched against: a string's value,
// or the canonical JSON of anything else.
func patternText(t any) string {
	if s, ok := t.(string); ok {
		return s
	}
	var b strings.Builder
	writeCanonical(&b, t)
	return b.String()
}

// applyFormFields applies the field rules naming a top-level field ("/name"
// or "*") to form values, as applyFields does to JSON.
func (n *normalizer) applyFormFields(q url.Values, recorded bool) {
	for i := range n.fields {
		f := &n.fields[i]
		if len(f.segs) != 1 {
			continue
		}
		for k, vs := range q {
			if f.segs[0] != "*" && f.segs[0] != k {
				continue
			}
			if f.re == nil {
				delete(q, k)
				continue
			}
			out := make([]string, len(vs))
			for j, s := range vs {
				out[j] = s
				if recorded || f.re.MatchString(s) {
					out[j] = f.placeholder()
				}
			}
			q[k] = out
		}
	}
}

// dropIgnoredQuery removes the ignored query parameters from q.
func (n *normalizer) dropIgnoredQuery(q url.Values) {
	for k := range n.ignoreQuery {
		delete(q, k)
	}
}
