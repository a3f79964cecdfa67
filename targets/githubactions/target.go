package githubactions

import (
	"fmt"
	"slices"
	"strings"

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

// Outputs lists every workflow file the target may write, sorted: promote,
// the reusable workflow of each kind of job that release.yml calls (only
// the kinds the plan has are written), and release.yml.
func (Target) Outputs() []string {
	out := []string{PromotePath, ReleasePath}
	for _, k := range calledKinds {
		out = append(out, calledPath(k))
	}
	slices.Sort(out)
	return out
}

// Check reports what the workflows cannot express: names that GitHub does
// not accept as job ids, environment names or secret names, and canary
// intervals the deploy wait cannot be computed from.
func (Target) Check(m *model.Release) diag.List {
	if !m.HasTarget("github") {
		return nil
	}
	return check(m)
}

// Render returns promote.yml, release.yml and the reusable workflows that
// release.yml calls, sorted by path, or nothing when m does not select the
// github target.
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
	release, calls, err := g.release()
	if err != nil {
		return nil, err
	}
	promote, err := g.promote()
	if err != nil {
		return nil, err
	}
	type doc struct {
		path string
		doc  *yaml.Node
	}
	docs := []doc{{PromotePath, promote}, {ReleasePath, release}}
	for _, c := range calls {
		docs = append(docs, doc{calledPath(c.kind), c.workflow(g)})
	}
	slices.SortFunc(docs, func(a, b doc) int { return strings.Compare(a.path, b.path) })
	var files []targets.File
	for _, f := range docs {
		data, err := yamlenc.Append([]byte(targets.Header("#", m)), f.doc)
		if err != nil {
			return nil, fmt.Errorf("internal error: github: encoding %s: %w", f.path, err)
		}
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
	// reads collects the secrets the called workflow being built reads;
	// see gen.secret.
	reads *[]string
}
