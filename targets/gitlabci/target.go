package gitlabci

import (
	"fmt"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/secret"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// Target renders .gitlab-ci.yml. The zero value is ready to use.
type Target struct{}

var (
	_ targets.Target  = Target{}
	_ targets.Checker = Target{}
)

// Path is the file the target writes.
const Path = ".gitlab-ci.yml"

// name is the target's name in specs and on the command line.
const name = "gitlab"

// Name returns "gitlab", the target's name in specs and on the command line.
func (Target) Name() string { return name }

// Outputs lists the one file the target writes.
func (Target) Outputs() []string { return []string{Path} }

// Check reports what GitLab CI cannot express; see check.
func (Target) Check(m *model.Release) diag.List {
	if !m.HasTarget(name) {
		return nil
	}
	return check(m)
}

// Render returns .gitlab-ci.yml, or nothing when m does not select the
// gitlab target.
func (Target) Render(m *model.Release) ([]targets.File, error) {
	if !m.HasTarget(name) {
		return nil, nil
	}
	if m.Plan == nil {
		return nil, fmt.Errorf("internal error: gitlab: the model has no plan")
	}
	if ds := check(m); len(ds) > 0 {
		return nil, ds.Sort()[0]
	}
	g := &gen{m: m, sec: secret.Resolve(m.Secrets), jobs: m.Plan.JobsByID()}
	doc, err := g.pipeline()
	if err != nil {
		return nil, err
	}
	data, err := yamlenc.Append([]byte(targets.Header("#", m)), doc)
	if err != nil {
		return nil, fmt.Errorf("internal error: gitlab: encoding %s: %w", Path, err)
	}
	size := max(nodeSize(doc), len(data))
	return []targets.File{{Path: Path, Data: data, Target: name, Limit: configLimit, Size: size}}, nil
}

// configLimit is GitLab's limit on one CI configuration file,
// max_yaml_size_bytes (see maxYAMLSize), which counts the memory of the
// parsed YAML, the larger of the two sizes GitLab checks.
var configLimit = targets.SizeLimit{
	Bytes: maxYAMLSize,
	Unit:  "bytes of parsed YAML",
	Rule:  "GitLab's default limit of 2 MiB (2,097,152 bytes) of parsed YAML per CI configuration file (max_yaml_size_bytes, counted before extends; a larger file is refused)",
}

// gen renders one release.
type gen struct {
	m    *model.Release
	sec  secret.Names
	jobs map[string]*model.Job // the plan's jobs by ID
}
