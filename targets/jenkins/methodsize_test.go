package jenkins

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// TestMethodEstimate holds the estimate to the measurements it comes
// from: the size of the method each Jenkinsfile's pipeline block compiles
// into, measured by compiling it through a rebuild of Declarative's and
// CPS's transforms (see methodsize.go). The estimate is within 2.5% of
// each.
func TestMethodEstimate(t *testing.T) {
	for _, c := range []struct {
		name     string
		m        func(t *testing.T) *model.Release
		measured int
	}{
		{"examples/shop", compiled("examples/shop"), 47170},
		{"examples/platform", compiled("examples/platform"), 48052},
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
		if diff := float64(got-c.measured) / float64(c.measured); diff < -0.025 || diff > 0.025 {
			t.Errorf("%s: estimate %d bytes, %+.1f%% off the %d measured", c.name, got, 100*diff, c.measured)
		}
	}
}

// TestMethodLimit renders fleets of go services around where the estimate
// crosses the limit: the Jenkinsfile carries the method limit from there
// on, with the estimate plus the margin as its size, and the class limit
// before it and whenever the controller splits scripts.
func TestMethodLimit(t *testing.T) {
	estimate := func(m *model.Release) int {
		g := newGen(m)
		stages, err := g.stages()
		if err != nil {
			t.Fatal(err)
		}
		return g.pipelineBytecode(stages) * (100 + methodMargin) / 100
	}
	var last int
	for _, n := range []int{1, 8, 9, 10, 30} {
		m := fleet(t, n)
		size := estimate(m)
		if size <= last {
			t.Errorf("%d services: estimate %d, not more than %d for fewer", n, size, last)
		}
		last = size
		f := render(t, m)
		over := size > methodLimit.Bytes
		switch {
		case over && (f.Limit != methodLimit || f.Size != size):
			t.Errorf("%d services, estimate %d: limit %q size %d, want the method limit", n, size, f.Limit.Rule, f.Size)
		case !over && f.Limit != classLimit:
			t.Errorf("%d services, estimate %d: limit %q, want the class limit", n, size, f.Limit.Rule)
		}
		if over != (n >= 10) {
			t.Errorf("%d services: estimate %d; the limit should fall between 9 and 10 services", n, size)
		}
		m.Jenkins.ScriptSplitting = true
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
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return targettest.Compile(t, dir)
}
