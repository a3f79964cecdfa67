package githubactions

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// releaseTagFilter is the push filter for release tags (vX.Y.Z).
const releaseTagFilter = "v*.*.*"

// release builds release.yml: one job per plan job, with the plan's ids
// and needs, plus a notify job when Slack announces the run's result.
func (g *gen) release() (*yaml.Node, error) {
	m := g.m
	branch := globEscape(m.Branch)
	jobs := yamlenc.Map()
	var ids []string
	for _, pj := range m.Plan.Jobs {
		j, err := g.planJob(pj)
		if err != nil {
			return nil, err
		}
		set(jobs, pj.ID, j.node())
		ids = append(ids, pj.ID)
	}
	if n := g.notifyJob(ids); n != nil {
		set(jobs, "notify", n.node())
	}
	return yamlenc.Spaced(obj(
		"name", "release",
		"on", obj(
			"push", obj("branches", unevaluated(branch), "tags", unevaluated(releaseTagFilter)),
			"pull_request", obj("branches", unevaluated(branch)),
			"workflow_dispatch", yamlenc.Map(),
		),
		"permissions", obj("contents", "read"),
		"concurrency", obj("group", expr("release-${{ github.ref }}"), "cancel-in-progress", false),
		"defaults", obj("run", obj("shell", "bash")),
		"jobs", yamlenc.Spaced(jobs),
	)), nil
}

// planJob renders one plan job.
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
		return nil, fmt.Errorf("internal error: github: job %s has unknown kind %q", pj.ID, pj.Kind)
	}
	if err != nil {
		return nil, err
	}
	j.Needs = slices.Clone(pj.Needs)
	switch pj.Kind {
	case model.JobScan, model.JobSign, model.JobDeploy:
		needBuild(j, pj.Service)
	}
	if j.If, err = g.condition(pj.On); err != nil {
		return nil, fmt.Errorf("internal error: github: job %s: %w", pj.ID, err)
	}
	return j, nil
}

// condition is the job-level if: for a trigger. Without a status function
// GitHub also requires every needed job to have succeeded, so a job whose
// needs were skipped is skipped too.
func (g *gen) condition(on model.Trigger) (expr, error) {
	branchRef := exprString("refs/heads/" + g.m.Branch)
	switch on {
	case model.OnAll, "":
		return "", nil
	case model.OnPublish:
		return expr("github.event_name != 'pull_request' && (github.ref == " + branchRef +
			" || startsWith(github.ref, 'refs/tags/v'))"), nil
	case model.OnDeploy:
		return expr("github.event_name != 'pull_request' && github.ref == " + branchRef), nil
	}
	return "", fmt.Errorf("unknown trigger %q", on)
}

// needBuild makes sure job j lists build-<svc> among its needs: GitHub
// exposes outputs (the image digest) only of jobs a job needs directly.
// The plan already orders build before j, so this adds no constraint.
func needBuild(j *job, svc *model.Service) {
	id := "build-" + svc.Name
	if !slices.Contains(j.Needs, id) {
		j.Needs = append(j.Needs, id)
	}
}

// digestOf is the expression of the image digest build-<svc> pushed.
func digestOf(svc *model.Service) string {
	return "${{ needs.build-" + svc.Name + ".outputs.digest }}"
}

// driftJob fails when the committed pipeline files are not what the spec
// compiles to. It runs release-gen with the runner's preinstalled Go
// (go run fetches the toolchain the module needs), so that no unpinned
// setup action is involved.
func (g *gen) driftJob() (*job, error) {
	d := g.m.Drift
	if d.Install == "" {
		return nil, fmt.Errorf("internal error: github: the drift job has no release-gen module to run")
	}
	dir, out := d.Dir, d.Out
	if dir == "" {
		dir = "."
	}
	if out == "" {
		out = dir
	}
	return &job{
		Timeout:     15,
		Permissions: perms{}.with("contents", "read"),
		Steps: []step{
			checkout(),
			{
				Name: "Check that the generated files are up to date",
				Env:  env("RELEASE_GEN", d.Install, "SPEC_DIR", dir, "OUT_DIR", out, "GOTOOLCHAIN", "auto"),
				Run:  `go run "$RELEASE_GEN" check --format github --out "$OUT_DIR" "$SPEC_DIR"` + "\n",
			},
		},
	}, nil
}
