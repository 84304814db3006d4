// Package convert turns go-vcr v3 cassettes into the formats other tools
// replay, and a capture made elsewhere into interactions to record.
//
// # Overview
//
//   - [HAR]: an HTTP Archive 1.2, which browsers' devtools, Polly.js,
//     mitmproxy and Charles read. The catalog operation of each interaction
//     travels in the entry's custom field "_operation".
//   - [VCRPy]: a VCR.py (vcrpy) cassette, YAML, format version 1.
//   - [WireMock]: WireMock stub mappings (mappings/*.json, and __files/ for
//     bodies kept in files), matching method, URL path and query, the
//     Authorization credentials (scheme in any case), X-GitHub-OTP's
//     presence, If-None-Match, and the body (equalToJson for JSON). Identical
//     requests answered differently in turn (check 200, delete 204, check
//     404) become a WireMock scenario whose states follow the recorded order.
//   - [FromHAR] reads an HTTP Archive into interactions; [Import] files them
//     into a [cassettes.Store], which redacts each exactly as recording does,
//     so nothing unredacted is written.
//
// What none of these formats can express: replay's re-hydration of secrets
// (an exported cassette holds what the cassette holds: pseudonyms, unless it
// was made from published test credentials, as fixture packs are),
// pseudonymising the live request (a client must send what was recorded),
// and matching the X-GitHub-OTP value (only its presence, in WireMock;
// VCR.py matches no header by default).
//
// Every output is deterministic: the same cassette gives the same bytes.
//
// # Usage
//
//	c, _ := cassettes.Load("cassettes/ghes-3.8/session.yaml")
//	har, _ := convert.HAR(c.Interactions)
//	files, _ := convert.WireMock(c.Interactions, convert.WireMockOptions{Scenario: "session"})
package convert
