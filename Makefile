# oauthcompat. Everything runs offline on loopback.
GO      ?= go
BIN     ?= bin/oauthcompat
REF     ?= ../shared/reference/openapi
OUT     ?= demo-out

.PHONY: build test bench demo lint catalog reports fuzz clean

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

# catalog regenerates schemas/ from the reference extract of GitHub's OpenAPI descriptions.
catalog:
	$(GO) run ./internal/catalogen -ref $(REF) -out schemas

# reports regenerates the committed diff reports under reports/.
reports:
	$(GO) test ./diff -run TestCommittedReports -update

fuzz:
	$(GO) test ./redact -run '^$$' -fuzz FuzzRedact -fuzztime 30s

clean:
	rm -rf bin $(OUT)
