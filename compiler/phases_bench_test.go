package compiler

import (
	"fmt"
	"path/filepath"
	"testing"

	"release-gen.dev/release-gen/compiler/internal/specgen"
	"release-gen.dev/release-gen/compiler/model"
)

// benchSpecs writes a generated spec of each size in specgen.Sizes and
// returns their directories by size.
func benchSpecs(b *testing.B) map[int]string {
	b.Helper()
	dirs := map[int]string{}
	root := b.TempDir()
	for _, n := range specgen.Sizes {
		dir := filepath.Join(root, fmt.Sprint(n))
		if err := specgen.Write(dir, n); err != nil {
			b.Fatal(err)
		}
		dirs[n] = dir
	}
	return dirs
}

// benchPhase runs a sub-benchmark per spec size. Each iteration gets a
// fresh state from setup (untimed, since CUE caches what it evaluated)
// and times run on it.
func benchPhase[T any](b *testing.B, setup func(b *testing.B, dir string) T, run func(b *testing.B, state T)) {
	dirs := benchSpecs(b)
	for _, n := range specgen.Sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				state := setup(b, dirs[n])
				b.StartTimer()
				run(b, state)
			}
		})
	}
}

func dirOnly(_ *testing.B, dir string) string { return dir }

// stage is the compiler's state after a phase.
type stage struct {
	in *Inputs
	ev *evaluated
	l  *lowerer
	m  *model.Release
}

func loaded(b *testing.B, dir string) *stage {
	in, err := FindInputs(dir)
	if err != nil {
		b.Fatal(err)
	}
	ev, diags, err := evaluate(in)
	if err != nil || ev == nil {
		b.Fatal(err, diags)
	}
	return &stage{in: in, ev: ev, l: newLowerer(ev, in.Dir)}
}

func validated(b *testing.B, dir string) *stage {
	s := loaded(b, dir)
	if d := s.l.schemaErrors(); len(d) > 0 {
		b.Fatal(d)
	}
	return s
}

func lowered(b *testing.B, dir string) *stage {
	s := validated(b, dir)
	s.m = s.l.lower()
	return s
}

func checked(b *testing.B, dir string) *stage {
	s := lowered(b, dir)
	for _, c := range checks {
		if d := c.Run(s.m, s.l.failed); d.HasErrors(false) {
			b.Fatal(d)
		}
	}
	return s
}

// BenchmarkLoad finds, parses and builds the spec's CUE instance and
// evaluates it with the schema. A spec whose services are plain data (the
// generated ones are) is unified with #Release without its per-service
// schema, validated, and its services are read and checked in Go
// (openServices); any other spec is unified with #Release.
func BenchmarkLoad(b *testing.B) {
	benchPhase(b, dirOnly, func(b *testing.B, dir string) { loaded(b, dir) })
}

// BenchmarkValidate reports the schema errors of a spec unified with
// #Release; a spec whose services were read in Go was validated by
// BenchmarkLoad, and this costs nothing.
func BenchmarkValidate(b *testing.B) {
	benchPhase(b, loaded, func(b *testing.B, s *stage) {
		if d := s.l.schemaErrors(); len(d) > 0 {
			b.Fatal(d)
		}
	})
}

// BenchmarkLower turns the evaluated spec into the model.
func BenchmarkLower(b *testing.B) {
	benchPhase(b, validated, func(_ *testing.B, s *stage) {
		unknownFields(s.ev)
		s.l.lower()
	})
}

// BenchmarkChecks runs every semantic check on the model.
func BenchmarkChecks(b *testing.B) {
	benchPhase(b, lowered, func(_ *testing.B, s *stage) {
		for _, c := range checks {
			c.Run(s.m, s.l.failed)
		}
	})
}

// BenchmarkPlan computes deploy waves and the pipeline plan.
func BenchmarkPlan(b *testing.B) {
	benchPhase(b, checked, func(_ *testing.B, s *stage) {
		resolve(s.m, s.in, Config{Dir: s.in.Dir})
	})
}

// BenchmarkCompile is every phase above: what vet costs before rendering.
func BenchmarkCompile(b *testing.B) {
	benchPhase(b, dirOnly, func(b *testing.B, dir string) {
		if _, err := Compile(Config{Dir: dir}); err != nil {
			b.Fatal(err)
		}
	})
}
