package conformance

import (
	"net/http"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// Unprovokable reports whether a documented (operation, status) is one no
// request can provoke from a server that behaves as real GitHub does, and
// why. The suite reports such a pair as [CannotProvoke] with the reason:
// not exercised, and not a failure.
//
// The one class today is 304 Not Modified on POST, PUT, PATCH and DELETE.
// GitHub's descriptions list it for POST /authorizations, PUT
// /authorizations/clients/{client_id} and the DELETEs of the OAuth
// Authorizations API, but HTTP (RFC 9110, section 13.1.2) lets a server
// answer If-None-Match on such a method only with 412 or by ignoring it,
// and no recording of GitHub shows a 304 there: see docs/fidelity.md,
// "304 on conditional POST, PUT, PATCH and DELETE".
func Unprovokable(op *schemas.Operation, status int) (reason string, ok bool) {
	if status != http.StatusNotModified {
		return "", false
	}
	switch op.Method {
	case http.MethodGet, http.MethodHead:
		return "", false
	}
	return "documented, but no request can provoke it: HTTP answers If-None-Match on " + op.Method +
		" with 412 or ignores it (RFC 9110, 13.1.2), and no recording shows GitHub answering 304 to one (docs/fidelity.md)", true
}
