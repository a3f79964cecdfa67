// Package specgen generates release specs of any number of services, shaped
// like the specs platform teams write: services in every language with
// their own paths, a dependsOn graph of layered tiers (edge services depend
// on APIs, which depend on core services), per-service canary and retention
// overrides, and top-level retention, canary and environments. The output is
// deterministic: the same count always gives the same bytes.
//
// Benchmarks use it to measure how each phase grows with the number of
// services.
package specgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sizes are the service counts the benchmarks run at.
var Sizes = []int{4, 100, 1000, 2000}

// tiers is the number of dependency layers, so the deploy order has this
// many waves whatever the size.
const tiers = 6

var languages = []string{"go", "node", "python", "java", "generic"}

// Name returns the name of the i-th service.
func Name(i int) string { return fmt.Sprintf("svc-%04d", i) }

// tier returns the dependency layer of service i of n.
func tier(i, n int) int { return i * tiers / n }

// rng is a small deterministic generator (SplitMix64), so the output never
// depends on a library's random number algorithm.
type rng uint64

func (r *rng) intn(n int) int {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z % uint64(n))
}

// CUE returns release.cue for a spec of n services. With targets, the
// spec selects those; without, every target (the schema's default).
func CUE(n int, targets ...string) []byte {
	var b strings.Builder
	b.WriteString(`package release

import "release-gen.dev/stdlib/retain"

name:     "platform"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"

matrix: platforms: ["linux/amd64", "linux/arm64"]

retention: [
	retain.#KeepLast & {#prefix: "prod-", #count: 10},
	retain.#KeepLast & {#prefix: "staging-", #count: 5},
	retain.#ExpireUntagged & {#days: 7},
]

canary: {
	provider:    "istio"
	interval:    "1m"
	maxWeight:   50
	stepWeight:  10
	successRate: 99
}

environments: {
	staging: {namespace: "staging"}
	production: {namespace: "production", approval: true}
}

security: {
	scan: severity: ["HIGH", "CRITICAL"]
	sbom: true
	sign: true
}

jenkins: scriptSplitting: true

`)
	if len(targets) > 0 {
		fmt.Fprintf(&b, "targets: [%q", targets[0])
		for _, t := range targets[1:] {
			fmt.Fprintf(&b, ", %q", t)
		}
		b.WriteString("]\n\n")
	}
	b.WriteString("services: {\n")
	r := rng(uint64(n))
	// first[t] is the index of the first service of tier t.
	first := make([]int, tiers+1)
	for t := range first {
		first[t] = (t*n + tiers - 1) / tiers
	}
	for i := range n {
		name := Name(i)
		lang := languages[i%len(languages)]
		fmt.Fprintf(&b, "\t%q: {\n\t\tlanguage: %q\n\t\tpath:     \"services/%s\"\n", name, lang, name)
		if t := tier(i, n); t > 0 {
			// One to three dependencies in lower tiers, mostly the one
			// just below.
			lo, hi := first[t-1], first[t]
			if lo >= hi || r.intn(4) == 0 {
				lo = 0
			}
			seen := map[int]bool{}
			var deps []string
			for range 1 + r.intn(3) {
				d := lo + r.intn(hi-lo)
				if !seen[d] {
					seen[d] = true
					deps = append(deps, fmt.Sprintf("%q", Name(d)))
				}
			}
			fmt.Fprintf(&b, "\t\tdependsOn: [%s]\n", strings.Join(deps, ", "))
		}
		switch {
		case i%11 == 3:
			b.WriteString("\t\ttestSplit: {glob: \"test/**/*_test.*\", parallelism: 4}\n")
		case i%13 == 5:
			b.WriteString("\t\tport:   9090\n\t\thealth: \"/healthz\"\n")
		}
		switch {
		case i%7 == 2:
			b.WriteString("\t\tcanary: false\n")
		case i%9 == 4:
			b.WriteString("\t\tcanary: {maxWeight: 30, stepWeight: 5}\n")
		}
		if i%10 == 6 {
			b.WriteString("\t\tretention: [\n\t\t\t{description: \"Keep release images\", tagPatterns: [\"v*.*.*\"], keep: 50},\n" +
				"\t\t\tretain.#KeepLast & {#prefix: \"prod-\", #count: 30},\n\t\t\tretain.#ExpireUntagged & {#days: 3},\n\t\t]\n")
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// Write writes release.cue for n services into dir, creating it.
func Write(dir string, n int, targets ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "release.cue"), CUE(n, targets...), 0o644)
}
