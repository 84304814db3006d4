# oauthcompat. Everything runs offline on loopback.
GO      ?= go
BIN     ?= bin/oauthcompat
CACHE   ?= .cache/catalog-sources
OUT     ?= demo-out
E2E_OUT ?= e2e-out
# The versions whose fixture packs are committed under fixtures/ (ALL=1: every version).
FIXTURES ?= ghes-3.2,ghes-3.5,github.ae,ghes-3.8,ghes-3.10
# Where the tests note what they skipped for want of a tool (Python, Node, Java).
SKIPPED ?= .test-deps/skipped.txt

.PHONY: build test e2e test-deps bench bench-scale demo dist lint catalog catalog-sources catalog-testdata reports fixtures fuzz clean

build:
	$(GO) build -ldflags "$$(scripts/ldflags.sh)" -o $(BIN) ./cmd/oauthcompat

# test-deps installs what the cross-language tests and e2e use (python3-requests,
# python3-vcr, @octokit/rest, wiremock, chromium); a no-op when present, and never a
# failure: a test whose tool is missing skips, and test says so.
test-deps:
	@./scripts/install-test-deps.sh

test: test-deps
	$(GO) vet ./...
	@mkdir -p $(dir $(SKIPPED)) && rm -f $(SKIPPED)
	OAUTHCOMPAT_SKIPPED=$(CURDIR)/$(SKIPPED) $(GO) test -race -count=1 ./...; status=$$?; \
	if [ -s $(SKIPPED) ]; then echo "skipped, a tool is missing:"; sed 's/^/  /' $(SKIPPED); fi; exit $$status

# e2e opens the demo's HTML reports in headless Chromium (installed when
# missing; the test skips, saying why, where it cannot be); screenshots go
# to $(E2E_OUT)/screenshots.
e2e: demo
	@./scripts/install-test-deps.sh chromium
	$(GO) test -tags e2e -count=1 -v -run . ./internal/e2e -args -reports "$(abspath $(OUT))" -out "$(abspath $(E2E_OUT))"

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

# bench-scale generates a recording of 200,000 interactions (SCALE_N) in a
# temporary directory and measures stopping a recording appending to it,
# replay's ready time, memory and lookups, and lint, diff and upgrade-check
# throughput and peak memory. Not part of test or bench: it takes minutes.
SCALE_N ?= 200000
bench-scale:
	$(GO) test -tags scale -run '^$$' -bench Scale -benchtime 1x -benchmem -count=1 -timeout 60m ./internal/scalebench -args -scale.n $(SCALE_N)

demo: build
	./scripts/demo.sh $(BIN) $(OUT)

# dist builds static binaries for linux, darwin and windows on amd64 and
# arm64 into dist/, with SHA256SUMS (VERSION=v1.2.3 sets the release).
dist:
	./scripts/dist.sh dist

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

# catalog-sources downloads GitHub's OpenAPI descriptions named in
# internal/catalogen/sources/lock.json with npm into $(CACHE), checking every SHA-256.
catalog-sources:
	$(GO) run ./internal/catalogen/cmd/catalogen sources -cache $(CACHE)

# catalog regenerates schemas/ from the downloaded descriptions.
catalog: catalog-sources
	$(GO) run ./internal/catalogen/cmd/catalogen generate -cache $(CACHE) -out schemas

# catalog-testdata cuts the trimmed descriptions the tests generate the catalog from.
catalog-testdata: catalog-sources
	$(GO) run ./internal/catalogen/cmd/catalogen trim -cache $(CACHE) -out internal/catalogen/testdata/trimmed

# reports regenerates the committed diff reports under reports/.
reports:
	$(GO) test ./diff -run TestCommittedReports -update

# fixtures regenerates the committed fixture packs under fixtures/.
fixtures:
	$(GO) run ./cmd/oauthcompat fixtures --version $(if $(filter 1,$(ALL)),all,$(FIXTURES)) --out fixtures

fuzz:
	$(GO) test ./redact -run '^$$' -fuzz FuzzRedact -fuzztime 30s
	$(GO) test ./internal/catalogen -run '^$$' -fuzz FuzzParse -fuzztime 30s
	$(GO) test ./convert -run '^$$' -fuzz FuzzFromHAR -fuzztime 30s -parallel 1
	$(GO) test ./fleet -run '^$$' -fuzz FuzzParse -fuzztime 30s
	$(GO) test ./ghactions -run '^$$' -fuzz FuzzAnnotation -fuzztime 30s

clean:
	rm -rf bin dist $(OUT) $(E2E_OUT)
