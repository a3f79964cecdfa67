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
// a policy that still breaks one is an internal error. Services that
// share a retention list (the top-level one) share the bytes of its
// policy: it is rendered once.
func (Target) Render(m *model.Release) ([]targets.File, error) {
	if !m.HasTarget("ecr") {
		return nil, nil
	}
	policies := map[retentionList][]byte{}
	files := make([]targets.File, 0, len(m.Services))
	for _, s := range m.Services {
		if len(s.Retention) == 0 {
			continue
		}
		list := retentionList{&s.Retention[0], len(s.Retention)}
		data, ok := policies[list]
		if !ok {
			var err error
			if data, err = policy(s.Retention); err != nil {
				return nil, fmt.Errorf("internal error: ecr: service %q: %w", s.Name, err)
			}
			policies[list] = data
		}
		files = append(files, targets.File{Path: Dir + s.Name + ".json", Data: data, Target: "ecr"})
	}
	slices.SortFunc(files, func(a, b targets.File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// retentionList identifies a retention list by where its elements are
// stored and its length: services whose lists are one slice have equal
// keys, and equal keys mean the same rules.
type retentionList struct {
	start **model.RetentionRule
	len   int
}

// policy returns the lifecycle policy of rules, or an error when it breaks
// one of ECR's limits. Its capacity is its length, so that appending to
// one file's data cannot change another's.
func policy(rules []*model.RetentionRule) ([]byte, error) {
	data, err := lifecycle.Render(rules)
	if err != nil {
		return nil, err
	}
	if n := len(rules); n > lifecycle.MaxRules {
		return nil, fmt.Errorf("%d retention rules, ECR allows %d", n, lifecycle.MaxRules)
	}
	if n := lifecycle.Length(data); n > lifecycle.MaxLength {
		return nil, fmt.Errorf("the policy is %d characters, ECR allows %d", n, lifecycle.MaxLength)
	}
	return slices.Clip(data), nil
}
