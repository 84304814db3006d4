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
// version that documents it. provenance.json says where each version's
// facts come from ([Version.Origin], [Catalog.Provenance]): the npm package
// file and its SHA-256, or the committed transcription and what in it was
// inferred.
//
// A catalog overlay, a directory 'oauthcompat catalog import' writes from
// a description GitHub publishes after this release, adds versions (or
// replaces built-in ones) without a new release: [LoadOverlay] reads it
// beside the embedded catalog, and its versions then work like built-in
// ones ([Version.Imported] tells them apart).
//
// # Usage
//
//	cat := schemas.Default()
//	v, err := cat.Version("GHES 3.8.12") // ghes-3.8
//	op, ok := v.Match("PATCH", "/api/v3/applications/abc/token")
//	err = v.Validate(op.ID, 200, body) // *ValidationError lists each problem
//
//	cat, err = schemas.LoadOverlay("catalog-3.20") // built-in versions + ghes-3.20
package schemas
