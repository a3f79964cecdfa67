package circleci

import (
	"fmt"

	"release-gen.dev/release-gen/compiler/model"
)

// driftJob fails when the committed pipeline files are not what the spec
// compiles to. It runs release-gen with go run in cimg/go; GOTOOLCHAIN=auto
// fetches the toolchain the module needs.
func (g *gen) driftJob(*model.Job) (*job, error) {
	d := g.m.Drift
	if d.Install == "" {
		return nil, fmt.Errorf("internal error: circleci: the drift job has no release-gen module to run")
	}
	dir, out := d.Dirs()
	return &job{
		Executor: g.executor("go", driftGo),
		Env:      env("RELEASE_GEN", d.Install, "SPEC_DIR", dir, "OUT_DIR", out, "GOTOOLCHAIN", "auto"),
		Steps: g.finish(
			builtin("checkout"),
			run{
				Name:    "Check that the generated files are up to date",
				Command: `go run "$RELEASE_GEN" check --out "$OUT_DIR" "$SPEC_DIR"` + "\n",
			}.node(),
		),
	}, nil
}
