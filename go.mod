module github.com/oauthcompat/oauthcompat

go 1.24.0

require (
	github.com/andybalholm/brotli v1.3.0
	github.com/elazarl/goproxy v1.9.2
	github.com/google/go-cmp v0.7.0
	github.com/google/go-github/v29 v29.0.3
	github.com/google/go-github/v68 v68.0.0
	github.com/klauspost/compress v1.18.0
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1
	gopkg.in/dnaeon/go-vcr.v3 v3.2.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/google/go-querystring v1.1.0 // indirect
	golang.org/x/crypto v0.48.0 // indirect
	golang.org/x/net v0.50.0 // indirect
	golang.org/x/text v0.34.0 // indirect
)
