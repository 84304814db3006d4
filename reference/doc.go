// Package reference is oauthcompat's reference server: an in-memory,
// stateful stand-in for GitHub's OAuth application and authorization
// endpoints as one catalog version documents them.
//
// # Overview
//
// A [Server] serves every operation its [schemas.Version] documents, under
// /api/v3 and at the root, and answers 404 with GitHub's error body for
// anything else. It holds apps, users, tokens (gho_, ghu_, ghp_), grants and
// authorizations, seeded from [Fixtures], and applies the state changes the
// docs describe: reset mints a new token and retires the old one, delete
// and grant revocation make check answer 404, get-or-create answers 201 and
// then 200, and so on. Every documented status of every operation has a
// realistic trigger; docs/reference-server.md lists them.
//
// Each success body is checked against the version's schema once, when the
// first server of that version starts; requests are answered with
// hand-rolled JSON under one read-write mutex, so the hot path does no
// schema work and little allocation.
//
// # Usage
//
//	v, _ := schemas.Default().Version("3.8")
//	srv, err := reference.New(v, reference.DefaultFixtures())
//	http.ListenAndServe("127.0.0.1:8080", srv)
//
// In tests, [NewTestServer] starts one on loopback and closes it when the
// test ends:
//
//	ts := reference.NewTestServer(t, "3.2", reference.DefaultFixtures())
//	resp, err := ts.Client().Post(ts.URL+"/api/v3/applications/"+id+"/token", ...)
package reference
