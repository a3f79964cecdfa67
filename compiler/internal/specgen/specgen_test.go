package specgen_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/internal/specgen"
)

// TestCompiles compiles generated specs: they are valid, deterministic,
// and deploy in a handful of waves whatever their size.
func TestCompiles(t *testing.T) {
	for _, n := range []int{1, 4, 7, 100} {
		if !bytes.Equal(specgen.CUE(n), specgen.CUE(n)) {
			t.Fatalf("%d services: output differs between runs", n)
		}
		dir := filepath.Join(t.TempDir(), "spec")
		if err := specgen.Write(dir, n); err != nil {
			t.Fatal(err)
		}
		res, err := compiler.Compile(compiler.Config{Dir: dir})
		if err != nil {
			if se, ok := err.(*compiler.SpecError); ok {
				for _, d := range se.Diagnostics {
					t.Log(d.Error())
				}
			}
			t.Fatalf("%d services: %v", n, err)
		}
		m := res.Release
		if len(m.Services) != n {
			t.Errorf("%d services: compiled %d", n, len(m.Services))
		}
		if w := len(m.Plan.Waves); w > 6 || (n >= 6 && w < 3) {
			t.Errorf("%d services: %d waves", n, w)
		}
		var canaries, overrides int
		for _, s := range m.Services {
			if s.Canary != nil {
				canaries++
			}
			if len(s.Retention) > 0 && s.Retention[0] != m.Retention[0] {
				overrides++
			}
		}
		if n >= 100 && (canaries == 0 || canaries == n || overrides == 0) {
			t.Errorf("%d services: %d canaries, %d retention overrides", n, canaries, overrides)
		}
	}
}
