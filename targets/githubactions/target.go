package githubactions

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/secret"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// Target renders the GitHub Actions workflows. The zero value is ready to
// use.
type Target struct{}

var (
	_ targets.Target  = Target{}
	_ targets.Checker = Target{}
)

// Paths of the files the target writes.
const (
	ReleasePath = ".github/workflows/release.yml"
	PromotePath = ".github/workflows/promote.yml"
)

// Name returns "github", the target's name in specs and on the command line.
func (Target) Name() string { return "github" }

// Outputs lists the two workflow files.
func (Target) Outputs() []string { return []string{PromotePath, ReleasePath} }

// Check reports what the workflows cannot express: names that GitHub does
// not accept as job ids, environment names or secret names, and canary
// intervals the deploy wait cannot be computed from.
func (Target) Check(m *model.Release) diag.List {
	if !m.HasTarget("github") {
		return nil
	}
	return check(m)
}

// Render returns release.yml and promote.yml, sorted by path, or nothing
// when m does not select the github target.
func (Target) Render(m *model.Release) ([]targets.File, error) {
	if !m.HasTarget("github") {
		return nil, nil
	}
	if m.Plan == nil {
		return nil, fmt.Errorf("internal error: github: the model has no plan")
	}
	if ds := check(m); len(ds) > 0 {
		return nil, ds.Sort()[0]
	}
	g := &gen{m: m, sec: secret.Resolve(m.Secrets)}
	release, err := g.release()
	if err != nil {
		return nil, err
	}
	promote, err := g.promote()
	if err != nil {
		return nil, err
	}
	var files []targets.File
	for _, f := range []struct {
		path string
		doc  *yaml.Node
	}{{PromotePath, promote}, {ReleasePath, release}} {
		b, err := yamlenc.Encode(f.doc)
		if err != nil {
			return nil, fmt.Errorf("internal error: github: encoding %s: %w", f.path, err)
		}
		data := append([]byte(targets.Header("#", m)), b...)
		files = append(files, targets.File{Path: f.path, Data: data, Target: "github", Limit: workflowLimit})
	}
	return files, nil
}

// workflowLimit is GitHub's limit on a workflow file: documented as 500 KB,
// measured at 512,000 bytes.
var workflowLimit = targets.SizeLimit{
	Bytes: 512_000,
	Rule:  "GitHub Actions' limit of 512,000 bytes per workflow file (a larger workflow starts no runs)",
}

// gen renders one release.
type gen struct {
	m   *model.Release
	sec secret.Names
}
