// Package all is the registry of targets and renders a release with the
// targets it selects.
package all

import (
	"fmt"
	"slices"
	"strings"
	"sync"

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

// Check runs the checks of every target the release selects: what each
// cannot express. It does not render, so it sees only the size limits a
// target can estimate without rendering (Jenkins' method limit); Render
// reports the others.
func Check(m *model.Release) diag.List {
	var diags diag.List
	for _, t := range selected(m) {
		if c, ok := t.(targets.Checker); ok {
			diags = append(diags, c.Check(m)...)
		}
	}
	return diags.Sort()
}

// Render runs the target checks and renders every target the release
// selects. When a selected target cannot express a feature of the spec,
// or renders a file larger than its platform accepts, it returns the
// diagnostics and no files. Files come back sorted by path.
func Render(m *model.Release) ([]targets.File, diag.List, error) {
	diags := Check(m)
	if diags.HasErrors(false) {
		return nil, diags, nil
	}
	files, err := renderSelected(m)
	if err != nil {
		return nil, diags, err
	}
	slices.SortFunc(files, func(a, b targets.File) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(files); i++ {
		if files[i].Path == files[i-1].Path {
			return nil, diags, fmt.Errorf("internal error: targets %s and %s both render %s", files[i-1].Target, files[i].Target, files[i].Path)
		}
	}
	sizes := checkSizes(m, files)
	diags = append(diags, sizes...).Sort()
	if sizes.HasErrors(false) {
		return nil, diags, nil
	}
	return files, diags, nil
}

// renderSelected renders the selected targets and returns their files in
// registry order, or the error of the first target in that order that
// failed. The targets in renderAside render on goroutines of their own
// while the others render one after another: targets only read the model
// (TestRenderShared runs them side by side under the race detector).
func renderSelected(m *model.Release) ([]targets.File, error) {
	sel := selected(m)
	rendered := make([][]targets.File, len(sel))
	errs := make([]error, len(sel))
	var wg sync.WaitGroup
	for i, t := range sel {
		if slices.Contains(renderAside, t.Name()) {
			wg.Go(func() { rendered[i], errs[i] = t.Render(m) })
		}
	}
	for i, t := range sel {
		if !slices.Contains(renderAside, t.Name()) {
			rendered[i], errs[i] = t.Render(m)
		}
	}
	wg.Wait()
	var files []targets.File
	for i, t := range sel {
		if errs[i] != nil {
			return nil, fmt.Errorf("internal error: target %s: %w", t.Name(), errs[i])
		}
		files = append(files, rendered[i]...)
	}
	return files, nil
}

// renderAside names the targets that render beside the others. The
// Jenkinsfile is the slowest output of a large spec to render (5.7 MB at
// 1000 services) and is written straight into one buffer, so rendering it
// beside the others costs little memory: 1 MB more at 1000 services, for
// 8 ms less. The YAML targets build document trees first; rendering them
// side by side raised the peak memory of a 150-service build with every
// target from 43 to 73 MB, so they render one at a time.
var renderAside = []string{jenkins.Target{}.Name()}

// selected returns the registered targets the release selects, in
// registry order.
func selected(m *model.Release) []targets.Target {
	var out []targets.Target
	for _, t := range Targets {
		if m.HasTarget(t.Name()) {
			out = append(out, t)
		}
	}
	return out
}

// checkSizes reports each file larger than its platform's limit, as an
// error at the spec's services, whose number is what makes the files
// grow.
func checkSizes(m *model.Release, files []targets.File) diag.List {
	var ds diag.List
	at := m.Fields.Of("services", m.Pos)
	for _, f := range files {
		if f.OverLimit() {
			ds = append(ds, diag.Errorf(at, "output-size", "%s", f.Limit.Refusal(f.Target, f.Path, f.Measured(), len(m.Services))))
		}
	}
	return ds
}
