package yamlenc

import (
	"fmt"
	"testing"

	"gopkg.in/yaml.v3"
)

// benchDocument returns a workflow-like document of n jobs: names,
// pinned actions with version comments, environments, flow lists and
// literal scripts, with blank lines between jobs.
func benchDocument(n int) *yaml.Node {
	jobs := Map()
	for i := range n {
		svc := fmt.Sprintf("service-%03d", i)
		Set(jobs, "deploy-"+svc, Map(
			"name", "Deploy "+svc+" to production",
			"needs", Flow(Strs("build-"+svc, "test-"+svc, "approve")),
			"runs-on", "ubuntu-24.04",
			"timeout-minutes", 30,
			"if", "${{ github.ref == 'refs/heads/main' }}",
			"env", Map("SERVICE", svc, "IMAGE", "registry.example.com/shop/"+svc, "DRY_RUN", "false", "VERSION", "1.20"),
			"steps", Seq(
				Map("uses", Comment(Str("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"), "v7.0.1"),
					"with", Map("persist-credentials", false)),
				Map("name", "Deploy", "run", Literal("set -euo pipefail\nkubectl set image deployment/"+svc+" app=\"$IMAGE@$DIGEST\"\nkubectl rollout status deployment/"+svc+" --timeout=10m\n")),
			),
		))
	}
	return Spaced(Map("name", "release", "on", Map("push", Map("branches", Flow(Strs("main")))), "permissions", Map(), "jobs", Spaced(jobs)))
}

// BenchmarkEncode encodes a 500-job document with the direct emitter
// (Encode) and with yaml.v3 (its fallback).
func BenchmarkEncode(b *testing.B) {
	doc := benchDocument(500)
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Encode(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeYAML(doc, true); err != nil {
				b.Fatal(err)
			}
		}
	})
}
