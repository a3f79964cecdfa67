package jenkins

// post writes the pipeline's post block: a Slack message on the events the
// spec announces, through the Slack Notification plugin's slackSend with
// the workspace and token of its global configuration. Pull request builds
// (CHANGE_ID set) are not announced; their result shows on the pull
// request. The channel is data; the message is built from Jenkins'
// environment at run time, never from the spec.
func (g *gen) post(w *writer) {
	s := g.m.Notify.Slack
	if g.postConditions() == 0 {
		return
	}
	w.open("post")
	for _, e := range slackEvents {
		if !s.Announces(e.condition) {
			continue
		}
		w.open(e.condition)
		w.open("script")
		w.open("if (!env.CHANGE_ID)")
		w.line("slackSend(channel: " + quote(s.Channel) + ", color: " + quote(e.color) +
			", message: " + quote("release "+e.status+": ") + " + env.JOB_NAME + ' #' + env.BUILD_NUMBER + ' ' + env.BUILD_URL)")
		w.close()
		w.close()
		w.close()
	}
	w.close()
}

// slackEvents are the build results a Slack message can announce, by
// post condition.
var slackEvents = []struct{ condition, color, status string }{
	{"failure", "danger", "failed"},
	{"success", "good", "succeeded"},
}

// postConditions counts the post conditions the pipeline announces.
func (g *gen) postConditions() int {
	n := 0
	for _, e := range slackEvents {
		if g.m.Notify.Slack.Announces(e.condition) {
			n++
		}
	}
	return n
}
