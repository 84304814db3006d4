// Package e2e opens oauthcompat's HTML reports in a real browser: the
// pages make demo writes, and failing reports the test renders itself,
// in headless Chromium driven over the DevTools protocol (on a pipe, so
// nothing listens on a port). For each page, at 1280×800 and at 390×844,
// it checks that the page logs no console error, makes no network
// request, has no link within the reports that names no element or file,
// shows the verdict without scrolling, does not scroll sideways, and that
// the dark, print and "failures only" views work; it saves a screenshot of
// each.
//
// The tests carry the build tag e2e: run them with make e2e, which
// installs Chromium when it is missing (scripts/install-test-deps.sh),
// runs make demo, then
//
//	go test -tags e2e ./internal/e2e -args -reports demo-out -out e2e-out
//
// Without Chromium they skip, saying why.
package e2e
