package jenkins

import (
	"fmt"
	"strconv"

	"release-gen.dev/release-gen/compiler/model"
)

// Limits of the pipeline.
const (
	// keepBuilds is how many builds (with their logs, test results and
	// SBOMs) Jenkins keeps per branch.
	keepBuilds = 30
	// keepStashes is how many builds keep their stashes, so that a stage
	// can be restarted ("Restart from Stage") with the images of its run.
	keepStashes = 5
)

// stages returns the top-level stages in an order the plan allows:
// drift and each service's test matrix; then, in parallel per service, its
// build, scan and sign; then per environment its approval and its deploys,
// wave by wave, the services of a wave in parallel.
//
// Declarative Pipeline runs stages in sequence and has no job graph, and a
// matrix cannot sit inside parallel, so the test matrices run one after
// the other. verifyOrder checks the result against every need of the plan.
func (g *gen) stages() ([]*stage, error) {
	var (
		out     []*stage
		publish []*stage // one sequence per service: build, scan, sign
		chain   = map[string]*stage{}
		later   []*model.Job
	)
	for _, j := range g.m.Plan.Jobs {
		switch j.Kind {
		case model.JobDrift:
			s, err := g.driftStage(j)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		case model.JobTest:
			s, err := g.testStage(j)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		case model.JobBuild, model.JobScan, model.JobSign:
			s, err := g.publishStage(j)
			if err != nil {
				return nil, err
			}
			c := chain[j.Service.Name]
			if c == nil {
				c = &stage{name: "Publish " + j.Service.Name, agent: true}
				chain[j.Service.Name] = c
				publish = append(publish, c)
			}
			c.stages = append(c.stages, s)
		case model.JobApprove, model.JobDeploy:
			later = append(later, j)
		default:
			return nil, fmt.Errorf("internal error: jenkins: job %s has unknown kind %q", j.ID, j.Kind)
		}
	}
	if len(publish) > 0 {
		out = append(out, &stage{name: "Publish", when: g.gate(model.OnPublish), parallel: publish})
	}
	rest, err := g.deliveryStages(later)
	if err != nil {
		return nil, err
	}
	out = append(out, rest...)
	if err := verifyOrder(out, g.m.Plan); err != nil {
		return nil, err
	}
	return out, nil
}

// deliveryStages renders the approval and deploy jobs, in plan order,
// with each run of deploys to one environment grouped by wave.
func (g *gen) deliveryStages(jobs []*model.Job) ([]*stage, error) {
	var out []*stage
	for i := 0; i < len(jobs); {
		j := jobs[i]
		if j.Kind == model.JobApprove {
			s, err := g.approveStage(j)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			i++
			continue
		}
		n := i + 1
		for n < len(jobs) && jobs[n].Kind == model.JobDeploy && jobs[n].Env == j.Env {
			n++
		}
		s, err := g.deployStages(jobs[i:n])
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
		i = n
	}
	return out, nil
}

// gate is the when condition of a trigger: none for model.OnAll; the
// release branch or a release tag for model.OnPublish; the release branch
// for model.OnDeploy. Pull request builds (BRANCH_NAME "PR-<n>") match
// neither.
func (g *gen) gate(on model.Trigger) *when {
	switch on {
	case model.OnPublish:
		return &when{branch: g.m.Branch, releaseTags: true}
	case model.OnDeploy:
		return &when{branch: g.m.Branch}
	}
	return nil
}

// pipeline writes the pipeline block.
func (g *gen) pipeline(w *writer, stages []*stage) {
	w.open("pipeline")
	w.line("agent none")
	w.open("options")
	w.line("timeout(time: " + strconv.Itoa(totalMinutes(stages)) + ", unit: 'MINUTES')")
	w.line("disableConcurrentBuilds()")
	w.line("timestamps()")
	w.line("buildDiscarder(logRotator(numToKeepStr: " + quote(strconv.Itoa(keepBuilds)) + "))")
	w.line("preserveStashes(buildCount: " + strconv.Itoa(keepStashes) + ")")
	w.line("skipStagesAfterUnstable()")
	w.close()
	writeStages(w, "stages", stages)
	g.post(w)
	w.close()
}

// totalMinutes is the pipeline's time limit: the longest path through the
// stage limits, waiting for approvals included.
func totalMinutes(stages []*stage) int {
	n := 0
	for _, s := range stages {
		n += stageMinutes(s)
	}
	return n
}

func stageMinutes(s *stage) int {
	switch {
	case len(s.parallel) > 0:
		most := 0
		for _, p := range s.parallel {
			most = max(most, stageMinutes(p))
		}
		return s.timeout.minutes() + most
	case len(s.stages) > 0:
		return s.timeout.minutes() + totalMinutes(s.stages)
	case s.matrix != nil:
		return s.timeout.minutes() + totalMinutes(s.matrix.stages)
	}
	return s.timeout.minutes()
}
