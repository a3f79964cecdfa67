# release-gen: build, test and check.
#
#   make example       build release-gen and compile examples/ into their outputs
#   make test          vet, lint and run every test
#   make conformance   run the real third-party validators on every generated file
#   make golden        rewrite golden files (RELEASE_GEN_UPDATE=1); review the diff
#   make bench         benchmarks, and a table of their medians

GO          ?= go
CONFORMANCE ?= ../shared/conformance
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN         := bin/release-gen
EXAMPLES    := $(sort $(dir $(wildcard examples/*/release.cue examples/*/release.yaml)))

FUZZTIME    ?= 20s
# The spec fuzzers run a fixed number of inputs: with a time limit, Go's
# fuzzing engine stalls after the seed corpus on these targets.
FUZZEXECS   ?= 2000x

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

# One compiled release may be rendered from several goroutines; the race
# detector checks that targets only read the model.
unit:
	$(GO) test -count=1 ./...
	$(GO) test -race -count=1 -run '^TestRenderShared$$' ./targets/all/

golden:
	RELEASE_GEN_UPDATE=1 $(GO) test -count=1 ./...

# Every generated file in the repository: the examples' committed outputs and
# the golden files of the target tests.
conformance:
	$(CONFORMANCE)/install.sh --quiet
	@./testdata/conformance.sh $(CONFORMANCE)

# Each fuzz target runs for FUZZEXECS inputs or FUZZTIME; a crasher is written to the
# package's testdata/fuzz and becomes a regression test. FuzzRender minimizes each
# new interesting input for 10 runs instead of Go's default 60 s, which would
# otherwise take most of its time.
fuzz:
	$(GO) test ./compiler/ -run '^$$' -fuzz '^FuzzCompileCUE$$' -fuzztime $(FUZZEXECS)
	$(GO) test ./compiler/ -run '^$$' -fuzz '^FuzzCompileYAML$$' -fuzztime $(FUZZEXECS)
	$(GO) test ./compiler/ -run '^$$' -fuzz '^FuzzCompileJSON$$' -fuzztime $(FUZZEXECS)
	$(GO) test ./targets/fileset/ -run '^$$' -fuzz '^FuzzManifest$$' -fuzztime $(FUZZTIME)
	$(GO) test ./targets/all/ -run '^$$' -fuzz '^FuzzRender$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10x

# Benchmarks of every phase on generated specs of 4 to 2000 services
# (compiler/*_bench_test.go), BENCHCOUNT runs of BENCHTIME each. The raw
# output goes to bin/bench.txt, then a table of medians: milliseconds per
# run by phase and spec size, the ratio of 2000 to 1000 services (2.0 is
# linear), and MB allocated per run at 2000 services. BENCH selects
# benchmarks (a go test -bench pattern). CI runs each once:
#   go test -run '^$' -bench . -benchtime 1x ./compiler/
BENCHTIME  ?= 1x
BENCHCOUNT ?= 5
BENCH      ?= .

bench:
	@mkdir -p bin
	{ $(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m ./compiler/; \
	  echo $$? > bin/bench.status; } | tee bin/bench.txt
	@awk "$$BENCHTABLE" bin/bench.txt
	@exit $$(cat bin/bench.status)

# BENCHTABLE prints bin/bench.txt as a table of medians.
define BENCHTABLE
function median(k,   n, i, j, t, a) {
	n = cnt[k]
	for (i = 1; i <= n; i++) a[i] = val[k, i]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
function ms(ns) { ns /= 1e6; return ns < 10 ? sprintf("%.2f", ns) : ns < 100 ? sprintf("%.1f", ns) : sprintf("%.0f", ns) }
/^Benchmark.*\/services=[0-9]+/ {
	name = $$1; sub(/-[0-9]+$$/, "", name); sub(/^Benchmark/, "", name)
	i = index(name, "/services="); row = substr(name, 1, i - 1); size = substr(name, i + 10) + 0
	if (!(row in seen)) { seen[row] = 1; rows[++nrows] = row }
	if (!(size in sized)) { sized[size] = 1; sizes[++nsizes] = size }
	for (f = 2; f < NF; f++) {
		if ($$(f+1) == "ns/op") { k = row SUBSEP size; val[k, ++cnt[k]] = $$f }
		if ($$(f+1) == "B/op") { mem[row SUBSEP size, cnt[row SUBSEP size]] = $$f }
	}
}
END {
	for (i = 2; i <= nsizes; i++) for (j = i; j > 1 && sizes[j-1] > sizes[j]; j--) { t = sizes[j]; sizes[j] = sizes[j-1]; sizes[j-1] = t }
	big = sizes[nsizes]; prev = sizes[nsizes-1]
	printf "\n%-28s", "ms per run (median)"
	for (j = 1; j <= nsizes; j++) printf " %10s", sizes[j] " svc"
	printf " %10s %10s\n", big "/" prev, "MB@" big
	for (i = 1; i <= nrows; i++) {
		printf "%-28s", rows[i]
		for (j = 1; j <= nsizes; j++) { k = rows[i] SUBSEP sizes[j]; printf " %10s", cnt[k] ? ms(median(k)) : "-" }
		a = rows[i] SUBSEP big; b = rows[i] SUBSEP prev
		ratio = "-"
		if (cnt[a] && cnt[b] && median(b) > 0) ratio = sprintf("%.2f", median(a) / median(b))
		mb = "-"
		if ((a SUBSEP 1) in mem) mb = sprintf("%.0f", mem[a, 1] / 1048576)
		printf " %10s %10s\n", ratio, mb
	}
}
endef
export BENCHTABLE

ci: example test conformance fuzz
