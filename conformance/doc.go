// Package conformance checks that a GitHub server, or a recording of one,
// behaves as a version of the catalog documents for the OAuth application
// and authorization endpoints.
//
// # Overview
//
// The suite is a fixed, ordered list of scenarios over an [http.Client]:
// the transport decides whether it talks to a live server, to a live
// server through the recorder, or to a replay of cassettes. Each scenario
// provokes one documented (operation, status) with realistic inputs (valid,
// unknown and malformed tokens, missing and wrong credentials, conditional
// requests, pagination, get-or-create twice, conflicting scope keys) and
// checks the answer: the status is the one due and documented, the body
// fits the version's schema, the Content-Type is JSON where a body is
// documented, 204 and 304 have no body. Behaviour is checked from the
// outside too: a reset answers a new token and the old one stops working,
// a deleted token fails check, revoking a grant takes down every token of
// it, the legacy and body endpoints agree, token_last_eight and
// hashed_token agree with token, app.client_id is the path's client id,
// Link pagination is consistent. Operations the version does not document
// are probed with one request without credentials; answering anything but
// 404 is a finding.
//
// The outcome is a [Report]: a [Case] per scenario (pass, fail, or not
// exercised with the reason), typed [Finding]s with a stable rule id, a
// severity, the operation, a JSON pointer and redacted evidence, and the
// coverage of documented (operation, status) pairs. Package reports renders
// it.
//
// # Safety
//
// Destructive scenarios only touch tokens listed in OAUTHCOMPAT_TOKENS, tokens
// the suite minted through the Authorizations API, and the successors of
// either after a reset; Config.DryRun prints the requests instead of
// sending them. Secrets never appear in a report: evidence masks
// Authorization, tokens, client secrets and passwords.
//
// # Replay
//
// A run is deterministic for the same version, credentials and nonce: the
// same requests in the same order. [Report.RunInfo] describes the run
// without secrets; a replay passes its nonce and target back in [Config] and
// gets the same results.
//
// # Usage
//
//	rep, err := conformance.Run(ctx, conformance.Config{
//		Version:     v,
//		BaseURL:     "http://127.0.0.1:8080",
//		Credentials: conformance.CredentialsFromEnv(os.Getenv),
//	})
package conformance
