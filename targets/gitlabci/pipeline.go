package gitlabci

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// releaseTagRule admits pipelines for release tags: vX.Y.Z with an
// optional pre-release suffix, the same pattern the image tags follow.
const releaseTagRule = `$CI_COMMIT_TAG =~ /^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/`

// mergeRequestRule admits merge request pipelines.
const mergeRequestRule = `$CI_PIPELINE_SOURCE == "merge_request_event"`

// Stages, in pipeline order; deploy stages are per environment
// (deployStage).
const (
	stageTest  = "test"
	stageBuild = "build"
	stageScan  = "scan"
	stageSign  = "sign"
)

// deployStage holds an environment's approval and deploys.
func deployStage(e *model.Environment) string { return "deploy-" + e.Name }

// pipeline builds .gitlab-ci.yml: workflow rules, stages, defaults, the
// templates, one job per plan job, and the Slack jobs. Each job extends
// the template that holds what it shares with jobs of its kind.
func (g *gen) pipeline() (*yaml.Node, error) {
	var (
		stages []string
		jobs   []any
	)
	ts := newTemplates()
	add := func(kind, name string, j *job) {
		shared, own := j.parts()
		jobs = append(jobs, name, extend(ts.use(kind, shared), own))
	}
	for _, pj := range g.m.Plan.Jobs {
		j, err := g.planJob(pj)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(stages, j.Stage) {
			stages = append(stages, j.Stage)
		}
		add(string(pj.Kind), jobName(pj), j)
	}
	for _, n := range g.notifyJobs() {
		add("notify", n.name, n.job)
	}
	head := []any{
		"workflow", yamlenc.Map("rules", g.workflowRules()),
		"stages", yamlenc.Flow(yamlenc.Strs(stages...)),
		"default", yamlenc.Map(
			"image", dockerImage,
			"interruptible", true,
			"retry", yamlenc.Map(
				"max", 2,
				"when", yamlenc.Flow(yamlenc.Strs("runner_system_failure", "scheduler_failure", "api_failure")),
			),
		),
	}
	head = append(head, ts.nodes...)
	return yamlenc.Spaced(yamlenc.Map(append(head, jobs...)...)), nil
}

// workflowRules decide which pipelines exist: merge requests, pushes (and
// manual runs) of the release branch, and release tags. Other branches get
// no branch pipeline, so a branch with a merge request never runs twice; a
// merge request from the release branch itself is left to the release
// branch's own pipeline.
func (g *gen) workflowRules() *yaml.Node {
	return yamlenc.Seq(
		yamlenc.Map(
			"if", mergeRequestRule+` && $CI_MERGE_REQUEST_SOURCE_BRANCH_NAME == `+quoteRule(g.m.Branch)+
				` && $CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID`,
			"when", yamlenc.Comment(yamlenc.Str("never"), "the release branch pipeline covers it"),
		),
		yamlenc.Map("if", mergeRequestRule),
		yamlenc.Map("if", g.branchRule()),
		yamlenc.Map("if", releaseTagRule),
	)
}

// branchRule matches pipelines of the release branch.
func (g *gen) branchRule() string { return "$CI_COMMIT_BRANCH == " + quoteRule(g.m.Branch) }

// quoteRule writes s as a string literal of a rules:if expression. check
// rejects branch names that a literal cannot hold.
func quoteRule(s string) string { return `"` + s + `"` }

// rules are a job's rules for its trigger. OnAll jobs have none: they run
// in every pipeline the workflow admits. Jobs whose needs are excluded
// from a pipeline are excluded with them, since every job's trigger is
// narrower than or equal to its needs' (checked in planJob).
func (g *gen) rules(on model.Trigger) (*yaml.Node, error) {
	switch on {
	case model.OnAll:
		return nil, nil
	case model.OnPublish:
		return yamlenc.Seq(yamlenc.Map("if", g.branchRule()), yamlenc.Map("if", "$CI_COMMIT_TAG")), nil
	case model.OnDeploy:
		return yamlenc.Seq(yamlenc.Map("if", g.branchRule())), nil
	}
	return nil, fmt.Errorf("unknown trigger %q", on)
}

// triggerWidth orders triggers from narrowest to widest.
var triggerWidth = map[model.Trigger]int{model.OnDeploy: 0, model.OnPublish: 1, model.OnAll: 2}

// jobName is the GitLab job name of a plan job: its plan id, except deploy
// jobs, which are deploy:<service>:<env>.
func jobName(pj *model.Job) string {
	if pj.Kind == model.JobDeploy && pj.Service != nil && pj.Env != nil {
		return "deploy:" + pj.Service.Name + ":" + pj.Env.Name
	}
	return pj.ID
}

// planJob renders one plan job with its stage, needs and rules.
func (g *gen) planJob(pj *model.Job) (*job, error) {
	var (
		j   *job
		err error
	)
	switch pj.Kind {
	case model.JobDrift:
		j, err = g.driftJob()
	case model.JobTest:
		j, err = g.testJob(pj)
	case model.JobBuild:
		j, err = g.buildJob(pj)
	case model.JobScan:
		j, err = g.scanJob(pj)
	case model.JobSign:
		j, err = g.signJob(pj)
	case model.JobApprove:
		j, err = g.approveJob(pj)
	case model.JobDeploy:
		j, err = g.deployJob(pj)
	default:
		err = fmt.Errorf("unknown kind %q", pj.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("internal error: gitlab: job %s: %w", pj.ID, err)
	}
	if j.Needs, err = g.needs(pj); err != nil {
		return nil, fmt.Errorf("internal error: gitlab: job %s: %w", pj.ID, err)
	}
	if pj.Kind == model.JobApprove && needCount(g.jobs, pj) > maxNeeds {
		// More needs than GitLab allows: wait for the earlier stages
		// instead, which hold exactly the jobs the approval follows (every
		// job of the earlier environments and of the image stages).
		j.Needs, j.AfterStages = nil, true
	}
	if j.Rules == nil {
		if j.Rules, err = g.rules(pj.On); err != nil {
			return nil, fmt.Errorf("internal error: gitlab: job %s: %w", pj.ID, err)
		}
	}
	return j, nil
}

// needs maps the plan's needs to GitLab job names. A job that reads the
// image digest also needs build-<svc> directly, with its artifacts (the
// dotenv report); the sign job fetches the scan's SBOM. Every other need
// fetches no artifacts. The plan already orders build before these jobs,
// so the extra need adds no constraint.
func (g *gen) needs(pj *model.Job) ([]need, error) {
	var out []need
	for _, id := range pj.Needs {
		dep := g.jobs[id]
		if dep == nil {
			return nil, fmt.Errorf("needs unknown job %q", id)
		}
		if triggerWidth[dep.On] < triggerWidth[pj.On] {
			return nil, fmt.Errorf("runs on %q but needs %s, which runs only on %q", pj.On, id, dep.On)
		}
		out = append(out, need{job: jobName(dep)})
	}
	fetch := func(id string) {
		for i := range out {
			if out[i].job == id {
				out[i].artifacts = true
				return
			}
		}
		out = append(out, need{job: id, artifacts: true})
	}
	switch pj.Kind {
	case model.JobScan, model.JobSign, model.JobDeploy:
		fetch("build-" + pj.Service.Name)
	}
	if pj.Kind == model.JobSign && g.m.Security.SBOM && slices.Contains(pj.Needs, "scan-"+pj.Service.Name) {
		fetch("scan-" + pj.Service.Name)
	}
	return out, nil
}
