// Package examples holds complete release specs with their generated
// outputs committed; the test keeps those outputs honest.
package examples

import (
	"path/filepath"
	"testing"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/targets/all"
	"release-gen.dev/release-gen/targets/fileset"
)

// TestCommittedOutputsAreCurrent fails when an example's committed outputs
// are not what the spec compiles to (run `make example` and commit). It
// covers every example and the adversarial spec in testdata/hostile.
func TestCommittedOutputsAreCurrent(t *testing.T) {
	dirs, err := filepath.Glob("*/release.*")
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, filepath.Join("..", "testdata", "hostile", "release.cue"))
	if len(dirs) < 3 {
		t.Fatalf("expected at least two examples and the hostile spec, found %v", dirs)
	}
	for _, spec := range dirs {
		dir := filepath.Dir(spec)
		t.Run(dir, func(t *testing.T) {
			res, err := compiler.Compile(compiler.Config{Dir: dir})
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			files, diags, err := all.Render(res.Release)
			if err != nil || diags.HasErrors(false) {
				t.Fatalf("render: %v %v", err, diags)
			}
			inputs, err := res.Inputs.Read()
			if err != nil {
				t.Fatal(err)
			}
			drifts, err := fileset.Check(fileset.Set{
				Root: dir, Files: files, Targets: all.Names(), Generator: compiler.Version,
				SpecHash: fileset.SpecHash(inputs), GitAttributes: res.Release.GitAttributes,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range drifts {
				t.Errorf("%s/%s is %s: run `make example` and commit\n%s", dir, d.Path, d.Kind, d.Diff)
			}
		})
	}
}
