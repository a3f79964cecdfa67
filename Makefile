# release-gen: build, test and check.
#
#   make example       build release-gen and compile examples/ into their outputs
#   make test          vet, lint and run every test
#   make conformance   run the real third-party validators on every generated file
#   make golden        rewrite golden files (RELEASE_GEN_UPDATE=1); review the diff
#   make bench         benchmarks

GO          ?= go
CONFORMANCE ?= ../shared/conformance
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN         := bin/release-gen
EXAMPLES    := $(sort $(dir $(wildcard examples/*/release.cue examples/*/release.yaml)))

FUZZTIME    ?= 20s

.PHONY: all build example test lint vet unit golden conformance fuzz bench ci

all: build test

build:
	$(GO) build -o $(BIN) ./cmd/release-gen

example: build
	@for d in $(EXAMPLES); do echo "release-gen build $$d"; ./$(BIN) build $$d || exit $$?; done

test: lint unit

vet:
	$(GO) vet ./...

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -count=1 ./...

golden:
	RELEASE_GEN_UPDATE=1 $(GO) test -count=1 ./...

# Every generated file in the repository: the examples' committed outputs and
# the golden files of the target tests.
conformance:
	$(CONFORMANCE)/install.sh --quiet
	@./testdata/conformance.sh $(CONFORMANCE)

# Each fuzz target runs for FUZZTIME; a crasher is written to the
# package's testdata/fuzz and becomes a regression test.
fuzz:
	$(GO) test ./compiler/ -run '^$$' -fuzz '^FuzzCompileCUE$$' -fuzztime $(FUZZTIME)
	$(GO) test ./compiler/ -run '^$$' -fuzz '^FuzzCompileYAML$$' -fuzztime $(FUZZTIME)
	$(GO) test ./compiler/ -run '^$$' -fuzz '^FuzzCompileJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./targets/fileset/ -run '^$$' -fuzz '^FuzzManifest$$' -fuzztime $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./... | tee bench.txt

ci: example test conformance fuzz
