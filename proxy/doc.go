// Package proxy records HTTP traffic to GitHub's OAuth endpoints: it moves
// bytes between a client and an upstream server and hands each completed
// interaction to a [cassettes.Store].
//
// # Overview
//
// [Recorder] is an [http.RoundTripper] that forwards a request and records
// the interaction. The reverse proxy ([NewReverse]) and the forward proxy
// with HTTPS interception ([NewForward]) both put a Recorder behind a
// listener; a test or the conformance suite can use one directly as the
// transport of an [http.Client].
//
// The live client always gets the real, unredacted response, streamed as
// it arrives; the Recorder tees it into a capped buffer and stores it
// (redacted, decoded if it was gzip or deflate) when the body reaches its
// end or is closed, before that Read or Close returns.
//
// Failures are recorded as what they were: no answer is a 502 whose body
// says what failed ([Problem]: an untrusted certificate, a refused
// connection...) and whose recorded response carries
// [cassettes.ErrorHeader]; an answer the upstream cut mid-body is recorded
// as received, marked with [cassettes.CutHeader], and reaches the client
// as received, then cut. Each is logged. An interaction the Store cannot
// record is logged at once and counted ([Recorder.Stats]), so a command can
// say so and fail.
//
// # Usage
//
//	store, _ := cassettes.OpenStore(dir, "session", redactor)
//	h, _ := proxy.NewReverse(proxy.Config{Upstream: u, Store: store})
//	// serve h; on shutdown:
//	rec.Close() // waits for in-flight round trips, then closes the store
package proxy
