package jenkins

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// TestMethodEstimate holds the estimate to the measurements it comes
// from: the size of the method each Jenkinsfile's pipeline block compiles
// into, measured by compiling it through a rebuild of Declarative's and
// CPS's transforms (see methodsize.go). The estimate is within 3% of
// each (it runs 1 to 2.5% low, which the margin covers).
func TestMethodEstimate(t *testing.T) {
	for _, c := range []struct {
		name     string
		m        func(t *testing.T) *model.Release
		measured int
	}{
		{"examples/shop", compiled("examples/shop"), 47170},
		{"examples/platform", compiled("examples/platform"), 48052},
		{"testdata/hostile", compiled("testdata/hostile"), 20059},
		{"GHCR, four languages, Slack", func(t *testing.T) *model.Release { return compileSource(t, mixedSpec) }, 46282},
		{"10 go services", func(t *testing.T) *model.Release { return fleet(t, 10) }, 60625},
		{"30 go services", func(t *testing.T) *model.Release { return fleet(t, 30) }, 175445},
	} {
		m := c.m(t)
		g := newGen(m)
		stages, err := g.stages()
		if err != nil {
			t.Fatal(err)
		}
		got := g.pipelineBytecode(stages)
		if diff := float64(got-c.measured) / float64(c.measured); diff < -0.03 || diff > 0.03 {
			t.Errorf("%s: estimate %d bytes, %+.1f%% off the %d measured", c.name, got, 100*diff, c.measured)
		}
	}
}

// TestMethodLimit checks fleets of go services around where the estimate
// crosses the limit: from there on Check reports an output-size error at
// the spec's services with the estimate plus the margin, and not when the
// controller splits scripts, when the Jenkinsfile renders with the class
// limit alone. Render refuses what Check reports.
func TestMethodLimit(t *testing.T) {
	var last int
	for _, n := range []int{1, 8, 9, 10, 30} {
		m := fleet(t, n)
		g := newGen(m)
		stages, err := g.stages()
		if err != nil {
			t.Fatal(err)
		}
		size := g.pipelineBytecode(stages) * (100 + methodMargin) / 100
		if size <= last {
			t.Errorf("%d services: estimate %d, not more than %d for fewer", n, size, last)
		}
		last = size
		if over := size > methodLimit.Bytes; over != (n >= 10) {
			t.Errorf("%d services: estimate %d; the limit should fall between 9 and 10 services", n, size)
		}
		ds := Target{}.Check(m)
		switch {
		case n < 10 && len(ds) > 0:
			t.Errorf("%d services: %v", n, ds)
		case n >= 10 && len(ds) != 1:
			t.Errorf("%d services: got %v, want one output-size error", n, ds)
		case n >= 10:
			d := ds[0]
			want := methodLimit.Refusal("jenkins", Path, size, n)
			if d.Check != "output-size" || d.Severity != diag.Error || d.Message != want || d.Pos != m.Fields.Of("services", m.Pos) {
				t.Errorf("%d services: got %s %v at %v: %s\nwant the output-size error %s", n, d.Check, d.Severity, d.Pos, d.Message, want)
			}
			// Render refuses it too, for a caller that skipped Check.
			if _, err := (Target{}).Render(m); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%d services: Render returned %v, want the output-size error", n, err)
			}
		}
		m.Jenkins.ScriptSplitting = true
		if ds := (Target{}).Check(m); len(ds) > 0 {
			t.Errorf("%d services with script splitting: %v", n, ds)
		}
		if f := render(t, m); f.Limit != classLimit {
			t.Errorf("%d services with script splitting: limit %q, want the class limit", n, f.Limit.Rule)
		}
	}
}

// fleet compiles a spec of n go services released to production.
func fleet(t *testing.T, n int) *model.Release {
	t.Helper()
	var b strings.Builder
	b.WriteString("package release\n\nname: \"fleet\"\nregistry: \"123456789012.dkr.ecr.us-east-1.amazonaws.com\"\n" +
		"targets: [\"jenkins\"]\nenvironments: production: {}\nservices: {\n")
	for i := range n {
		fmt.Fprintf(&b, "\t\"svc-%d\": language: \"go\"\n", i)
	}
	b.WriteString("}\n")
	return compileSource(t, b.String())
}

// mixedSpec pushes to GHCR, whose login needs credentials, builds four
// languages with a test split, and announces failures and successes.
const mixedSpec = `package release

name:     "fleet"
registry: "ghcr.io/acme"
targets: ["jenkins"]

services: {
	auth: {language: "node"}
	api: {language: "go", dependsOn: ["auth"]}
	web: {language: "python", dependsOn: ["api"], testSplit: {glob: "tests/**/*.py", parallelism: 3}}
	jobs: {language: "java"}
}

environments: {
	staging: {}
	production: approval: true
}

notify: slack: {channel: "#releases", on: ["failure", "success"]}
`

// compileSource compiles src as a spec's release.cue.
func compileSource(t *testing.T, src string) *model.Release {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return targettest.Compile(t, dir)
}
