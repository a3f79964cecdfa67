package flagger

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// Target renders one Canary file per service with a canary. The zero value
// is ready to use.
type Target struct{}

var (
	_ targets.Target  = Target{}
	_ targets.Checker = Target{}
)

// Dir is the directory the Canary files are written to.
const Dir = "deploy/flagger/"

// Name returns "flagger", the target's name in specs and on the command line.
func (Target) Name() string { return "flagger" }

// Outputs describes the one file per service with a canary.
func (Target) Outputs() []string { return []string{Dir + "<service>.yaml"} }

// Check reports canary providers the target cannot render, and warns where
// provider kubernetes turns the spec's weights into blue/green iterations.
func (Target) Check(m *model.Release) diag.List {
	if !m.HasTarget("flagger") {
		return nil
	}
	return check(m)
}

// Render returns deploy/flagger/<service>.yaml for every service with a
// canary, sorted by path, or nothing when m does not select the flagger
// target. Each file holds one Canary per environment.
func (Target) Render(m *model.Release) ([]targets.File, error) {
	if !m.HasTarget("flagger") {
		return nil, nil
	}
	for _, d := range check(m) {
		if d.Severity == diag.Error {
			return nil, d
		}
	}
	var files []targets.File
	for _, s := range m.Services {
		if s.Canary == nil || len(m.Environments) == 0 {
			continue
		}
		var b bytes.Buffer
		b.WriteString(targets.Header("#", m))
		for i, e := range m.Environments {
			doc, err := canary(m, s, e)
			if err != nil {
				return nil, err
			}
			data, err := yamlenc.Encode(doc)
			if err != nil {
				return nil, fmt.Errorf("internal error: flagger: service %q: %w", s.Name, err)
			}
			if i > 0 {
				b.WriteString("---\n")
			}
			b.Write(data)
		}
		files = append(files, targets.File{Path: Dir + s.Name + ".yaml", Data: b.Bytes(), Target: "flagger"})
	}
	slices.SortFunc(files, func(a, b targets.File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}
