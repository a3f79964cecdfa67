package circleci

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/secret"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// Target renders .circleci/config.yml. The zero value is ready to use.
type Target struct{}

var (
	_ targets.Target  = Target{}
	_ targets.Checker = Target{}
)

// ConfigPath is the file the target writes.
const ConfigPath = ".circleci/config.yml"

// name is the target's name in specs, on the command line and in
// diagnostics.
const name = "circleci"

// Name returns "circleci", the target's name in specs and on the command
// line.
func (Target) Name() string { return name }

// Outputs lists the one file the target writes.
func (Target) Outputs() []string { return []string{ConfigPath} }

// Check reports what the config cannot express: ids that are not CircleCI
// job names, values CircleCI's "<<" templating cannot carry, secret names
// that the config's own variables would shadow, and canary intervals the
// deploy wait cannot be computed from. It warns about Node.js versions
// that name no convenience image.
func (Target) Check(m *model.Release) diag.List {
	if !m.HasTarget(name) {
		return nil
	}
	return check(m)
}

// Render returns .circleci/config.yml, or nothing when m does not select
// the circleci target.
func (Target) Render(m *model.Release) ([]targets.File, error) {
	if !m.HasTarget(name) {
		return nil, nil
	}
	if m.Plan == nil {
		return nil, fmt.Errorf("internal error: circleci: the model has no plan")
	}
	for _, d := range check(m).Sort() {
		if d.Severity == diag.Error {
			return nil, d
		}
	}
	g := &gen{m: m, sec: secret.Resolve(m.Secrets), used: map[string]bool{}}
	doc, err := g.config()
	if err != nil {
		return nil, err
	}
	b, err := yamlenc.Encode(doc)
	if err != nil {
		return nil, fmt.Errorf("internal error: circleci: encoding %s: %w", ConfigPath, err)
	}
	head := targets.Header("#", m)
	if strings.Contains(string(b), escapedOpen) {
		head += `# CircleCI reads "\<<" below as a literal "<<", not as the start of a parameter.` + "\n"
	}
	return []targets.File{{Path: ConfigPath, Data: append([]byte(head), b...), Target: name, Limit: configLimit}}, nil
}

// configLimit is CircleCI's limit on a compiled configuration, 8 MB; the
// generated config uses no orbs or anchors, so compiling it adds little.
var configLimit = targets.SizeLimit{
	Bytes: 8_000_000,
	Rule:  "CircleCI's limit of 8 MB per compiled configuration (a larger one is refused)",
}

// gen renders one release.
type gen struct {
	m   *model.Release
	sec secret.Names
	// used records the executors and commands the jobs use, so that the
	// config defines no others.
	used map[string]bool
}
