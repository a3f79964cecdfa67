package circleci

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/secret"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// checkName is the name diagnostics of this target carry.
const checkName = "circleci-unsupported"

// jobNameRe is what the config uses as a job name: CircleCI's job name
// syntax without its whitespace.
var jobNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// configVariables are the environment variables the config itself sets
// on jobs and steps. A secret stored under one of these names would be
// shadowed by the config's value.
var configVariables = []string{
	"ATTEST", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"BUILD_COMMAND", "BUILD_CONTEXT", "CACHE_REF", "COSIGN_KEY_REF", "DENY",
	"DIGEST", "DOCKERFILE", "EXIT_CODE", "GOTOOLCHAIN", "HEALTH_PATH", "IMAGE",
	"IMAGE_REF", "KUBECONFIG", "KUBE_CONFIG_VARIABLE", "LOCKFILE", "NAMESPACE",
	"OUT_DIR", "PASSWORD_VARIABLE", "PLATFORMS", "PORT", "PREFIX", "REGION_VARIABLE",
	"REGISTRY", "RELEASE_BRANCH", "RELEASE_GEN", "ROLE_ARN_VARIABLE", "SERVICE",
	"SERVICE_PATH", "SEVERITY", "SHA", "SIGSTORE_ID_TOKEN", "SLACK_CHANNEL",
	"SLACK_WEBHOOK_VARIABLE", "SPEC_DIR", "STATUS", "TEST_COMMAND", "TEST_GLOB",
	"TEST_RESULTS_DIR", "TEST_SHARD", "TEST_SHARDS", "USERNAME_VARIABLE", "WAIT_SECONDS",
}

// check returns what the config cannot carry.
func check(m *model.Release) diag.List {
	var ds diag.List
	bad := func(pos token.Pos, format string, args ...any) {
		ds = append(ds, diag.Errorf(pos, checkName, format, args...))
	}
	for _, v := range specValues(m) {
		if strings.Contains(v.value, escapedOpen) {
			bad(v.pos, "circleci: %s contains \"\\<<\", which CircleCI's config templating reads as an escaped \"<<\": it cannot be written literally", v.what)
		}
	}
	if m.Plan != nil {
		checkNames(m, bad)
	}
	sec := secret.Resolve(m.Secrets)
	// The names the config reads (CircleCI has no promote workflow, so no
	// GitOps token).
	for _, n := range []string{sec.AWSRoleARN, sec.AWSRegion, sec.KubeConfig, sec.SlackWebhook,
		sec.RegistryUsername, sec.RegistryPassword} {
		switch {
		case strings.HasPrefix(n, "CIRCLE_"):
			bad(m.Pos, "circleci: secret name %q is reserved: CircleCI sets the CIRCLE_* variables itself", n)
		case slices.Contains(configVariables, n):
			bad(m.Pos, "circleci: secret name %q is a variable the config sets itself, which would hide the secret: rename it", n)
		}
	}
	warned := map[string]bool{}
	for _, s := range m.Services {
		for _, v := range s.Versions {
			if s.Toolchain.Language != "node" || !nodeLineWithoutTag(v) {
				continue
			}
			what, pos := "matrix.versions", m.Fields.Of("matrix", s.Pos)
			if p, own := s.Fields["versions"]; own {
				what, pos = "service "+s.Name+": versions", p
			}
			if key := what + "\x00" + v; !warned[key] {
				warned[key] = true
				ds = append(ds, diag.Warnf(pos, checkName,
					"circleci: %s: cimg/node has no tag %q: CircleCI tags a Node.js line by its major version alone only if the line had a release after September 2026; write the version as major.minor, the form cimg/node tags every line with", what, v))
			}
		}
	}
	for _, s := range m.Services {
		if c := s.Canary; c != nil {
			if _, err := shell.CanaryWaitDuration(c); err != nil {
				bad(c.Fields.Of("interval", c.Pos), "circleci: %v", err)
			}
		}
	}
	return ds
}

// checkNames requires every job name in the workflow to be a CircleCI job
// name, and unique: plan ids, matrix aliases and the names of matrix runs
// share one namespace in requires.
func checkNames(m *model.Release, bad func(token.Pos, string, ...any)) {
	seen := map[string]bool{}
	add := func(pos token.Pos, n string) {
		if seen[n] {
			bad(pos, "circleci: two workflow jobs would be named %q", n)
		}
		seen[n] = true
	}
	for _, j := range m.Plan.Jobs {
		pos := m.JobPos(j)
		if !jobNameRe.MatchString(j.ID) {
			bad(pos, "circleci: job name %q is not a valid CircleCI job name: use letters, digits, '-' and '_'", j.ID)
			continue
		}
		add(pos, j.ID)
		if j.Kind == model.JobTest && j.Service != nil {
			for _, t := range imageTags(j.Service, j.Versions) {
				add(pos, j.ID+"-"+t)
			}
		}
	}
}

// nodeLineWithoutTag reports whether v names a Node.js line by its major
// version alone and that line ended before cimg/node began publishing
// major-version tags (September 2026): every line before 22, and 23 and
// 25. Those images are tagged major.minor and major.minor.patch only.
func nodeLineWithoutTag(v string) bool {
	major, err := strconv.Atoi(v)
	if err != nil || !bareMajor.MatchString(v) {
		return false
	}
	return major < 22 || major == 23 || major == 25
}

// specValue is a spec string the config carries, with where it was written.
type specValue struct {
	what, value string
	pos         token.Pos
}

// specValues lists the free-form spec strings that reach the config.
// Values that the compiler restricts to plain characters (names,
// versions, branch, platforms, tag prefixes, paths without '\') cannot
// hold "\<<" and are left out.
func specValues(m *model.Release) []specValue {
	out := []specValue{{"registry", m.Registry.Host, m.Registry.Pos}}
	for _, s := range m.Services {
		out = append(out,
			specValue{"service " + s.Name + ": test", s.Test, s.Fields.Of("test", s.Pos)},
			specValue{"service " + s.Name + ": build", s.Build, s.Fields.Of("build", s.Pos)},
		)
	}
	if s := m.Security.Sign; s != nil {
		out = append(out, specValue{"security.sign.key", s.Key, s.Pos})
	}
	d := m.Drift
	out = append(out,
		specValue{"the drift module", d.Install, m.Pos},
		specValue{"the spec directory", d.Dir, m.Pos},
		specValue{"the output directory", d.Out, m.Pos},
	)
	return out
}
