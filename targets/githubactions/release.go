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

// release builds release.yml: one job per plan job, with the plan's ids,
// needs and conditions, plus a notify job when Slack announces the run's
// result. Jobs of the kinds in calledKinds call their kind's reusable
// workflow, which release returns too, in the order of calledKinds; the
// other jobs run inline.
func (g *gen) release() (*yaml.Node, []*called, error) {
	m := g.m
	branch := globEscape(m.Branch)
	byKind := map[model.JobKind][]*model.Job{}
	for _, pj := range m.Plan.Jobs {
		byKind[pj.Kind] = append(byKind[pj.Kind], pj)
	}
	var calls []*called
	callOf := map[model.JobKind]*called{}
	for _, kind := range calledKinds {
		if len(byKind[kind]) == 0 {
			continue
		}
		c, err := g.buildCalled(kind, byKind[kind])
		if err != nil {
			return nil, nil, err
		}
		calls = append(calls, c)
		callOf[kind] = c
	}
	jobs := yamlenc.Map()
	var ids []string
	for _, pj := range m.Plan.Jobs {
		needs := slices.Clone(pj.Needs)
		switch pj.Kind {
		case model.JobScan, model.JobSign, model.JobDeploy:
			needs = needBuild(needs, pj.Service)
		}
		cond, err := g.condition(pj.On)
		if err != nil {
			return nil, nil, fmt.Errorf("internal error: github: job %s: %w", pj.ID, err)
		}
		if c := callOf[pj.Kind]; c != nil {
			set(jobs, pj.ID, c.caller(pj.ID, needs, cond))
		} else {
			j, err := g.inlineJob(pj)
			if err != nil {
				return nil, nil, err
			}
			j.Needs, j.If = needs, cond
			set(jobs, pj.ID, j.node())
		}
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
	)), calls, nil
}

// inlineJob renders a plan job that release.yml runs itself.
func (g *gen) inlineJob(pj *model.Job) (*job, error) {
	switch pj.Kind {
	case model.JobDrift:
		return g.driftJob()
	case model.JobApprove:
		return g.approveJob(pj)
	}
	return nil, fmt.Errorf("internal error: github: job %s has unknown kind %q", pj.ID, pj.Kind)
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

// needBuild makes sure needs lists build-<svc>: GitHub exposes outputs
// (the image digest) only of jobs a job needs directly. The plan already
// orders build before the job, so this adds no constraint.
func needBuild(needs []string, svc *model.Service) []string {
	id := "build-" + svc.Name
	if !slices.Contains(needs, id) {
		needs = append(needs, id)
	}
	return needs
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
	dir, out := d.Dirs()
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
