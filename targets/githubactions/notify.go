package githubactions

import "release-gen.dev/release-gen/targets/internal/shell"

// notifyJob announces the run's result in Slack when the spec asks for it.
// It needs every other job, so it runs last; pull-request runs are not
// announced (their checks already show on the pull request).
func (g *gen) notifyJob(needs []string) *job {
	s := g.m.Notify.Slack
	failure, success := s.Announces("failure"), s.Announces("success")
	var cond expr
	switch {
	case failure && success:
		cond = "!cancelled() && github.event_name != 'pull_request'"
	case failure:
		cond = "failure() && github.event_name != 'pull_request'"
	case success:
		cond = "success() && github.event_name != 'pull_request'"
	default:
		return nil
	}
	return &job{
		Needs:       needs,
		If:          cond,
		Timeout:     5,
		Permissions: perms{},
		Steps: []step{{
			Name: "Notify Slack",
			Env: env(
				"SLACK_WEBHOOK_URL", secretExpr(g.sec.SlackWebhook),
				"SLACK_CHANNEL", s.Channel,
				"STATUS", expr("${{ contains(needs.*.result, 'failure') && 'failed' || 'succeeded' }}"),
				"REPOSITORY", expr("${{ github.repository }}"),
				"REF_NAME", expr("${{ github.ref_name }}"),
				"RUN_URL", expr("${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"),
			),
			Run: shell.Slack,
		}},
	}
}
