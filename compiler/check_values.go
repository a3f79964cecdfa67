package compiler

import (
	"regexp"
	"strings"

	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// Patterns for values that become parts of commands, refs, tags and
// expressions in the generated files. They are strict on purpose: such a
// value is either plainly safe or rejected, never escaped and hoped for.
var (
	branchPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	versionPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	platformPattern = regexp.MustCompile(`^linux/(amd64|arm64|arm/v6|arm/v7|386|ppc64le|s390x|riscv64)$`)
	healthPattern   = regexp.MustCompile(`^/[A-Za-z0-9._~/%=&?+-]*$`)
	channelPattern  = regexp.MustCompile(`^#?[a-z0-9][a-z0-9._-]*$`)
)

// unsafeValueCheck validates the values that release-gen places into refs,
// image tags, URLs and shell arguments, where quoting alone is not enough.
type unsafeValueCheck struct{}

func (unsafeValueCheck) Name() string { return "unsafe-value" }

func (c unsafeValueCheck) Run(m *model.Release, failed map[string]bool) diag.List {
	var out diag.List
	bad := func(pos token.Pos, format string, args ...any) {
		out = append(out, diag.Errorf(pos, c.Name(), format, args...))
	}
	if !failed["branch"] && (!branchPattern.MatchString(m.Branch) || strings.Contains(m.Branch, "..") || strings.HasSuffix(m.Branch, "/") || strings.HasSuffix(m.Branch, ".lock")) {
		bad(m.Fields.Of("branch", m.Pos), "branch %q is not a plain git branch name: use letters, digits, '.', '_', '-' and '/'", m.Branch)
	}
	for _, p := range m.Platforms {
		if !platformPattern.MatchString(p) {
			bad(m.Fields.Of("matrix", m.Pos), "platform %q is not a known image platform: use one of linux/amd64, linux/arm64, linux/arm/v7, linux/arm/v6, linux/386, linux/ppc64le, linux/s390x, linux/riscv64", p)
		}
	}
	for _, s := range m.Services {
		if failed["services."+s.Name] {
			continue
		}
		for _, v := range s.Versions {
			if !versionPattern.MatchString(v) {
				bad(s.Fields.Of("versions", m.Fields.Of("matrix", s.Pos)), "service %q: toolchain version %q must be a plain version such as \"22\" or \"1.26\"", s.Name, v)
			}
		}
		if s.Health != "" && !healthPattern.MatchString(s.Health) {
			bad(s.Fields.Of("health", s.Pos), "service %q: health path %q must be a plain URL path such as \"/health\"", s.Name, s.Health)
		}
		for field, cmd := range map[string]string{"test": s.Test, "build": s.Build} {
			if strings.ContainsRune(cmd, 0) {
				bad(s.Fields.Of(field, s.Pos), "service %q: %s contains a NUL byte", s.Name, field)
			}
		}
		if s.TestSplit != nil && strings.ContainsAny(s.TestSplit.Glob, "\n\r\t $`\"'\\;|&<>()") {
			bad(s.TestSplit.Pos, "service %q: testSplit.glob %q may only hold path characters and glob wildcards (*, ?, [...], {a,b})", s.Name, s.TestSplit.Glob)
		}
	}
	if s := m.Notify.Slack; s != nil && !channelPattern.MatchString(s.Channel) {
		bad(s.Pos, "slack channel %q must be a channel name such as \"#releases\"", s.Channel)
	}
	if l := m.Security.Licenses; l != nil {
		for _, d := range l.Deny {
			if !spdxPattern.MatchString(d) {
				bad(l.Pos, "license %q is not an SPDX license identifier such as \"GPL-3.0-only\"", d)
			}
		}
	}
	return out
}

var spdxPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]*$`)
