package ecr

import (
	"fmt"
	"slices"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/ecr/lifecycle"
)

// Target renders one ECR lifecycle policy per service. The zero value is
// ready to use.
type Target struct{}

var _ targets.Target = Target{}

// Dir is the directory the policies are written to.
const Dir = "deploy/ecr/"

// Name returns "ecr", the target's name in specs and on the command line.
func (Target) Name() string { return "ecr" }

// Outputs describes the one file per service.
func (Target) Outputs() []string { return []string{Dir + "<service>.json"} }

// Render returns deploy/ecr/<service>.json for every service with at least
// one retention rule, sorted by path, or nothing when m does not select
// the ecr target. The compiler drops the target when the registry is not
// on ECR, and has checked every rule against ECR's documented limits;
// a policy that still breaks one is an internal error.
func (Target) Render(m *model.Release) ([]targets.File, error) {
	if !m.HasTarget("ecr") {
		return nil, nil
	}
	var files []targets.File
	for _, s := range m.Services {
		if len(s.Retention) == 0 {
			continue
		}
		data, err := lifecycle.Render(s.Retention)
		if err != nil {
			return nil, fmt.Errorf("internal error: ecr: service %q: %w", s.Name, err)
		}
		if n := len(s.Retention); n > lifecycle.MaxRules {
			return nil, fmt.Errorf("internal error: ecr: service %q: %d retention rules, ECR allows %d", s.Name, n, lifecycle.MaxRules)
		}
		if n := lifecycle.Length(data); n > lifecycle.MaxLength {
			return nil, fmt.Errorf("internal error: ecr: service %q: the policy is %d characters, ECR allows %d", s.Name, n, lifecycle.MaxLength)
		}
		files = append(files, targets.File{Path: Dir + s.Name + ".json", Data: data, Target: "ecr"})
	}
	slices.SortFunc(files, func(a, b targets.File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}
