// Package redact is the one place that knows which parts of an HTTP
// interaction are secret and how to replace them.
//
// # Overview
//
// A [Redactor] is a keyed, deterministic, shape-preserving pseudonymiser.
// Every secret (a token, a client secret, a password, an OTP, a cookie) is
// replaced by a pseudonym derived from it with HMAC-SHA256 under a key:
//
//   - the same secret gets the same pseudonym in every interaction and every
//     cassette recorded with the same key, so a recorded check → reset → check
//     sequence still reads right and a replay server can pseudonymise a live
//     request and match it against a recorded one;
//   - a pseudonym keeps the shape of its secret: a token keeps its prefix
//     (gho_, ghu_, ghp_, ghs_, ghr_, github_pat_), its length and its
//     alphabet; a hex client secret stays hex of the same length;
//   - pseudonyms are fixed points: redacting a pseudonym returns it
//     unchanged, so redaction is idempotent. The last characters of each
//     pseudonym are a keyed tag over the first ones, which is how a
//     pseudonym is recognised. Secrets shorter than the tag (a six-digit
//     OTP, a short password) all map to one pseudonym per length and
//     alphabet: they stay secret but are no longer told apart.
//
// Derived fields stay consistent: a response's hashed_token is the SHA-256
// of the token's pseudonym and token_last_eight its last eight characters.
//
// # Usage
//
//	key, err := redact.LoadOrCreateKey(filepath.Join(dir, ".redact-key"))
//	r := redact.New(key, redact.Options{})
//	r.Interaction(i) // i is a go-vcr v3 *cassette.Interaction, redacted in place
package redact
