// Package schemas is oauthcompat's catalog of what each GitHub version
// documents for the OAuth application and authorization endpoints: the
// versions, their operations (method, path template, family, deprecation,
// request body, status codes) and the JSON Schema of every response body.
//
// # Overview
//
// The data is generated from the official OpenAPI descriptions by
// internal/catalogen into catalog.json and json/*.json, embedded in the
// binary, and compiled once with github.com/santhosh-tekuri/jsonschema/v5 with
// formats asserted. Each distinct schema is stored once and shared by every
// version that documents it.
//
// # Usage
//
//	cat := schemas.Default()
//	v, err := cat.Version("GHES 3.8.12") // ghes-3.8
//	op, ok := v.Match("PATCH", "/api/v3/applications/abc/token")
//	err = v.Validate(op.ID, 200, body) // *ValidationError lists each problem
package schemas
