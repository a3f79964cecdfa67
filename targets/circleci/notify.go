package circleci

import (
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
)

// notifyID is the workflow job that announces a successful release.
const notifyID = "notify"

// notifyJob announces success in Slack when the spec asks for it. It needs
// the jobs at the ends of the plan, so it runs once all of them succeeded,
// which happens on the release branch only; failures are announced by the
// failing job itself (the notify-failure command).
func (g *gen) notifyJob() *job {
	if !g.m.Notify.Slack.Announces("success") {
		return nil
	}
	return &job{
		Executor: g.executor(baseExecutor, nil),
		Steps:    []*yaml.Node{g.slackStep("succeeded", "")},
	}
}

// leaves are the plan jobs no other job needs, in plan order.
func leaves(p *model.Plan) []string {
	needed := map[string]bool{}
	for _, j := range p.Jobs {
		for _, n := range j.Needs {
			needed[n] = true
		}
	}
	var out []string
	for _, j := range p.Jobs {
		if !needed[j.ID] {
			out = append(out, j.ID)
		}
	}
	return out
}
