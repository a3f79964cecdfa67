package compiler

import (
	"slices"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// matrixLanguageCheck rejects a top-level matrix.versions that would apply
// to services of different toolchains: "20" means nothing to a Go service.
type matrixLanguageCheck struct{}

func (matrixLanguageCheck) Name() string { return "matrix-language" }

func (c matrixLanguageCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	if len(m.MatrixVersions) == 0 {
		return nil
	}
	var langs []string
	inherits := false
	for _, s := range m.Services {
		if _, own := s.Fields["versions"]; own || s.Toolchain.Language == "generic" {
			continue
		}
		inherits = true
		if !slices.Contains(langs, s.Toolchain.Language) {
			langs = append(langs, s.Toolchain.Language)
		}
	}
	if !inherits || len(langs) < 2 {
		return nil
	}
	slices.Sort(langs)
	return diag.List{diag.Errorf(m.Fields.Of("matrix", m.Pos), c.Name(), "matrix.versions applies to services of several languages (%s): set versions on each service instead", strings.Join(langs, ", "))}
}
