package githubactions

import (
	"regexp"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/gitref"
	"release-gen.dev/release-gen/targets/internal/secret"
	"release-gen.dev/release-gen/targets/internal/shell"
)

var (
	// jobIDRe is GitHub's job id syntax.
	jobIDRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	// secretRe is GitHub's secret name syntax.
	secretRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// tagPrefixRe allows only what can start a docker tag.
	tagPrefixRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
)

const checkName = "github"

// maxMatrix is the most jobs one strategy.matrix may generate.
const maxMatrix = 256

// check returns what GitHub cannot take from the release.
func check(m *model.Release) diag.List {
	var ds diag.List
	if !gitref.ValidBranch(m.Branch) {
		ds = append(ds, diag.Errorf(m.Fields.Of("branch", m.Pos), checkName,
			"branch %q is not a valid git branch name (see git check-ref-format)", m.Branch))
	} else if strings.Contains(m.Branch, "${{") {
		ds = append(ds, diag.Errorf(m.Fields.Of("branch", m.Pos), checkName,
			"branch %q contains \"${{\", which GitHub's branch filters cannot express", m.Branch))
	}
	if m.Plan != nil {
		for _, j := range m.Plan.Jobs {
			if !jobIDRe.MatchString(j.ID) {
				ds = append(ds, diag.Errorf(m.JobPos(j), checkName,
					"job id %q is not a valid GitHub Actions job id: use letters, digits, '-' and '_'", j.ID))
			}
			if j.Kind == model.JobTest && j.Runs() > maxMatrix {
				ds = append(ds, diag.Errorf(m.JobPos(j), checkName,
					"job %s would run %d times (versions x shards); a GitHub Actions matrix may generate at most %d jobs", j.ID, j.Runs(), maxMatrix))
			}
		}
	}
	for _, e := range m.Environments {
		if len(e.Name)+len("-approval") > 255 || strings.ContainsAny(e.Name, "\x00\r\n") {
			ds = append(ds, diag.Errorf(e.Pos, checkName, "environment name %q is not a valid GitHub environment name", e.Name))
		}
		if e.TagPrefix != "" && !tagPrefixRe.MatchString(e.TagPrefix) {
			ds = append(ds, diag.Errorf(e.Fields.Of("tagPrefix", e.Pos), checkName,
				"tagPrefix %q cannot start a docker tag: use letters, digits, '_', '.' and '-'", e.TagPrefix))
		}
	}
	sec := secret.Resolve(m.Secrets)
	for _, name := range []string{sec.AWSRoleARN, sec.AWSRegion, sec.KubeConfig, sec.SlackWebhook,
		sec.RegistryUsername, sec.RegistryPassword, sec.GitOpsToken} {
		if !secretRe.MatchString(name) || strings.HasPrefix(strings.ToUpper(name), "GITHUB_") {
			ds = append(ds, diag.Errorf(m.Pos, checkName,
				"%q is not a valid GitHub secret name: use letters, digits and '_', not starting with a digit or GITHUB_", name))
		}
	}
	for _, s := range m.Services {
		if c := s.Canary; c != nil {
			if _, err := shell.CanaryWaitDuration(c); err != nil {
				ds = append(ds, diag.Errorf(c.Fields.Of("interval", c.Pos), checkName, "%v", err))
			}
		}
	}
	return ds
}
