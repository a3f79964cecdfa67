package renovate

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

func TestShop(t *testing.T) {
	files := render(t, targettest.Compile(t, "examples/shop"))
	targettest.Golden(t, files...)
	targettest.Validate(t, "renovate", files...)
}

func TestPlatform(t *testing.T) {
	files := render(t, targettest.Compile(t, "examples/platform"))
	targettest.Golden(t, files...)
	targettest.Validate(t, "renovate", files...)
}

func TestHostile(t *testing.T) {
	files := render(t, targettest.Compile(t, "testdata/hostile"))
	targettest.Golden(t, files...)
	targettest.Validate(t, "renovate", files...)
}

// parse reads renovate.json back.
func parse(t *testing.T, f targets.File) config {
	t.Helper()
	var c config
	dec := json.NewDecoder(strings.NewReader(string(f.Data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s: %v\n%s", f.Path, err, f.Data)
	}
	return c
}

func TestShopConfig(t *testing.T) {
	m := targettest.Compile(t, "examples/shop")
	c := parse(t, render(t, m)[0])
	if c.Schema != SchemaURL || !slices.Equal(c.Extends, []string{"config:recommended"}) || c.Timezone != "" {
		t.Errorf("header fields: %+v", c)
	}
	if !slices.Equal(c.Schedule, []string{"* 0-5 * * 1"}) || c.PRConcurrentLimit != 5 {
		t.Errorf("schedule %q, prConcurrentLimit %d", c.Schedule, c.PRConcurrentLimit)
	}
	if len(c.PackageRules) != 3 {
		t.Fatalf("packageRules: %+v", c.PackageRules)
	}
	if r := c.PackageRules[0]; !r.Automerge || !slices.Equal(r.MatchUpdateTypes, []string{"minor", "patch"}) || r.MatchDepTypes != nil {
		t.Errorf("automerge rule: %+v", r)
	}
	if r := c.PackageRules[1]; !r.Automerge || !slices.Equal(r.MatchDepTypes, []string{"devDependencies"}) || r.MatchUpdateTypes != nil {
		t.Errorf("devDependencies rule: %+v", r)
	}
	r := c.PackageRules[2]
	if r.PostUpgradeTasks == nil || !slices.Equal(r.MatchFileNames, []string{`/^examples/shop/[^/]+\.cue$/`}) {
		t.Fatalf("regenerate rule: %+v", r)
	}
	wantCmd := "go run release-gen.dev/release-gen/cmd/release-gen@v" + m.Generator + " build --out examples/shop examples/shop"
	if p := r.PostUpgradeTasks; !slices.Equal(p.Commands, []string{wantCmd}) || p.ExecutionMode != "branch" || !slices.Equal(p.FileFilters, generatedPaths(m)) {
		t.Errorf("postUpgradeTasks: %+v", p)
	}
	if len(c.CustomManagers) != 2 {
		t.Errorf("customManagers: %+v", c.CustomManagers)
	}
	wantIgnored := []string{
		"**/node_modules/**", "**/bower_components/**", "**/vendor/**", "**/__tests__/**", "**/test/**", "**/tests/**", "**/__fixtures__/**",
		"examples/shop/.circleci/config.yml",
		"examples/shop/.github/workflows/promote.yml",
		"examples/shop/.github/workflows/release-build.yml",
		"examples/shop/.github/workflows/release-deploy.yml",
		"examples/shop/.github/workflows/release-scan.yml",
		"examples/shop/.github/workflows/release-sign.yml",
		"examples/shop/.github/workflows/release-test.yml",
		"examples/shop/.github/workflows/release.yml",
		"examples/shop/.gitlab-ci.yml",
		"examples/shop/.release-gen/**",
		"examples/shop/Jenkinsfile",
		"examples/shop/deploy/ecr/*.json",
		"examples/shop/deploy/flagger/*.yaml",
		"examples/shop/renovate.json",
	}
	if diff := cmp.Diff(wantIgnored, c.IgnorePaths); diff != "" {
		t.Errorf("ignorePaths (-want +got):\n%s", diff)
	}
}

func TestPlatformConfig(t *testing.T) {
	c := parse(t, render(t, targettest.Compile(t, "examples/platform"))[0])
	if c.Timezone != "Europe/Berlin" || c.PRConcurrentLimit != 10 {
		t.Errorf("timezone %q, prConcurrentLimit %d", c.Timezone, c.PRConcurrentLimit)
	}
	if r := c.PackageRules[0]; r.Description != "Automerge patch updates" || !slices.Equal(r.MatchUpdateTypes, []string{"patch"}) {
		t.Errorf("automerge rule: %+v", r)
	}
}

// TestHostileConfig: the hostile spec writes no toolchain versions, so
// renovate.json has no custom managers, and config:recommended's
// ignorePaths stay whole.
func TestHostileConfig(t *testing.T) {
	c := parse(t, render(t, targettest.Compile(t, "testdata/hostile"))[0])
	if c.CustomManagers != nil || len(c.PackageRules) != 2 {
		t.Errorf("customManagers %+v, packageRules %+v", c.CustomManagers, c.PackageRules)
	}
	if !slices.Equal(c.IgnorePaths[:len(recommendedIgnorePaths)], recommendedIgnorePaths) {
		t.Errorf("ignorePaths: %q", c.IgnorePaths)
	}
}

// release returns a release with the renovate settings and one service.
func release() *model.Release {
	return &model.Release{
		SpecFile:    "release.cue",
		Name:        "app",
		Targets:     []string{"github", "renovate"},
		SpecTargets: []string{"github", "renovate"},
		Services:    []*model.Service{{Name: "api", Versions: []string{"22"}}},
		Renovate: model.Renovate{
			Automerge:                []string{"minor", "patch"},
			AutomergeDevDependencies: false,
			Schedule:                 []string{"before 6am on Monday", "after 10pm and before 5am every weekday"},
			PRConcurrentLimit:        0,
		},
		Drift: model.Drift{Install: "release-gen.dev/release-gen/cmd/release-gen@v0.1.0", Dir: ".", Out: "."},
	}
}

// TestRootLayout: a spec at the repository root gets root-relative paths,
// its converted schedules, and no devDependencies rule when
// automergeDevDependencies is off.
func TestRootLayout(t *testing.T) {
	m := release()
	m.MatrixVersions = []string{"22"}
	c := parse(t, render(t, m)[0])
	if diff := cmp.Diff([]string{"* 0-5 * * 1", "* 22-23 * * 1-5", "* 0-4 * * 1-5"}, c.Schedule); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
	if len(c.PackageRules) != 2 || c.PackageRules[1].PostUpgradeTasks == nil {
		t.Fatalf("packageRules: %+v", c.PackageRules)
	}
	if got := c.PackageRules[1].PostUpgradeTasks.Commands[0]; got != "go run release-gen.dev/release-gen/cmd/release-gen@v0.1.0 build --out . ." {
		t.Errorf("command %q", got)
	}
	if diff := cmp.Diff([]string{`/^[^/]+\.cue$/`}, c.CustomManagers[0].ManagerFilePatterns); diff != "" {
		t.Errorf("managerFilePatterns (-want +got):\n%s", diff)
	}
	want := append(slices.Clone(recommendedIgnorePaths), ".github/workflows/promote.yml",
		".github/workflows/release-build.yml", ".github/workflows/release-deploy.yml", ".github/workflows/release-scan.yml",
		".github/workflows/release-sign.yml", ".github/workflows/release-test.yml",
		".github/workflows/release.yml", ".release-gen/**", "renovate.json")
	if diff := cmp.Diff(want, c.IgnorePaths); diff != "" {
		t.Errorf("ignorePaths (-want +got):\n%s", diff)
	}
	if ds := (Target{}).Check(m); len(ds) != 0 {
		t.Errorf("Check: %v", ds)
	}
}

// TestSpecFormats: a YAML spec is matched by its own path, a JSON spec
// (no comments) gets no custom managers, and a spec that writes no
// versions gets none either.
func TestSpecFormats(t *testing.T) {
	m := release()
	m.MatrixVersions = []string{"22"}
	m.SpecFile = "ci/release [v2]+.yaml"
	m.Drift.Dir = "ci"
	got := specPatterns(m)
	if diff := cmp.Diff([]string{`/^ci/release \[v2\]\+\.yaml$/`}, got); diff != "" {
		t.Errorf("specPatterns (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		file  string
		match bool
	}{{"ci/release [v2]+.yaml", true}, {"ci/release v2+.yaml", false}, {"x/ci/release [v2]+.yaml", false}} {
		if re := mustRenovateRegexp(t, got[0]); re.MatchString(tc.file) != tc.match {
			t.Errorf("%s matches %q: %v", got[0], tc.file, !tc.match)
		}
	}
	m.SpecFile = "release.json"
	if customManagers(m) != nil {
		t.Error("a JSON spec got custom managers")
	}
	m.SpecFile = "release.cue"
	m.MatrixVersions = nil
	if customManagers(m) != nil {
		t.Error("a spec without versions got custom managers")
	}
	m.Services[0].Fields = model.Positions{"versions": {}}
	if customManagers(m) == nil {
		t.Error("a service's versions got no custom managers")
	}
}

// TestSpecUnderIgnoredDirectory: config:recommended ignores examples/ and
// test directories; a spec there keeps its directory visible only when
// the custom managers need to read it.
func TestSpecUnderIgnoredDirectory(t *testing.T) {
	m := release()
	m.SpecFile, m.Drift.Dir, m.Drift.Out = "tests/e2e/release.cue", "tests/e2e", "."
	if got := ignorePaths(m, true); slices.Contains(got, "**/tests/**") || !slices.Contains(got, "**/test/**") {
		t.Errorf("visible: %q", got)
	}
	if got := ignorePaths(m, false); !slices.Contains(got, "**/tests/**") {
		t.Errorf("not visible: %q", got)
	}
}

func TestOutDirIsQuoted(t *testing.T) {
	m := release()
	m.Drift.Out = "out/[x]*"
	got := generatedPaths(m)
	if !slices.Contains(got, `out/\[x\]\*/.github/workflows/release.yml`) {
		t.Errorf("generatedPaths: %q", got)
	}
}

func TestNotSelected(t *testing.T) {
	m := release()
	m.Targets = []string{"github"}
	m.SpecTargets = []string{"github"}
	m.Renovate.Schedule = []string{"5 * * * *"}
	files, err := Target{}.Render(m)
	if err != nil || files != nil {
		t.Errorf("Render = %v, %v; want nothing", files, err)
	}
	if ds := (Target{}).Check(m); ds != nil {
		t.Errorf("Check = %v; want nothing", ds)
	}
}

func TestCheck(t *testing.T) {
	m := release()
	m.MatrixVersions = []string{"22"}
	m.Renovate.Schedule = []string{"0 3 * * 1", "after 10pm and before 5am on the 2nd", "* 0-3 * * *"}
	m.Drift.Out = "deploy"
	m.Drift.Dir = "my spec"
	var got []string
	for _, d := range (Target{}).Check(m).Sort() {
		got = append(got, d.Severity.String()+": "+d.Message+" ["+d.Check+"]")
	}
	want := []string{
		`error: renovate schedule "0 3 * * 1" has cron minutes "0": Renovate schedules by the hour and requires "*" minutes, e.g. "* 3 * * 1" [renovate-schedule]`,
		`warning: renovate schedule "after 10pm and before 5am on the 2nd" is later.js text, which Renovate still reads but has deprecated, and release-gen cannot convert it: write it as cron with "*" minutes, e.g. "* 0-5 * * 1" for "before 6am on Monday" [renovate-schedule]`,
		`warning: the renovate target writes deploy/renovate.json, but Renovate reads its configuration only at the repository root: build with the output directory at the repository root, or drop "renovate" from targets [renovate-location]`,
		`warning: the spec's toolchain versions are updated by Renovate, but its branches cannot rerun release-gen because the spec or output directory ("my spec", "deploy") is not a plain path: run release-gen build on them by hand [renovate-regenerate]`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := (Target{}).Render(m); err == nil {
		t.Error("Render accepted a release that Check rejects")
	}
	m.Renovate.Schedule = m.Renovate.Schedule[1:]
	files, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("warnings must not stop Render: %v", err)
	}
	for _, r := range parse(t, files[0]).PackageRules {
		if r.PostUpgradeTasks != nil {
			t.Errorf("postUpgradeTasks with an unsafe spec path: %+v", r.PostUpgradeTasks)
		}
	}
}

func TestNameAndOutputs(t *testing.T) {
	if got := (Target{}).Name(); got != "renovate" {
		t.Errorf("Name() = %q", got)
	}
	if diff := cmp.Diff([]string{"renovate.json"}, Target{}.Outputs()); diff != "" {
		t.Errorf("Outputs() (-want +got):\n%s", diff)
	}
}
