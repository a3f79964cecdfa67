package renovate

import (
	"fmt"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// Target renders renovate.json. The zero value is ready to use.
type Target struct{}

var (
	_ targets.Target  = Target{}
	_ targets.Checker = Target{}
)

// Path is the file the target writes.
const Path = "renovate.json"

// Name returns "renovate", the target's name in specs and on the command
// line.
func (Target) Name() string { return "renovate" }

// Outputs lists renovate.json.
func (Target) Outputs() []string { return []string{Path} }

// Check reports schedules Renovate rejects, and warns about schedules,
// output locations and spec paths that work less well than intended.
func (Target) Check(m *model.Release) diag.List {
	if !m.HasTarget("renovate") {
		return nil
	}
	return check(m)
}

// Render returns renovate.json, or nothing when m does not select the
// renovate target.
func (Target) Render(m *model.Release) ([]targets.File, error) {
	if !m.HasTarget("renovate") {
		return nil, nil
	}
	for _, d := range check(m) {
		if d.Severity == diag.Error {
			return nil, d
		}
	}
	data, err := encode(build(m))
	if err != nil {
		return nil, fmt.Errorf("internal error: renovate: %w", err)
	}
	return []targets.File{{Path: Path, Data: data, Target: "renovate"}}, nil
}
