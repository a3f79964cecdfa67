package compiler

import (
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// registryCheck requires the registry to be a valid image repository prefix.
type registryCheck struct{}

func (registryCheck) Name() string { return "registry" }

func (c registryCheck) Run(m *model.Release, failed map[string]bool) diag.List {
	if failed["registry"] {
		return nil
	}
	if _, err := parseRegistry(m.Registry.Host); err != nil {
		return diag.List{diag.Errorf(m.Fields.Of("registry", m.Pos), c.Name(), "%s", err.Error())}
	}
	return nil
}
