package schemas

import (
	"errors"
	"strings"
)

// nullByEvidence are the members GitHub answers null when they are unset,
// although some descriptions (GHES 2.18 and 2.19's legacy check and reset)
// type them as plain strings: recorded traffic shows "note":null and
// "note_url":null in those very answers (docs/fidelity.md, "note, note_url
// and fingerprint").
var nullByEvidence = map[string]bool{"note": true, "note_url": true, "fingerprint": true}

// Tolerated splits the error of [Version.Validate] into the problems real
// GitHub's answers are known to have against their own description (a null
// note, note_url or fingerprint where the description says string) and the
// rest. rest is nil when nothing else is wrong; an error that is not a
// *ValidationError is returned as rest unchanged.
func Tolerated(err error) (rest error, tolerated []Problem) {
	var verr *ValidationError
	if !errors.As(err, &verr) {
		return err, nil
	}
	var kept []Problem
	for _, p := range verr.Problems {
		if p.nullByEvidence() {
			tolerated = append(tolerated, p)
		} else {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return nil, tolerated
	}
	out := *verr
	out.Problems = kept
	return &out, tolerated
}

// nullByEvidence reports whether p is a null where a string was expected,
// in a member GitHub answers null.
func (p Problem) nullByEvidence() bool {
	i := strings.LastIndexByte(p.Pointer, '/')
	return i >= 0 && nullByEvidence[p.Pointer[i+1:]] &&
		strings.HasPrefix(p.Message, "expected string") && strings.HasSuffix(p.Message, "but got null")
}
