package gitlabci

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// checkName names the diagnostics of this target.
const checkName = "gitlab-unsupported"

// GitLab's limits (doc/ci/yaml): jobs per parallel:matrix, needs per job,
// and job name lengths (a job others need must be shorter); jobs with an
// environment per pipeline (ci_pipeline_deployments, 500 on every plan by
// default, doc/administration/instance_limits.md).
const (
	maxMatrix       = 200
	maxNeeds        = 50
	maxJobName      = 255
	maxNeededJobLen = 128
	maxEnvURL       = 255
	maxDeployments  = 500
)

// gitlabVariable is how GitLab finds CI/CD variables in the keywords it
// expands itself, such as environment:url (lib/expand_variables.rb);
// unknown variables expand to nothing.
var gitlabVariable = regexp.MustCompile(`\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}|%[A-Za-z_][A-Za-z0-9_]*%`)

// check returns what GitLab CI cannot take from the release.
func check(m *model.Release) diag.List {
	var ds diag.List
	bad := func(pos token.Pos, format string, args ...any) {
		ds = append(ds, diag.Errorf(pos, checkName, format, args...))
	}
	if m.Branch == "" || strings.ContainsAny(m.Branch, "\"\\\n\r") {
		bad(m.Fields.Of("branch", m.Pos), "gitlab: branch %q cannot be written as a string in rules:if", m.Branch)
	}
	for _, e := range m.Environments {
		pos := e.Fields.Of("url", e.Pos)
		if v := gitlabVariable.FindString(e.URL); v != "" {
			bad(pos, "gitlab: environment %q: GitLab expands CI/CD variables in environment:url, so %q in url %q would not stay as written", e.Name, v, e.URL)
		}
		if len(e.URL) > maxEnvURL {
			bad(pos, "gitlab: environment %q: url is longer than GitLab's %d characters", e.Name, maxEnvURL)
		}
	}
	for _, p := range m.Caches.Paths {
		if strings.Contains(p, "$") {
			bad(m.Fields.Of("caches", m.Pos), "gitlab: caches.paths entry %q: GitLab Runner expands \"$\" in cache paths", p)
		}
	}
	for _, s := range m.Services {
		for _, v := range s.Versions {
			if strings.Contains(v, "$") {
				bad(s.Fields.Of("versions", s.Pos), "gitlab: service %q: toolchain version %q: a parallel:matrix value cannot hold \"$\"", s.Name, v)
			}
		}
		if c := s.Canary; c != nil {
			if _, err := shell.CanaryWaitDuration(c); err != nil {
				bad(c.Fields.Of("interval", c.Pos), "gitlab: %v", err)
			}
		}
	}
	if m.Plan != nil {
		ds = append(ds, checkPlan(m)...)
	}
	return ds
}

// checkPlan applies GitLab's limits to the jobs rendered from the plan.
// A need of a parallel:matrix job is a need of each of its jobs, and the
// limits count them so.
func checkPlan(m *model.Release) diag.List {
	var ds diag.List
	byID := m.Plan.JobsByID()
	needed := map[string]bool{}
	for _, j := range m.Plan.Jobs {
		for _, id := range j.Needs {
			needed[id] = true
		}
	}
	deployments := 0
	for _, j := range m.Plan.Jobs {
		if j.Kind == model.JobDeploy || j.Kind == model.JobApprove {
			deployments++
		}
	}
	if deployments > maxDeployments {
		ds = append(ds, diag.Errorf(m.Fields.Of("services", m.Pos), checkName,
			"gitlab: the pipeline would have %d jobs with an environment (deploys and approvals); GitLab fails a pipeline with more than %d (ci_pipeline_deployments)", deployments, maxDeployments))
	}
	for _, j := range m.Plan.Jobs {
		pos := m.JobPos(j)
		if j.Kind == model.JobTest && j.Runs() > maxMatrix {
			ds = append(ds, diag.Errorf(pos, checkName,
				"gitlab: job %s would run %d times (versions x shards); a parallel:matrix may have at most %d jobs", j.ID, j.Runs(), maxMatrix))
		}
		// An approval with more needs waits for the earlier stages instead
		// (see planJob).
		if needs := needCount(byID, j); needs > maxNeeds && j.Kind != model.JobApprove {
			ds = append(ds, diag.Errorf(pos, checkName,
				"gitlab: job %s needs %d jobs, counting each job of a parallel:matrix; a GitLab job may need at most %d", j.ID, needs, maxNeeds))
		}
		limit := maxJobName
		if needed[j.ID] || j.Kind == model.JobBuild {
			limit = maxNeededJobLen
		}
		if name := longestName(j); len(name) > limit {
			ds = append(ds, diag.Errorf(pos, checkName,
				"gitlab: job name %q is longer than the %d characters GitLab allows here", name, limit))
		}
	}
	return ds
}

// longestName is the longest name GitLab gives the job or one of its
// parallel:matrix jobs ("test-api: [22, 3]").
func longestName(j *model.Job) string {
	name := jobName(j)
	if j.Kind != model.JobTest || j.Runs() <= 1 {
		return name
	}
	version := ""
	for _, v := range j.Versions {
		if len(v) > len(version) {
			version = v
		}
	}
	values := []string{version}
	if j.Shards > 1 {
		values = append(values, strconv.Itoa(j.Shards-1))
	}
	return name + ": [" + strings.Join(values, ", ") + "]"
}

// needCount is the number of jobs GitLab counts against the needs limit for
// plan job j: each of its needs, a parallel:matrix as its number of jobs,
// plus build-<svc> for a job that reads the image digest.
func needCount(byID map[string]*model.Job, j *model.Job) int {
	needs := 0
	for _, id := range j.Needs {
		if dep := byID[id]; dep != nil {
			needs += dep.Runs()
		}
	}
	switch j.Kind {
	case model.JobScan, model.JobSign, model.JobDeploy:
		if j.Service != nil && !slices.Contains(j.Needs, "build-"+j.Service.Name) {
			needs++ // build-<svc>, for the image digest
		}
	}
	return needs
}
