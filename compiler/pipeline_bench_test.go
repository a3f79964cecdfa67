package compiler_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"release-gen.dev/release-gen/cmd/release-gen/cli"
	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/internal/specgen"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/all"
	"release-gen.dev/release-gen/targets/fileset"
)

// The phases after compiling, and whole commands, on generated specs of
// each size in specgen.Sizes (the compiler's own phases are in
// phases_bench_test.go).

// benchSpec is a generated spec, its compiled release and what a build
// writes for it.
type benchSpec struct {
	dir string
	res *compiler.Result
	set fileset.Set
}

// benchSpecsOf writes and compiles a spec of each size. The spec selects
// the registered targets that can express it: a target that rejects it
// (a platform limit) is left out and logged, so that build and check run.
func benchSpecsOf(b *testing.B) map[int]*benchSpec {
	b.Helper()
	root := b.TempDir()
	out := map[int]*benchSpec{}
	for _, n := range specgen.Sizes {
		dir := filepath.Join(root, fmt.Sprint(n))
		if err := specgen.Write(dir, n); err != nil {
			b.Fatal(err)
		}
		res := compile(b, dir)
		var fit []string
		for _, t := range all.Targets {
			if c, ok := t.(targets.Checker); ok {
				if d := c.Check(res.Release); d.HasErrors(false) {
					b.Logf("%d services: target %s is left out: %v", n, t.Name(), d[0])
					continue
				}
			}
			if f := oversized(b, t, res); f != "" {
				b.Logf("%d services: target %s is left out: %s is over its platform's size limit", n, t.Name(), f)
				continue
			}
			fit = append(fit, t.Name())
		}
		if err := specgen.Write(dir, n, fit...); err != nil {
			b.Fatal(err)
		}
		// What compiling the rewritten spec gives, without compiling again.
		res.Release.Targets, res.Release.SpecTargets = fit, fit
		files, diags, err := all.Render(res.Release)
		if err != nil || diags.HasErrors(false) {
			b.Fatal(err, diags)
		}
		out[n] = &benchSpec{dir: dir, res: res, set: fileset.Set{
			Root: dir, Files: files, Targets: all.Names(), Generator: compiler.Version,
			SpecHash: fileset.SpecHash(map[string][]byte{"release.cue": specgen.CUE(n, fit...)}), GitAttributes: true,
		}}
	}
	return out
}

// oversized renders the release with t and returns the first file larger
// than its platform accepts, or "".
func oversized(b *testing.B, t targets.Target, res *compiler.Result) string {
	b.Helper()
	m := *res.Release
	m.Targets = []string{t.Name()}
	files, err := t.Render(&m)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range files {
		if f.OverLimit() {
			return f.Path
		}
	}
	return ""
}

func compile(b *testing.B, dir string) *compiler.Result {
	b.Helper()
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// sizes runs f as a sub-benchmark per spec size.
func sizes(b *testing.B, specs map[int]*benchSpec, f func(b *testing.B, s *benchSpec)) {
	for _, n := range specgen.Sizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) { f(b, specs[n]) })
	}
}

// BenchmarkRender renders the compiled release with each registered
// target, selecting it whether or not the spec does; a size the target
// cannot express (its checks fail, as for GitLab's limit on needs) is
// skipped. "all" is all.Render on the spec as written: the targets'
// checks, every selected target's render, and sorting.
func BenchmarkRender(b *testing.B) {
	specs := benchSpecsOf(b)
	for _, t := range all.Targets {
		b.Run(t.Name(), func(b *testing.B) {
			sizes(b, specs, func(b *testing.B, s *benchSpec) {
				m := *s.res.Release
				m.Targets, m.SpecTargets = []string{t.Name()}, []string{t.Name()}
				if c, ok := t.(targets.Checker); ok {
					if d := c.Check(&m); d.HasErrors(false) {
						b.Skipf("%s cannot express the spec: %v", t.Name(), d[0])
					}
				}
				for b.Loop() {
					if _, err := t.Render(&m); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
	b.Run("all", func(b *testing.B) {
		sizes(b, specs, func(b *testing.B, s *benchSpec) {
			for b.Loop() {
				if _, _, err := all.Render(s.res.Release); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkWrite writes the outputs: into an empty directory ("fresh",
// every file written and synced) and over an up-to-date tree
// ("unchanged", every file read and compared, nothing written).
func BenchmarkWrite(b *testing.B) {
	specs := benchSpecsOf(b)
	b.Run("fresh", func(b *testing.B) {
		sizes(b, specs, func(b *testing.B, s *benchSpec) {
			for b.Loop() {
				b.StopTimer()
				set := s.set
				set.Root = b.TempDir()
				b.StartTimer()
				if _, err := fileset.Write(set); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("unchanged", func(b *testing.B) {
		sizes(b, specs, func(b *testing.B, s *benchSpec) {
			if _, err := fileset.Write(s.set); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := fileset.Write(s.set); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkFilesetCheck compares an up-to-date tree with the rendered
// outputs, as check does after compiling.
func BenchmarkFilesetCheck(b *testing.B) {
	specs := benchSpecsOf(b)
	sizes(b, specs, func(b *testing.B, s *benchSpec) {
		if _, err := fileset.Write(s.set); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if d, err := fileset.Check(s.set); err != nil || len(d) > 0 {
				b.Fatal(d, err)
			}
		}
	})
}

// BenchmarkCommand runs whole commands in process, as the CLI does, on a
// tree that build has brought up to date: vet, build --full (compile,
// render and compare, with nothing to write; without --full, build takes
// check's fast path), check on its fast path (nothing changed: no CUE
// evaluation) without the cache of verified outputs, so reading every
// output as in a fresh clone, and with it, so answering from the outputs'
// statuses as on a developer's machine, and check --full (compile, render
// and compare: the cost of check after a change). Process start-up is not
// included; docs/PERFORMANCE.md measures the binary.
func BenchmarkCommand(b *testing.B) {
	b.Setenv("RELEASE_GEN_CACHE", b.TempDir())
	specs := benchSpecsOf(b)
	for _, s := range specs {
		if code := run(b, "build", s.dir); code != 0 {
			b.Fatalf("build %s: exit %d", s.dir, code)
		}
	}
	built := time.Now()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"vet", []string{"vet"}},
		{"build", []string{"build", "--full"}},
		{"check", []string{"check"}},
		{"check-cached", []string{"check"}},
		{"check-full", []string{"check", "--full"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			switch c.name {
			case "check":
				b.Setenv("RELEASE_GEN_CACHE", "off")
			case "check-cached":
				// The cache records only outputs older than its settling
				// time; the first check records them.
				time.Sleep(time.Until(built.Add(2100 * time.Millisecond)))
				for _, s := range specs {
					run(b, "check", s.dir)
				}
			}
			sizes(b, specs, func(b *testing.B, s *benchSpec) {
				for b.Loop() {
					if code := run(b, append(c.args, s.dir)...); code != 0 {
						b.Fatalf("%v: exit %d", c.args, code)
					}
				}
			})
		})
	}
}

func run(b *testing.B, args ...string) int {
	var stderr bytes.Buffer
	code := cli.Run(args, io.Discard, &stderr, os.TempDir())
	if code != 0 {
		b.Log(stderr.String())
	}
	return code
}
