package gitlabci

import (
	"release-gen.dev/release-gen/targets/internal/secret"
	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// namedJob is a job that is not in the plan, with its GitLab name.
type namedJob struct {
	name string
	job  *job
}

// notifyJobs announce the pipeline's result in Slack when the spec asks
// for it: notify-failure runs when a job failed, notify-success when all
// succeeded. They run in the .post stage, after every other job, and not
// in merge request pipelines (their result already shows on the merge
// request).
func (g *gen) notifyJobs() []namedJob {
	s := g.m.Notify.Slack
	var out []namedJob
	for _, ev := range []struct{ event, when, status string }{
		{"failure", "on_failure", "failed"},
		{"success", "on_success", "succeeded"},
	} {
		if !s.Announces(ev.event) {
			continue
		}
		vars := append(data("SLACK_CHANNEL", s.Channel), own("STATUS", ev.status)...)
		vars = append(vars,
			ref("REPOSITORY", "$CI_PROJECT_PATH"),
			ref("REF_NAME", "$CI_COMMIT_REF_NAME"),
			ref("RUN_URL", "$CI_PIPELINE_URL"),
		)
		vars = append(vars, noCheckout...)
		vars = append(vars, passSecret(secret.SlackWebhook, g.sec.SlackWebhook)...)
		out = append(out, namedJob{"notify-" + ev.event, &job{
			Stage:       ".post",
			AfterStages: true,
			Own:         []string{"rules"},
			Rules: yamlenc.Seq(
				yamlenc.Map("if", mergeRequestRule, "when", "never"),
				yamlenc.Map("when", ev.when),
			),
			Timeout:      "5 minutes",
			Variables:    vars,
			BeforeScript: []string{apkAdd("bash", "curl", "jq")},
			Script:       []string{inBash(shell.Slack)},
		}})
	}
	return out
}
