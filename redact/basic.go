package redact

import (
	"encoding/base64"
	"strings"
)

// DecodeBasic decodes the credentials of a Basic Authorization value (the
// part after the scheme): base64 of "user:password", with or without
// padding, surrounding spaces ignored. ok is false when cred is not
// base64. It is the one decoder of Basic credentials: the reference
// server, redaction, replay's matching, lint, the fixture manifests and
// conform's masking all go through it, so that they agree on what a
// client sent.
func DecodeBasic(cred string) (user, pass string, colon, ok bool) {
	cred = strings.TrimSpace(cred)
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(cred, "=")); err != nil {
			return "", "", false, false
		}
	}
	user, pass, colon = strings.Cut(string(raw), ":")
	return user, pass, colon, true
}
