package flagger

import (
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
	b := newBuilder(m)
	header := targets.Header("#", m)
	files := make([]targets.File, 0, len(m.Services))
	for _, s := range m.Services {
		if s.Canary == nil || len(m.Environments) == 0 {
			continue
		}
		data, err := b.file(header, s)
		if err != nil {
			return nil, err
		}
		files = append(files, targets.File{Path: Dir + s.Name + ".yaml", Data: data, Target: "flagger"})
	}
	slices.SortFunc(files, func(a, b targets.File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// file returns the file of service s: header, then the Canary of each
// environment, separated by "---" lines. The documents are written into
// one buffer, sized from the file before it.
func (b *builder) file(header string, s *model.Service) ([]byte, error) {
	docs, err := b.canaries(s)
	if err != nil {
		return nil, err
	}
	out := append(make([]byte, 0, max(b.lastSize+sizeSlack, len(header))), header...)
	for i, doc := range docs {
		if i > 0 {
			out = append(out, docSeparator...)
		}
		if out, err = yamlenc.Append(out, doc); err != nil {
			return nil, fmt.Errorf("internal error: flagger: service %q: %w", s.Name, err)
		}
	}
	b.lastSize = len(out)
	return out, nil
}

// sizeSlack is the room a file's buffer leaves beyond the size of the file
// before it, for a longer name or url, so that it is seldom grown.
const sizeSlack = 256

// docSeparator starts every YAML document of a file but the first.
const docSeparator = "---\n"
