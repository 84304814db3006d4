# oauthcompat. Everything runs offline on loopback.
GO      ?= go
BIN     ?= bin/oauthcompat
CACHE   ?= .cache/catalog-sources
OUT     ?= demo-out

.PHONY: build test bench demo lint catalog catalog-sources catalog-testdata reports fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/oauthcompat

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

demo: build
	./scripts/demo.sh $(BIN) $(OUT)

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

fuzz:
	$(GO) test ./redact -run '^$$' -fuzz FuzzRedact -fuzztime 30s
	$(GO) test ./internal/catalogen -run '^$$' -fuzz FuzzParse -fuzztime 30s

clean:
	rm -rf bin $(OUT)
