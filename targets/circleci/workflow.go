package circleci

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// workflowName is the config's one workflow.
const workflowName = "release"

// releaseTag is the filter for release tags (vX.Y.Z with an optional
// pre-release suffix). CircleCI runs a job on a tag only when the job and
// every job it requires, directly or not, has a tag filter that matches.
const releaseTag = `/^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/`

// filters returns the job filters for a trigger: OnAll jobs run on every
// branch and on release tags, OnPublish jobs on the release branch and on
// release tags, OnDeploy jobs on the release branch only. A branch filter
// that is not wrapped in slashes matches the one branch of that name.
func (g *gen) filters(on model.Trigger) (*yaml.Node, error) {
	tags := obj("tags", obj("only", tmpl(releaseTag)))
	branch := obj("branches", obj("only", g.m.Branch))
	switch on {
	case model.OnAll, "":
		return tags, nil
	case model.OnPublish:
		return obj("branches", yamlenc.Get(branch, "branches"), "tags", yamlenc.Get(tags, "tags")), nil
	case model.OnDeploy:
		return branch, nil
	}
	return nil, fmt.Errorf("unknown trigger %q", on)
}

// invocation is one entry of the workflow's jobs list.
type invocation struct {
	Job         string // the job it runs; for approvals, its own name
	Name        tmpl   // the name of each matrix run
	Approval    bool
	Matrix      *yaml.Node
	Requires    []string
	Context     []string
	SerialGroup tmpl
	Filters     *yaml.Node
}

func (inv invocation) node() *yaml.Node {
	n := yamlenc.Map()
	if inv.Name != "" {
		set(n, "name", inv.Name)
	}
	if inv.Approval {
		set(n, "type", "approval")
	}
	set(n, "matrix", inv.Matrix)
	switch {
	case len(inv.Requires) > 4:
		set(n, "requires", inv.Requires)
	case len(inv.Requires) > 0:
		set(n, "requires", flowStrs(inv.Requires...))
	}
	if len(inv.Context) > 0 {
		set(n, "context", flowStrs(inv.Context...))
	}
	if inv.SerialGroup != "" {
		set(n, "serial-group", inv.SerialGroup)
	}
	set(n, "filters", inv.Filters)
	return obj(inv.Job, n)
}

// invocation returns the workflow entry of plan job pj. Its requires are
// the plan's needs: a test job's matrix runs under the alias test-<svc>,
// which other jobs require to wait for all of them.
func (g *gen) invocation(pj *model.Job) (invocation, error) {
	f, err := g.filters(pj.On)
	if err != nil {
		return invocation{}, fmt.Errorf("internal error: circleci: job %s: %w", pj.ID, err)
	}
	inv := invocation{Job: pj.ID, Requires: pj.Needs, Filters: f}
	switch pj.Kind {
	case model.JobTest:
		versions := pj.Versions
		if len(versions) == 0 {
			versions = pj.Service.Versions
		}
		if len(versions) == 0 {
			return invocation{}, fmt.Errorf("internal error: circleci: test job %s has no toolchain version", pj.ID)
		}
		inv.Name = tmpl(pj.ID + "-<< matrix.version >>")
		inv.Matrix = obj(
			"alias", pj.ID,
			"parameters", obj("version", yamlenc.Flow(strs(imageTags(pj.Service, versions)...))),
		)
	case model.JobBuild, model.JobScan, model.JobSign:
		inv.Context = []string{releaseContext(g.m)}
	case model.JobApprove:
		inv.Approval = true
		inv.Context = []string{envContext(g.m, pj.Env)}
	case model.JobDeploy:
		inv.Context = []string{releaseContext(g.m), envContext(g.m, pj.Env)}
		inv.SerialGroup = tmpl("<< pipeline.project.slug >>/" + pj.ID)
	}
	return inv, nil
}
