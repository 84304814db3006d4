// Package triggers lists, for every (operation, status) any catalog
// version documents, and for the statuses GitHub sends without documenting
// them, a realistic request that makes the reference server answer it.
//
// # Overview
//
// A [Trigger] runs against a [reference.Server] seeded with
// [reference.DefaultFixtures] (changed first by Trigger.Fixtures when set),
// through a [Doer]: one request, or a short sequence whose last request
// gets Status (a conditional request first fetches the ETag it sends).
// Triggers are independent of each other: each expects a server of its
// own. The reference server's tests run every trigger against every
// version documenting its operation, docs/reference-server.md shows them
// as a table, and the fixture packs ("oauthcompat fixtures") record them.
//
// # Usage
//
//	for _, tr := range triggers.All() {
//		srv, _ := tr.Server(version)
//		got := tr.Run(doer{srv}) // doer sends each request to srv
//	}
package triggers

import (
	"net/http"

	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Trigger is a realistic request (or a short sequence of them) that makes
// a reference server answer Status for the operation Key.
type Trigger struct {
	// Key is the operation, "METHOD /template" without /api/v3 (see
	// [schemas.Operation.Key]), stable across versions.
	Key string
	// Status is the status the last request gets.
	Status int
	// Why says what makes the server answer Status, in Markdown.
	Why string
	// Fixtures changes the default fixtures before the server starts; nil
	// for none.
	Fixtures func(*reference.Fixtures)
	// Run sends the requests through d and returns the last answer.
	Run func(d Doer) Response
}

// Doer sends one request to a reference server: path is without /api/v3
// (the Doer adds the prefix its version's clients use), body is "" for
// none, header holds the credentials and any other header to send.
type Doer interface {
	Do(method, path, body string, header http.Header) Response
}

// Response is a server's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// All returns every trigger, grouped by operation in catalog order and,
// within an operation, by status.
func All() []Trigger { return append([]Trigger(nil), triggers...) }

// SeedFixtures returns the fixtures t runs with: the default ones, changed
// by t.Fixtures.
func (t Trigger) SeedFixtures() reference.Fixtures {
	f := reference.DefaultFixtures()
	if t.Fixtures != nil {
		t.Fixtures(&f)
	}
	return f
}

// Server returns a reference server for v seeded for t. Its tokens are
// minted from the default fixtures' seed whatever t changes in them, so a
// token a trigger mints is one [reference.IsTestSecret] knows.
func (t Trigger) Server(v *schemas.Version) (*reference.Server, error) {
	return reference.New(v, t.SeedFixtures(), reference.WithSeed(reference.DefaultSeed()))
}

const (
	kCheck       = "POST /applications/{client_id}/token"
	kReset       = "PATCH /applications/{client_id}/token"
	kDelete      = "DELETE /applications/{client_id}/token"
	kDeleteGrant = "DELETE /applications/{client_id}/grant"
	kScoped      = "POST /applications/{client_id}/token/scoped"
	kLCheck      = "GET /applications/{client_id}/tokens/{access_token}"
	kLReset      = "POST /applications/{client_id}/tokens/{access_token}"
	kLRevoke     = "DELETE /applications/{client_id}/tokens/{access_token}"
	kLGrant      = "DELETE /applications/{client_id}/grants/{access_token}"
	kListGrants  = "GET /applications/grants"
	kGetGrant    = "GET /applications/grants/{grant_id}"
	kDelGrantID  = "DELETE /applications/grants/{grant_id}"
	kList        = "GET /authorizations"
	kCreate      = "POST /authorizations"
	kGetOrCreate = "PUT /authorizations/clients/{client_id}"
	kGetOrCrFP   = "PUT /authorizations/clients/{client_id}/{fingerprint}"
	kGet         = "GET /authorizations/{authorization_id}"
	kUpdate      = "PATCH /authorizations/{authorization_id}"
	kDelAuthz    = "DELETE /authorizations/{authorization_id}"
)

func req(method, path, b string, h http.Header) func(Doer) Response {
	return func(d Doer) Response { return d.Do(method, path, b, h) }
}

// conditional GETs etagPath, then sends method path with If-None-Match.
func conditional(method, path, b, etagPath string, h http.Header) func(Doer) Response {
	return func(d Doer) Response {
		tag := d.Do("GET", etagPath, "", h).Header.Get("ETag")
		return d.Do(method, path, b, with(h, "If-None-Match", tag))
	}
}

// lockedOut fails mona's login MaxLoginAttempts times, then logs in right.
func lockedOut(d Doer) Response {
	for range reference.MaxLoginAttempts {
		d.Do("GET", "/authorizations", "", with(asMona, "X-GitHub-OTP", reference.WrongOTP))
	}
	return d.Do("GET", "/authorizations", "", with(asMona, "X-GitHub-OTP", reference.DefaultOTP))
}

var getOrCreateBody = `{"client_secret":"` + secret1 + `","scopes":["repo"],"note":"editor"}`

// triggers is the table; docs/reference-server.md shows it.
var triggers = []Trigger{
	// Token in the body.
	{kCheck, 200, "a token the app holds", nil, req("POST", tokenPath(app1), body(tok(0)), asApp)},
	{kCheck, 404, "a token the app does not hold (never issued, deleted, reset, or another app's)", nil, req("POST", tokenPath(app1), body(unknown), asApp)},
	{kCheck, 404, "another app's token", nil, req("POST", tokenPath(app1), body(tok(6)), asApp)},
	{kCheck, 422, "no `access_token`", nil, req("POST", tokenPath(app1), `{}`, asApp)},
	{kCheck, 422, "`access_token` not a string", nil, req("POST", tokenPath(app1), `{"access_token":`+reference.NumberToken+`}`, asApp)},
	{kCheck, 400, "malformed JSON (\"Problems parsing JSON\")", nil, req("POST", tokenPath(app1), `{"access_token":`, asApp)},
	{kCheck, 400, "a JSON value that is not an object (\"Body should be a JSON object\"); both on every endpoint that reads a body", nil, req("POST", tokenPath(app1), `["gho_x"]`, asApp)},
	{kCheck, 401, "no Basic credentials, or a wrong client secret", nil, req("POST", tokenPath(app1), body(tok(0)), asBadApp)},
	{kCheck, 403, "a token (`Authorization: token …` or `Bearer …`) instead of Basic", nil, req("POST", tokenPath(app1), body(tok(0)), asBearer)},
	{kCheck, 404, "Basic credentials of another app than the one in the path", nil, req("POST", tokenPath(app1), body(tok(0)), asApp2)},
	{kReset, 200, "a token the app holds: a new token; the old one stops working", nil, req("PATCH", tokenPath(app1), body(tok(1)), asApp)},
	{kReset, 422, "no `access_token`, or not a string", nil, req("PATCH", tokenPath(app1), `{"access_token":null}`, asApp)},
	{kReset, 404, "a token the app does not hold", nil, req("PATCH", tokenPath(app1), body(unknown), asApp)},
	{kDelete, 204, "a token the app holds; check answers 404 afterwards", nil, req("DELETE", tokenPath(app1), body(tok(2)), asApp)},
	{kDelete, 422, "no `access_token`, or not a string", nil, req("DELETE", tokenPath(app1), `{"access_token":`+reference.NumberToken+`}`, asApp)},
	{kDelete, 404, "a token the app does not hold", nil, req("DELETE", tokenPath(app1), body(unknown), asApp)},
	{kDeleteGrant, 204, "a token the app holds: every token of that user for the app is revoked", nil, req("DELETE", "/applications/"+app1+"/grant", body(tok(3)), asApp)},
	{kDeleteGrant, 422, "no `access_token`, or not a string", nil, req("DELETE", "/applications/"+app1+"/grant", ``, asApp)},
	{kDeleteGrant, 404, "a token the app does not hold", nil, req("DELETE", "/applications/"+app1+"/grant", body(unknown), asApp)},
	{kScoped, 200, "a token the app holds and `target` (or `target_id`) naming a user: a new `ghu_` token with an `installation`", nil,
		req("POST", tokenPath(app1)+"/scoped", `{"access_token":"`+tok(0)+`","target":"octocat","repositories":["hello-world"],"permissions":{"contents":"read","issues":"write"}}`, asApp)},
	{kScoped, 401, "no Basic credentials, or a wrong client secret", nil, req("POST", tokenPath(app1)+"/scoped", `{"access_token":"`+tok(0)+`","target":"octocat"}`, noAuth)},
	{kScoped, 403, "a token (`Authorization: token …` or `Bearer …`) instead of Basic", nil, req("POST", tokenPath(app1)+"/scoped", `{"access_token":"`+tok(0)+`","target":"octocat"}`, asToken)},
	{kScoped, 404, "a token the app does not hold", nil, req("POST", tokenPath(app1)+"/scoped", `{"access_token":"`+unknown+`","target":"octocat"}`, asApp)},
	{kScoped, 422, "both `repositories` and `repository_ids`", nil, req("POST", tokenPath(app1)+"/scoped", `{"access_token":"`+tok(0)+`","target":"octocat","repositories":["a"],"repository_ids":[1]}`, asApp)},
	{kScoped, 422, "neither `target` nor `target_id`, an unknown target, or `target` and `target_id` naming different users", nil, req("POST", tokenPath(app1)+"/scoped", `{"access_token":"`+tok(0)+`","target":"nobody"}`, asApp)},
	{kScoped, 422, "a body that does not fit the schema (e.g. a permission level outside the version's enum)", nil, req("POST", tokenPath(app1)+"/scoped", `{"access_token":"`+tok(0)+`","target":"octocat","permissions":{"contents":"admin"}}`, asApp)},

	// Legacy: the token in the path, same state.
	{kLCheck, 200, "a token the app holds", nil, req("GET", legacyPath("tokens", tok(0)), "", asApp)},
	{kLCheck, 404, "a token the app does not hold", nil, req("GET", legacyPath("tokens", unknown), "", asApp)},
	{kLCheck, 304, "`If-None-Match` with the ETag of the previous answer", nil, conditional("GET", legacyPath("tokens", tok(0)), "", legacyPath("tokens", tok(0)), asApp)},
	{kLCheck, 401, "a wrong client secret", nil, req("GET", legacyPath("tokens", tok(0)), "", asBadApp)},
	{kLCheck, 404, "no credentials at all, as GitHub answers the legacy endpoints (docs/fidelity.md)", nil, req("GET", legacyPath("tokens", tok(0)), "", noAuth)},
	{kLReset, 200, "a token the app holds: a new token; the old one stops working", nil, req("POST", legacyPath("tokens", tok(1)), "", asApp)},
	{kLReset, 404, "a token the app does not hold", nil, req("POST", legacyPath("tokens", unknown), "", asApp)},
	{kLRevoke, 204, "a token the app holds", nil, req("DELETE", legacyPath("tokens", tok(2)), "", asApp)},
	{kLRevoke, 404, "a token the app does not hold", nil, req("DELETE", legacyPath("tokens", unknown), "", asApp)},
	{kLRevoke, 404, "no credentials at all", nil, req("DELETE", legacyPath("tokens", tok(2)), "", noAuth)},
	{kLGrant, 204, "a token the app holds: every token of that user for the app is revoked", nil, req("DELETE", legacyPath("grants", tok(3)), "", asApp)},
	{kLGrant, 404, "a token the app does not hold", nil, req("DELETE", legacyPath("grants", unknown), "", asApp)},

	// OAuth Authorizations API (Basic username:password).
	{kListGrants, 200, "the user's grants, `per_page`/`page` with a `Link` header", nil, req("GET", "/applications/grants?per_page=2", "", asUser)},
	{kListGrants, 304, "`If-None-Match` with the ETag of the previous answer", nil, conditional("GET", "/applications/grants", "", "/applications/grants", asUser)},
	{kListGrants, 401, "no credentials, or a wrong password", nil, req("GET", "/applications/grants", "", noAuth)},
	{kListGrants, 403, "a token (`Authorization: token …` or `Bearer …`) instead of Basic", nil, req("GET", "/applications/grants", "", asToken)},
	{kListGrants, 404, "a `client_id` filter naming no app", nil, req("GET", "/applications/grants?client_id=no-such-app", "", asUser)},
	{kGetGrant, 200, "one of the user's grants", nil, req("GET", "/applications/grants/1", "", asUser)},
	{kGetGrant, 304, "`If-None-Match` with the ETag of the previous answer", nil, conditional("GET", "/applications/grants/1", "", "/applications/grants/1", asUser)},
	{kGetGrant, 401, "no credentials, or a wrong password", nil, req("GET", "/applications/grants/1", "", asBadUser)},
	{kGetGrant, 403, "a token instead of Basic", nil, req("GET", "/applications/grants/1", "", asBearer)},
	{kGetGrant, 404, "another user's grant, or no such grant", nil, req("GET", "/applications/grants/1", "", asHubot)},
	{kDelGrantID, 204, "one of the user's grants: all its tokens are revoked", nil, req("DELETE", "/applications/grants/1", "", asUser)},
	{kDelGrantID, 401, "no credentials, or a wrong password", nil, req("DELETE", "/applications/grants/1", "", noAuth)},
	{kDelGrantID, 403, "a token instead of Basic", nil, req("DELETE", "/applications/grants/1", "", asToken)},
	{kList, 200, "the user's authorizations (token shown as \"\"), `per_page`/`page` with a `Link` header", nil, req("GET", "/authorizations?per_page=3&page=2", "", asUser)},
	{kList, 304, "`If-None-Match` with the ETag of the previous answer", nil, conditional("GET", "/authorizations", "", "/authorizations", asUser)},
	{kList, 401, "no credentials, or a wrong password", nil, req("GET", "/authorizations", "", noAuth)},
	{kList, 401, "a user with two-factor authentication (the fixtures' mona) without `X-GitHub-OTP`, or with a wrong one: `X-GitHub-OTP: required; app` on every Basic endpoint", nil, req("GET", "/authorizations", "", asMona)},
	{kList, 401, "a wrong one-time password", nil, req("GET", "/authorizations", "", with(asMona, "X-GitHub-OTP", reference.WrongOTP))},
	{kList, 200, "mona with her one-time password (`X-GitHub-OTP: 123456`)", nil, req("GET", "/authorizations", "", with(asMona, "X-GitHub-OTP", reference.DefaultOTP))},
	{kList, 403, "after five failed logins in a row (wrong password or one-time password): \"Maximum number of login attempts exceeded\", on every Basic endpoint of that user, for five minutes (LoginLockout)", nil, lockedOut},
	{kList, 403, "a token instead of Basic", nil, req("GET", "/authorizations", "", asToken)},
	{kList, 404, "a `client_id` filter naming no app", nil, req("GET", "/authorizations?client_id=no-such-app", "", asUser)},
	{kCreate, 201, "a personal token (`note` required, unique per user; `ghp_`) or, with `client_id` and `client_secret`, an app token (`gho_`)", nil, req("POST", "/authorizations", `{"note":"ci","scopes":["repo"],"note_url":"https://ci.example.com"}`, asUser)},
	{kCreate, 201, "an app token", nil, req("POST", "/authorizations", `{"client_id":"`+app2+`","client_secret":"`+secret2+`","scopes":["repo"],"fingerprint":"ci-runner"}`, asUser)},
	{kCreate, 401, "no credentials, or a wrong password", nil, req("POST", "/authorizations", `{"note":"ci"}`, asBadUser)},
	{kCreate, 403, "a token instead of Basic", nil, req("POST", "/authorizations", `{"note":"ci"}`, asToken)},
	{kCreate, 410, "the fixtures set `authorizations_api_disabled`", func(f *reference.Fixtures) { f.AuthorizationsAPIDisabled = true }, req("POST", "/authorizations", `{"note":"ci"}`, asUser)},
	{kCreate, 422, "no `note` for a personal token, a note the user already has, a fingerprint already used, an unknown `client_id` or wrong `client_secret`, or a body that does not fit the schema", nil, req("POST", "/authorizations", `{"note":"deploy script"}`, asUser)},
	{kCreate, 422, "a body that does not fit the schema", nil, req("POST", "/authorizations", `{"note":"ci","scopes":"repo"}`, asUser)},
	{kGetOrCreate, 201, "the user has no authorization of the app without a fingerprint (or with the body's `fingerprint`): a new `gho_` token", nil, req("PUT", "/authorizations/clients/"+app1, `{"client_secret":"`+secret1+`","fingerprint":"new-device"}`, asUser)},
	{kGetOrCreate, 200, "the same request again (or an existing token of the app): the authorization, token \"\"", nil, req("PUT", "/authorizations/clients/"+app1, getOrCreateBody, asUser)},
	{kGetOrCreate, 401, "no credentials, or a wrong password", nil, req("PUT", "/authorizations/clients/"+app1, getOrCreateBody, noAuth)},
	{kGetOrCreate, 403, "a token instead of Basic", nil, req("PUT", "/authorizations/clients/"+app1, getOrCreateBody, asBearer)},
	{kGetOrCreate, 422, "no `client_secret` or a wrong one, an unknown client_id, or a body that does not fit the schema", nil, req("PUT", "/authorizations/clients/"+app1, `{"client_secret":"wrong"}`, asUser)},
	{kGetOrCrFP, 201, "no authorization of the app with that fingerprint yet", nil, req("PUT", "/authorizations/clients/"+app1+"/desktop-1", `{"client_secret":"`+secret1+`"}`, asUser)},
	{kGetOrCrFP, 200, "an authorization with that fingerprint exists (the fixtures' `laptop-2024`)", nil, req("PUT", "/authorizations/clients/"+app1+"/"+laptop.Fingerprint, `{"client_secret":"`+secret1+`"}`, asUser)},
	{kGetOrCrFP, 422, "no `client_secret` or a wrong one, or a body that does not fit the schema", nil, req("PUT", "/authorizations/clients/"+app1+"/desktop-1", `{"note":"x"}`, asUser)},
	{kGet, 200, "one of the user's authorizations (token \"\")", nil, req("GET", "/authorizations/8", "", asUser)},
	{kGet, 304, "`If-None-Match` with the ETag of the previous answer", nil, conditional("GET", "/authorizations/8", "", "/authorizations/8", asUser)},
	{kGet, 401, "no credentials, or a wrong password", nil, req("GET", "/authorizations/8", "", noAuth)},
	{kGet, 403, "a token instead of Basic", nil, req("GET", "/authorizations/8", "", asToken)},
	{kGet, 404, "another user's authorization, or no such id", nil, req("GET", "/authorizations/8", "", asHubot)},
	{kUpdate, 200, "one of `scopes`, `add_scopes`, `remove_scopes`, and/or `note`, `note_url`, `fingerprint`", nil, req("PATCH", "/authorizations/8", `{"add_scopes":["gist"],"note":"deploy script v2"}`, asUser)},
	{kUpdate, 422, "more than one of `scopes`, `add_scopes`, `remove_scopes`; a note another personal token has; a body that does not fit the schema", nil, req("PATCH", "/authorizations/8", `{"scopes":["repo"],"add_scopes":["gist"]}`, asUser)},
	{kUpdate, 401, "no credentials, or a wrong password", nil, req("PATCH", "/authorizations/8", `{"note":"x"}`, noAuth)},
	{kDelAuthz, 204, "one of the user's authorizations: its token stops working", nil, req("DELETE", "/authorizations/8", "", asUser)},
	{kDelAuthz, 401, "no credentials, or a wrong password", nil, req("DELETE", "/authorizations/8", "", asBadUser)},
	{kDelAuthz, 403, "a token instead of Basic", nil, req("DELETE", "/authorizations/8", "", asToken)},
}
