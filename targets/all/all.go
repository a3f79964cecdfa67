// Package all is the registry of targets and renders a release with the
// targets it selects.
package all

import (
	"fmt"
	"slices"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/circleci"
	"release-gen.dev/release-gen/targets/ecr"
	"release-gen.dev/release-gen/targets/flagger"
	"release-gen.dev/release-gen/targets/githubactions"
	"release-gen.dev/release-gen/targets/gitlabci"
	"release-gen.dev/release-gen/targets/jenkins"
	"release-gen.dev/release-gen/targets/renovate"
)

// Targets lists every backend in the order `release-gen targets` shows
// them. Adding a target means adding one line here.
var Targets = []targets.Target{
	githubactions.Target{}, // .github/workflows/release.yml, promote.yml
	gitlabci.Target{},      // .gitlab-ci.yml
	jenkins.Target{},       // Jenkinsfile
	circleci.Target{},      // .circleci/config.yml
	ecr.Target{},           // deploy/ecr/<service>.json
	flagger.Target{},       // deploy/flagger/<service>.yaml
	renovate.Target{},      // renovate.json
}

// Names returns the names of all registered targets.
func Names() []string {
	out := make([]string, len(Targets))
	for i, t := range Targets {
		out[i] = t.Name()
	}
	return out
}

// Lookup returns the registered target called name, or nil.
func Lookup(name string) targets.Target {
	for _, t := range Targets {
		if t.Name() == name {
			return t
		}
	}
	return nil
}

// Render runs the target checks and renders every target the release
// selects. When a selected target cannot express a feature of the spec,
// it returns the diagnostics and no files. Files come back sorted by path.
func Render(m *model.Release) ([]targets.File, diag.List, error) {
	var selected []targets.Target
	for _, t := range Targets {
		if m.HasTarget(t.Name()) {
			selected = append(selected, t)
		}
	}
	var diags diag.List
	for _, t := range selected {
		if c, ok := t.(targets.Checker); ok {
			diags = append(diags, c.Check(m)...)
		}
	}
	if diags.HasErrors(false) {
		return nil, diags.Sort(), nil
	}
	var files []targets.File
	for _, t := range selected {
		fs, err := t.Render(m)
		if err != nil {
			return nil, diags, fmt.Errorf("internal error: target %s: %w", t.Name(), err)
		}
		files = append(files, fs...)
	}
	slices.SortFunc(files, func(a, b targets.File) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(files); i++ {
		if files[i].Path == files[i-1].Path {
			return nil, diags, fmt.Errorf("internal error: targets %s and %s both render %s", files[i-1].Target, files[i].Target, files[i].Path)
		}
	}
	return files, diags.Sort(), nil
}
