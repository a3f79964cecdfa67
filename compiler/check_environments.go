package compiler

import (
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// environmentCheck requires environments to use distinct tag prefixes and
// namespaces, so that each environment's tags (and the retention rules on
// them) and its Kubernetes objects (Flagger canaries) stay apart.
type environmentCheck struct{}

func (environmentCheck) Name() string { return "environment" }

func (c environmentCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	var out diag.List
	seen := map[string]string{}
	for _, e := range m.Environments {
		if other, dup := seen[e.TagPrefix]; dup && e.TagPrefix != "" {
			out = append(out, diag.Errorf(e.Fields.Of("tagPrefix", e.Pos), c.Name(), "environments %q and %q both use tagPrefix %q: give each environment its own prefix", other, e.Name, e.TagPrefix))
			continue
		}
		seen[e.TagPrefix] = e.Name
	}
	namespaces := map[string]string{}
	for _, e := range m.Environments {
		if other, dup := namespaces[e.Namespace]; dup && e.Namespace != "" {
			out = append(out, diag.Errorf(e.Fields.Of("namespace", e.Pos), c.Name(), "environments %q and %q both deploy to namespace %q: give each environment its own namespace", other, e.Name, e.Namespace))
			continue
		}
		namespaces[e.Namespace] = e.Name
	}
	return out
}
