package diff

import (
	"github.com/oauthcompat/oauthcompat/schemas"
)

const (
	tokenBody    = `{"access_token": "<token>"}`
	webFlowDocs  = "https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#web-application-flow"
	deviceFlowNt = "or the device flow for headless clients"
)

// legacyMigrations maps each legacy path-token operation ("METHOD path") to
// its token-in-body replacement. The token moves from the URL into the JSON
// body; authentication stays Basic with the app's client_id and
// client_secret.
var legacyMigrations = map[string]Migration{
	"GET /applications/{client_id}/tokens/{access_token}": {
		Method: "POST", Path: "/applications/{client_id}/token", Body: tokenBody,
		Note: "Check the token with the token in the JSON body instead of the URL; a 404 still means the token is invalid.",
	},
	"POST /applications/{client_id}/tokens/{access_token}": {
		Method: "PATCH", Path: "/applications/{client_id}/token", Body: tokenBody,
		Note: "Reset the token with the token in the JSON body instead of the URL; the response carries the new token.",
	},
	"DELETE /applications/{client_id}/tokens/{access_token}": {
		Method: "DELETE", Path: "/applications/{client_id}/token", Body: tokenBody,
		Note: "Revoke the token with the token in the JSON body instead of the URL.",
	},
	"DELETE /applications/{client_id}/grants/{access_token}": {
		Method: "DELETE", Path: "/applications/{client_id}/grant", Body: tokenBody,
		Note: "Revoke the grant (every token of the app for that user) with the token in the JSON body instead of the URL.",
	},
}

// authorizationsMigrations maps each OAuth Authorizations API operation
// ("METHOD path") to what replaces it. The API has no one-to-one
// successor: tokens come from the OAuth web application flow (or the
// device flow) and are then managed with the app's token endpoints.
var authorizationsMigrations = map[string]Migration{
	"GET /applications/grants": {
		Note: "No API replacement: users review the apps they authorized in their settings (Applications → Authorized OAuth Apps). An app checks its own tokens with POST /applications/{client_id}/token.",
	},
	"GET /applications/grants/{grant_id}": {
		Note: "No API replacement: an app checks one of its own tokens with POST /applications/{client_id}/token.",
	},
	"DELETE /applications/grants/{grant_id}": {
		Method: "DELETE", Path: "/applications/{client_id}/grant", Body: tokenBody,
		Note: "An app revokes a user's grant with one of the user's tokens in the body, authenticated with its client_id and client_secret.",
	},
	"GET /authorizations": {
		Note: "No API replacement for listing a user's authorizations: keep the tokens your app obtained and check each with POST /applications/{client_id}/token.",
	},
	"POST /authorizations": {
		Note: "Obtain tokens with the OAuth web application flow (" + webFlowDocs + ") " + deviceFlowNt + ", not with a username and password.",
	},
	"PUT /authorizations/clients/{client_id}": {
		Note: "Obtain tokens for your app with the OAuth web application flow (" + webFlowDocs + ") " + deviceFlowNt + "; check an existing one with POST /applications/{client_id}/token.",
	},
	"PUT /authorizations/clients/{client_id}/{fingerprint}": {
		Note: "Obtain tokens for your app with the OAuth web application flow (" + webFlowDocs + ") " + deviceFlowNt + "; fingerprints have no successor, keep one token per installation of your client.",
	},
	"GET /authorizations/{authorization_id}": {
		Method: "POST", Path: "/applications/{client_id}/token", Body: tokenBody,
		Note: "Check the token itself, authenticated with the app's client_id and client_secret.",
	},
	"PATCH /authorizations/{authorization_id}": {
		Note: "Scopes of an existing token cannot be edited: send the user through the web application flow again with the new scopes (" + webFlowDocs + "); PATCH /applications/{client_id}/token resets a token.",
	},
	"DELETE /authorizations/{authorization_id}": {
		Method: "DELETE", Path: "/applications/{client_id}/token", Body: tokenBody,
		Note: "Revoke the token itself, authenticated with the app's client_id and client_secret.",
	},
}

// removal returns the rule and migration for op disappearing in to.
func removal(op *schemas.Operation, to *schemas.Version) (rule string, m *Migration) {
	var table map[string]Migration
	switch op.Family {
	case schemas.FamilyLegacyPathToken:
		rule, table = "legacy-path-token-endpoint-removed", legacyMigrations
	case schemas.FamilyAuthorizationsAPI:
		rule, table = "authorizations-api-operation-removed", authorizationsMigrations
	default:
		return "operation-removed", nil
	}
	mig, ok := table[op.Key()]
	if !ok {
		return rule, nil
	}
	if mig.Method != "" && to != nil {
		if _, ok := to.Match(mig.Method, mig.Path); !ok {
			mig.Note += " Note: " + to.Name + " does not document " + mig.Method + " " + mig.Path + " either."
		}
	}
	return rule, &mig
}
