package circleci

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// config builds the whole document: one job per plan job (approvals are
// workflow entries only), with the plan's ids, and one workflow whose
// requires are the plan's needs.
func (g *gen) config() (*yaml.Node, error) {
	jobs := yamlenc.Map()
	entries := yamlenc.Seq()
	for _, pj := range g.m.Plan.Jobs {
		if pj.Kind != model.JobApprove {
			j, err := g.planJob(pj)
			if err != nil {
				return nil, err
			}
			set(jobs, pj.ID, j.node())
		}
		inv, err := g.invocation(pj)
		if err != nil {
			return nil, err
		}
		entries.Content = append(entries.Content, inv.node())
	}
	if n := g.notifyJob(); n != nil {
		set(jobs, notifyID, n.node())
		entries.Content = append(entries.Content, invocation{
			Job:      notifyID,
			Requires: leaves(g.m.Plan),
			Filters:  obj("branches", obj("only", g.m.Branch)),
		}.node())
	}
	return yamlenc.Spaced(obj(
		"version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: "2.1"},
		"executors", yamlenc.Spaced(g.executors()),
		"commands", yamlenc.Spaced(g.commands()),
		"jobs", yamlenc.Spaced(jobs),
		"workflows", obj(workflowName, obj("jobs", entries)),
	)), nil
}

// planJob renders the job definition of one plan job.
func (g *gen) planJob(pj *model.Job) (*job, error) {
	switch pj.Kind {
	case model.JobDrift:
		return g.driftJob(pj)
	case model.JobTest:
		return g.testJob(pj)
	case model.JobBuild:
		return g.buildJob(pj)
	case model.JobScan:
		return g.scanJob(pj)
	case model.JobSign:
		return g.signJob(pj)
	case model.JobDeploy:
		return g.deployJob(pj)
	}
	return nil, fmt.Errorf("internal error: circleci: job %s has unknown kind %q", pj.ID, pj.Kind)
}
