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
// # Usage
//
//	store, _ := cassettes.OpenStore(dir, "session", redactor)
//	h, _ := proxy.NewReverse(proxy.Config{Upstream: u, Store: store})
//	// serve h; on shutdown:
//	rec.Close() // waits for in-flight round trips, then closes the store
package proxy
