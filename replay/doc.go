// Package replay serves recorded go-vcr v3 cassettes as an offline GitHub:
// an [http.RoundTripper] and [http.Handler] ([Index]) and an
// httptest-style [Server], for other projects' tests. Nothing leaves the
// machine unless [Options.Miss] says so.
//
// # Overview
//
// [Load] reads cassettes recorded by oauthcompat (DIR/<version>/<name>.yaml)
// or by plain go-vcr, and indexes every interaction once, in a map keyed by
// method, path (without /api/v3), query (sorted) and body (JSON in a
// canonical form: key order and whitespace do not matter). A lookup is one
// map access whatever the number of interactions. Only requests are read
// at load: each answer stays in its cassette until a request matches it,
// then is kept in a bounded cache, so what an Index holds is its index,
// not the recording.
//
// Identical requests form a sequence answered in recorded order (check 200,
// delete 204, check 404); [Options.Exhausted] says what comes after the
// last. Within a key, the credentials the request was recorded with select
// the sequence, so a wrong client secret does not get the right answer.
// Credentials are compared as a server reads them, so a cassette recorded
// by one client replays for another: the Authorization scheme in any case
// (Octokit writes "basic", Go and curl "Basic"), "Bearer" as "token", and
// Basic credentials by their decoded user and password. [Options.Match]
// ignores headers, query parameters and body fields, and matches body
// fields by pattern.
//
// Secrets: with [Options.Redactor] (the key the cassettes were recorded
// with) each request is pseudonymised exactly as at record time, so a
// client sending the real token gets the answer recorded for it, and the
// answer is re-hydrated: wherever it holds the pseudonym of a secret the
// request carried, the real value is put back (hashed_token and
// token_last_eight recomputed), as the server would have answered. Without
// the key, secret fields (client_secret, password, tokens, Authorization
// credentials, tokens in paths) are compared by shape, their kind, not
// their value, and answers hold the pseudonyms as recorded.
//
// Answers are faithful: status, headers and body bytes as recorded, minus
// hop-by-hop headers, with a correct Content-Length, except that the
// recording server's origin in the body and in Location, Content-Location
// and Link becomes the origin the request was sent to (the replay server's
// own), unless [Options.KeepURLs]. A request with an If-None-Match recorded
// with a 304 gets the 304. An upstream failure the recorder stored (a 502)
// keeps its [cassettes.ErrorHeader], which GitHub never sends, so it is
// not taken for GitHub's answer; its body is left as recorded. An upstream
// failure mid-body (marked [cassettes.CutHeader]) is reproduced: the
// recorded status and headers, the bytes received, then the connection is
// cut ([Index.ServeHTTP] aborts the handler with [http.ErrAbortHandler];
// through [Index.RoundTrip] the body fails with [io.ErrUnexpectedEOF]).
//
// A miss gets 501 with a [MissError] as JSON (the closest recorded
// interaction and the fields that differ, secrets shaped or pseudonymised,
// never in clear) and the header
// "X-Oauthcompat-Replay: miss"; it is logged the same way and kept for
// [Index.Misses]. [Lint] checks cassettes.
//
// # Usage
//
//	srv, err := replay.NewServer("testdata/cassettes", replay.Options{})
//	defer srv.Close()
//	client := github.NewClient(nil).WithEnterpriseURLs(srv.URL()+"/", srv.URL()+"/")
//
// or, with no listener at all:
//
//	ix, err := replay.Load("testdata/cassettes", replay.Options{Version: "3.8"})
//	client := &http.Client{Transport: ix}
package replay
