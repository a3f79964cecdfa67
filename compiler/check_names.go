package compiler

import (
	"regexp"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// namesCheck requires service and environment names to be DNS-1123 labels:
// they become Kubernetes names, image repositories and job ids.
type namesCheck struct{}

func (namesCheck) Name() string { return "invalid-name" }

func (c namesCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	var out diag.List
	for _, s := range m.Services {
		if !validLabel(s.Name) {
			out = append(out, diag.Errorf(s.Pos, c.Name(), "service name %q is not a DNS-1123 label: use lower-case letters, digits and '-', at most 63 characters (for example %q)", s.Name, suggestLabel(s.Name)))
		}
	}
	for _, e := range m.Environments {
		if !validLabel(e.Name) {
			out = append(out, diag.Errorf(e.Pos, c.Name(), "environment name %q is not a DNS-1123 label: use lower-case letters, digits and '-', at most 63 characters (for example %q)", e.Name, suggestLabel(e.Name)))
		}
	}
	return out
}

func validLabel(s string) bool { return len(s) <= 63 && dnsLabel.MatchString(s) }

// suggestLabel turns a name into the nearest DNS-1123 label.
func suggestLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	for strings.Contains(out, "--") {
		out = strings.ReplaceAll(out, "--", "-")
	}
	if len(out) > 63 {
		out = strings.TrimRight(out[:63], "-")
	}
	if out == "" {
		return "service"
	}
	return out
}
