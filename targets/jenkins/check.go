package jenkins

import (
	"regexp"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/gitref"
	"release-gen.dev/release-gen/targets/internal/shell"
)

const checkName = "jenkins"

var (
	// credentialIDRe is what Jenkins accepts as a credential id.
	credentialIDRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	// tagPrefixRe allows only what can start a docker tag.
	tagPrefixRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
)

// check returns what the Jenkinsfile cannot take from the release.
func check(m *model.Release) diag.List {
	var ds diag.List
	if !safeComment(m.SpecFile) {
		ds = append(ds, diag.Errorf(m.Pos, checkName,
			"the spec file name %q cannot be written into the Jenkinsfile's header comment: it holds a backslash or a control character", m.SpecFile))
	}
	if !gitref.ValidBranch(m.Branch) {
		ds = append(ds, diag.Errorf(m.Fields.Of("branch", m.Pos), checkName,
			"branch %q is not a valid git branch name (see git check-ref-format)", m.Branch))
	}
	seen := map[string]bool{}
	for _, id := range resolveCredentials(m.Secrets).used(m) {
		if seen[id] {
			continue
		}
		seen[id] = true
		if !credentialIDRe.MatchString(id) {
			ds = append(ds, diag.Errorf(m.Fields.Of("secrets", m.Pos), checkName,
				"%q is not a valid Jenkins credential id: use letters, digits, '_', '.' and '-'", id))
		}
	}
	for _, e := range m.Environments {
		if e.TagPrefix != "" && !tagPrefixRe.MatchString(e.TagPrefix) {
			ds = append(ds, diag.Errorf(e.Fields.Of("tagPrefix", e.Pos), checkName,
				"tagPrefix %q cannot start a docker tag: use letters, digits, '_', '.' and '-'", e.TagPrefix))
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
