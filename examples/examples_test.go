// Package examples holds complete release specs with their generated
// outputs committed; the test keeps those outputs honest.
package examples

import (
	"bytes"
	"path/filepath"
	"testing"

	"release-gen.dev/release-gen/cmd/release-gen/cli"
)

// TestCommittedOutputsAreCurrent fails when an example's committed outputs
// are not what the spec compiles to (run `make example` and commit). It
// covers every example and the adversarial spec in testdata/hostile, and
// runs the full comparison (`check --full`), not the manifest fast path.
func TestCommittedOutputsAreCurrent(t *testing.T) {
	specs, err := filepath.Glob("*/release.*")
	if err != nil {
		t.Fatal(err)
	}
	specs = append(specs, filepath.Join("..", "testdata", "hostile", "release.cue"))
	if len(specs) < 3 {
		t.Fatalf("expected at least two examples and the hostile spec, found %v", specs)
	}
	wd, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		dir := filepath.Dir(spec)
		t.Run(dir, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := cli.Run([]string{"check", "--full", dir}, &stdout, &stderr, wd); code != 0 {
				t.Errorf("release-gen check %s exited %d: run `make example` and commit\n%s%s", dir, code, stderr.String(), stdout.String())
			}
		})
	}
}
