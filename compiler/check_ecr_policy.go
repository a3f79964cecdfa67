package compiler

import (
	"slices"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// ecrPolicyCheck warns about a service that gets no lifecycle policy
// although policies are generated: its retention list is empty, so the ecr
// target writes no deploy/ecr/<service>.json and its repository keeps
// every image.
type ecrPolicyCheck struct{}

func (ecrPolicyCheck) Name() string { return "ecr-policy" }

func (c ecrPolicyCheck) Run(m *model.Release, failed map[string]bool) diag.List {
	if !ecrPolicies(m, failed) || failed["retention"] {
		return nil
	}
	var out diag.List
	for _, s := range m.Services {
		if failed["services."+s.Name] || len(s.Retention) > 0 {
			continue
		}
		out = append(out, diag.Warnf(s.Fields.Of("retention", s.Pos), c.Name(),
			"service %q has no retention rules, so the ecr target writes no lifecycle policy for it and its repository keeps every image; give it retention rules (its own or the top-level list), or remove \"ecr\" from targets",
			s.Name))
	}
	return out
}

// ecrPolicies reports whether the spec generates ECR lifecycle policies:
// it selects the ecr target and its registry is on ECR (otherwise the
// target is skipped with the ecr-registry warning).
func ecrPolicies(m *model.Release, failed map[string]bool) bool {
	if failed["targets"] || failed["registry"] || !slices.Contains(m.Targets, "ecr") {
		return false
	}
	reg, err := parseRegistry(m.Registry.Host)
	return err == nil && reg.Kind == model.RegistryECR
}
