package model

import "cuelang.org/go/cue/token"

// Plan is the target-neutral pipeline: the jobs every CI target renders and
// the dependencies between them. It is computed once by the compiler, so
// that all CI targets express the same pipeline.
type Plan struct {
	// Jobs are in topological order: every job comes after the jobs it needs.
	Jobs []*Job
	// Waves groups the services that can deploy in parallel, in order.
	Waves [][]string
}

// JobsByID returns the jobs indexed by ID, for callers that look up many
// jobs (Job scans the list).
func (p *Plan) JobsByID() map[string]*Job {
	byID := make(map[string]*Job, len(p.Jobs))
	for _, j := range p.Jobs {
		byID[j.ID] = j
	}
	return byID
}

// Job returns the job with id, or nil.
func (p *Plan) Job(id string) *Job {
	for _, j := range p.Jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

// JobKind says what a job does.
type JobKind string

// Job kinds, in pipeline order.
const (
	// JobDrift runs `release-gen check` so that a stale pipeline fails.
	JobDrift JobKind = "drift"
	// JobTest runs a service's tests per toolchain version and shard.
	JobTest JobKind = "test"
	// JobBuild builds and pushes a service's image for every platform.
	JobBuild JobKind = "build"
	// JobScan scans the image, writes its SBOM and applies the license gate.
	JobScan JobKind = "scan"
	// JobSign signs the image (and attests the SBOM).
	JobSign JobKind = "sign"
	// JobApprove waits for one human approval before an environment.
	JobApprove JobKind = "approve"
	// JobDeploy deploys a service to an environment and verifies it.
	JobDeploy JobKind = "deploy"
)

// Trigger says on which events a job runs.
type Trigger string

// Triggers, from widest to narrowest.
const (
	// OnAll jobs run on pull requests, branch pushes and release tags.
	OnAll Trigger = "all"
	// OnPublish jobs run on pushes to the release branch and on release tags
	// (vX.Y.Z); they push images.
	OnPublish Trigger = "publish"
	// OnDeploy jobs run only on pushes to the release branch.
	OnDeploy Trigger = "deploy"
)

// Job is one node of the pipeline.
type Job struct {
	// ID is the job's stable id: drift, test-<svc>, build-<svc>,
	// scan-<svc>, sign-<svc>, approve-<env>, deploy-<svc>-<env>.
	ID   string
	Kind JobKind
	// Service is set for test, build, scan, sign and deploy jobs.
	Service *Service
	// Env is set for approve and deploy jobs.
	Env *Environment
	// Needs are the ids of the jobs that must succeed first, in plan order.
	Needs []string
	// Versions and Shards span the job's matrix (test jobs): one run per
	// version and shard. Shards is 1 without a test split.
	Versions []string
	Shards   int
	On       Trigger
}

// Runs returns the number of parallel runs of the job (its matrix size).
func (j *Job) Runs() int {
	n := 1
	if len(j.Versions) > 0 {
		n = len(j.Versions)
	}
	if j.Shards > 1 {
		n *= j.Shards
	}
	return n
}

// JobPos is where the spec writes what a job of m is for: its service, its
// environment, or, for the drift job, the release.
func (m *Release) JobPos(j *Job) token.Pos {
	switch {
	case j.Service != nil:
		return j.Service.Pos
	case j.Env != nil:
		return j.Env.Pos
	}
	return m.Pos
}
