// Package catalogen builds oauthcompat's catalog from GitHub's official
// OpenAPI descriptions.
//
// # Overview
//
// [Parse] reads one description, in either published format: the bundled
// one, whose $refs point into components (the @octokit/openapi npm
// package's generated/<version>.json, github/rest-api-description's
// descriptions/<version>/<version>.json), or the dereferenced one
// (*.deref.json). A [Builder] keeps its OAuth application and authorization
// operations (paths under /applications and /authorizations) and converts
// their schemas from OpenAPI 3.0 (nullable: true) to JSON Schema 2020-12
// (type: [T, "null"]), storing each distinct schema once under a name made
// of its title and content hash.
//
// The built-in catalog under schemas/ is generated from the sources named
// in sources/lock.json ([Generate]): files of npm packages, each with its
// SHA-256, downloaded by [DownloadSources] (make catalog-sources), and, for
// the versions no package holds, descriptions committed beside the lock
// with what was read from which description and what was inferred. [Trim]
// cuts a description to the OAuth paths and the components they reach;
// the trimmed copies under testdata/ let the tests generate the catalog
// offline and compare it with the committed one.
//
// [Import] converts one description, with the same code, into a catalog
// overlay directory that package schemas loads beside the built-in
// catalog ('oauthcompat catalog import', --catalog DIR).
//
// # Usage
//
//	make catalog-sources   # download and verify the locked descriptions
//	make catalog           # regenerate schemas/
//	make catalog-testdata  # re-cut testdata/trimmed after changing the lock
package catalogen
