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
//     unchanged, so redaction is idempotent, in this process or another one
//     with the key. A pseudonym is a head derived from the secret, a keyed
//     tag over the head (which is how the key recognises its own
//     pseudonyms) and a public mark over both (which is how anyone
//     recognises a pseudonym without the key, see [IsPseudonym]). Secrets
//     too short for a head (a six-digit OTP, a short password) all map to
//     one pseudonym per length and alphabet: they stay secret but are no
//     longer told apart;
//   - GitHub's checksummed tokens (gho_, ghu_, ghp_, ghs_, ghr_) get no
//     mark: their pseudonyms are made with a wrong checksum instead, which
//     no token GitHub issues has (see [HasValidChecksum]).
//
// Derived fields stay consistent: a response's hashed_token is the SHA-256
// of the token's pseudonym and token_last_eight its last eight characters.
// In an object that does not show its token (GitHub blanks it after
// creation) both are pseudonyms of themselves, the same for the same real
// hash whatever the Redactor saw before.
//
// # The scanner
//
// [EachField] visits every string an interaction writes to a cassette
// (status, header names, URL and bodies included), [FindTokens] finds token
// shapes wherever they start and percent-encoded, [Scan] reports them and
// the exact secrets it is given without the key (for 'cassette lint' and
// reports), and [Redactor.Sweep] replaces them with the key: the Store's
// last line of defence runs it on each interaction after redaction, with
// the secrets [Redactor.Redact] replaced, before anything is written. A
// [Finding] names the field, never the secret.
//
// # Usage
//
//	key, err := redact.LoadOrCreateKey(filepath.Join(dir, ".redact-key"))
//	r := redact.New(key, redact.Options{})
//	r.Interaction(i) // i is a go-vcr v3 *cassette.Interaction, redacted in place
package redact
