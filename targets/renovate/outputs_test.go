package renovate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/all"
	"release-gen.dev/release-gen/targets/flagger"
	"release-gen.dev/release-gen/targets/renovate"
)

// TestOutputGlobsMatchTargets holds the paths renovate.json ignores equal
// to what each target says it writes: every registered target's Outputs(),
// with "<service>" as "*".
func TestOutputGlobsMatchTargets(t *testing.T) {
	seen := map[string]bool{}
	check := func(tg targets.Target) {
		if seen[tg.Name()] {
			return
		}
		seen[tg.Name()] = true
		var want []string
		for _, o := range tg.Outputs() {
			want = append(want, strings.ReplaceAll(o, "<service>", "*"))
		}
		got := slices.Clone(renovate.OutputGlobs(tg.Name()))
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("target %s: renovate's output globs differ from Outputs() (-want +got):\n%s", tg.Name(), diff)
		}
	}
	for _, tg := range all.Targets {
		check(tg)
	}
	check(flagger.Target{})
	check(renovate.Target{})
	for _, name := range []string{"github", "gitlab", "jenkins", "circleci", "ecr", "flagger", "renovate"} {
		if !seen[name] {
			t.Logf("target %s is not registered: its globs %q are not checked against its Outputs()", name, renovate.OutputGlobs(name))
		}
	}
}
