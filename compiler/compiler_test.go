package compiler

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"release-gen.dev/release-gen/compiler/model"
)

// compileSpec writes files into a temporary spec directory and compiles it.
func compileSpec(t *testing.T, files map[string]string) *model.Release {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Compile(Config{Dir: dir})
	if err != nil {
		if se, ok := err.(*SpecError); ok {
			for _, d := range se.Diagnostics {
				t.Log(d.Error())
			}
		}
		t.Fatalf("Compile: %v", err)
	}
	return res.Release
}

func TestShopPlan(t *testing.T) {
	res, err := Compile(Config{Dir: filepath.Join("..", "examples", "shop")})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Release
	if diff := cmp.Diff([][]string{{"auth"}, {"api"}, {"frontend", "worker"}}, m.Plan.Waves); diff != "" {
		t.Errorf("waves (-want +got):\n%s", diff)
	}
	var order []string
	for _, s := range m.Services {
		order = append(order, s.Name)
	}
	if diff := cmp.Diff([]string{"auth", "api", "frontend", "worker"}, order); diff != "" {
		t.Errorf("service order (-want +got):\n%s", diff)
	}
	needs := map[string][]string{}
	index := map[string]int{}
	for i, j := range m.Plan.Jobs {
		needs[j.ID] = j.Needs
		index[j.ID] = i
	}
	for id, want := range map[string][]string{
		"drift":                      nil,
		"test-auth":                  nil,
		"build-auth":                 {"drift", "test-auth"},
		"scan-auth":                  {"build-auth"},
		"sign-auth":                  {"scan-auth"},
		"deploy-auth-staging":        {"sign-auth"},
		"deploy-api-staging":         {"sign-api", "deploy-auth-staging"},
		"deploy-worker-staging":      {"sign-worker", "deploy-api-staging"},
		"approve-production":         {"deploy-auth-staging", "deploy-api-staging", "deploy-frontend-staging", "deploy-worker-staging"},
		"deploy-auth-production":     {"sign-auth", "approve-production"},
		"deploy-frontend-production": {"sign-frontend", "approve-production", "deploy-api-production"},
	} {
		got, ok := needs[id]
		if !ok {
			t.Errorf("job %s missing", id)
			continue
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s needs (-want +got):\n%s", id, diff)
		}
	}
	// Topological order: every job after what it needs.
	for _, j := range m.Plan.Jobs {
		for _, n := range j.Needs {
			if index[n] >= index[j.ID] {
				t.Errorf("%s comes before its need %s", j.ID, n)
			}
		}
	}
	// One approval per run, not one per service.
	approvals := 0
	for _, j := range m.Plan.Jobs {
		if j.Kind == model.JobApprove {
			approvals++
		}
	}
	if approvals != 1 {
		t.Errorf("%d approval jobs, want 1", approvals)
	}
	if got := m.Plan.Job("test-auth").Runs(); got != 12 {
		t.Errorf("test-auth runs %d times, want 3 versions x 4 shards = 12", got)
	}
	if got := m.Plan.Job("test-api").Runs(); got != 3 {
		t.Errorf("test-api runs %d times, want 3", got)
	}
	if m.Registry.Kind != model.RegistryECR || m.Registry.Region != "us-east-1" {
		t.Errorf("registry = %+v", m.Registry)
	}
}

const mergeSpec = `package release

name:     "shop"
registry: "ghcr.io/acme"
targets: ["github"]
matrix: versions: ["20"]
canary: {provider: "istio", maxWeight: 50, stepWeight: 10, loadTest: {url: "http://lt/", cmd: "hey {service}"}}
retention: [{untagged: true, expireAfterDays: 7}]
services: {
	inherit: language: "node"
	narrow: {language: "node", canary: {maxWeight: 30}}
	off: {language: "node", canary: false}
	own: {language: "node", versions: ["22"], retention: [{tagPrefixes: ["prod-"], keep: 3}]}
	gen: {}
}
`

func TestLoweringMerges(t *testing.T) {
	m := compileSpec(t, map[string]string{"release.cue": mergeSpec})
	inherit, narrow, off, own := m.Service("inherit"), m.Service("narrow"), m.Service("off"), m.Service("own")
	if inherit.Canary != m.Canary {
		t.Error("canary: true should share the top-level canary")
	}
	if narrow.Canary.MaxWeight != 30 || narrow.Canary.StepWeight != 10 || narrow.Canary.Provider != "istio" {
		t.Errorf("override should merge field by field: %+v", narrow.Canary)
	}
	if narrow.Canary.LoadTest == nil || narrow.Canary.LoadTest.Timeout != "5s" {
		t.Errorf("override should keep the top-level load test with its default timeout: %+v", narrow.Canary.LoadTest)
	}
	if off.Canary != nil {
		t.Error("canary: false should turn the canary off")
	}
	if len(own.Retention) != 1 || own.Retention[0].Keep != 3 || len(inherit.Retention) != 1 || !inherit.Retention[0].Untagged {
		t.Error("a service retention list replaces the top-level list")
	}
	if !slices.Equal(own.Versions, []string{"22"}) || !slices.Equal(inherit.Versions, []string{"20"}) {
		t.Errorf("versions: own %v inherit %v", own.Versions, inherit.Versions)
	}
	gen := m.Service("gen")
	if gen.Toolchain.Language != "generic" || gen.Path != "services/gen" || gen.Dockerfile != "services/gen/Dockerfile" || gen.Port != 8080 || gen.Health != "/health" {
		t.Errorf("defaults not applied: %+v", gen)
	}
	if inherit.Test != "npm ci && npm test" || inherit.Toolchain.LockFile != "package-lock.json" {
		t.Errorf("node preset not applied: %+v", inherit)
	}
	var envs []string
	for _, e := range m.Environments {
		envs = append(envs, e.Name+":"+e.Namespace+":"+e.TagPrefix)
	}
	if diff := cmp.Diff([]string{"staging:staging:staging-", "production:production:prod-"}, envs); diff != "" {
		t.Errorf("default environments (-want +got):\n%s", diff)
	}
	if !m.Environments[1].Approval || m.Environments[0].Approval {
		t.Error("production needs approval by default, staging does not")
	}
}

func TestOverrideWithoutTopLevelCanary(t *testing.T) {
	m := compileSpec(t, map[string]string{"release.cue": `package release
name: "shop"
registry: "ghcr.io/acme"
targets: ["github"]
services: {
	a: canary: {maxWeight: 40}
	b: {}
}
`})
	a, b := m.Service("a"), m.Service("b")
	if b.Canary != nil {
		t.Error("without a top-level canary, canary: true enables nothing")
	}
	if a.Canary == nil || a.Canary.MaxWeight != 40 || a.Canary.StepWeight != 10 || a.Canary.Interval != "1m" || a.Canary.Provider != "kubernetes" {
		t.Errorf("override should start from #Canary's defaults: %+v", a.Canary)
	}
}

// TestDataSpecsMatchCUE proves that YAML and JSON specs go through the same
// schema: the same data in three languages yields the same model.
func TestDataSpecsMatchCUE(t *testing.T) {
	cueM := compileSpec(t, map[string]string{"release.cue": `package release
name: "shop"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
services: {
	auth: {language: "node", testSplit: {glob: "test/**/*.js", parallelism: 2}}
	api: {language: "go", dependsOn: ["auth"], canary: {maxWeight: 20}}
}
canary: {provider: "linkerd"}
retention: [{tagPrefixes: ["prod-"], keep: 10}]
environments: {qa: {}, production: {approval: true}}
`})
	yamlM := compileSpec(t, map[string]string{"release.yaml": `name: shop
registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com
services:
  auth:
    language: node
    testSplit: {glob: "test/**/*.js", parallelism: 2}
  api:
    language: go
    dependsOn: [auth]
    canary: {maxWeight: 20}
canary: {provider: linkerd}
retention:
  - {tagPrefixes: [prod-], keep: 10}
environments:
  qa: {}
  production: {approval: true}
`})
	jsonM := compileSpec(t, map[string]string{"release.json": `{
  "name": "shop",
  "registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
  "services": {
    "auth": {"language": "node", "testSplit": {"glob": "test/**/*.js", "parallelism": 2}},
    "api": {"language": "go", "dependsOn": ["auth"], "canary": {"maxWeight": 20}}
  },
  "canary": {"provider": "linkerd"},
  "retention": [{"tagPrefixes": ["prod-"], "keep": 10}],
  "environments": {"qa": {}, "production": {"approval": true}}
}
`})
	ignore := cmp.Options{
		cmpopts.IgnoreFields(model.Release{}, "Pos", "Fields", "SpecFile", "Drift"),
		cmpopts.IgnoreTypes(model.Positions{}),
		cmpopts.IgnoreFields(model.Registry{}, "Pos"),
		cmpopts.IgnoreFields(model.Service{}, "Pos"),
		cmpopts.IgnoreFields(model.Ref{}, "Pos"),
		cmpopts.IgnoreFields(model.TestSplit{}, "Pos"),
		cmpopts.IgnoreFields(model.Canary{}, "Pos"),
		cmpopts.IgnoreFields(model.RetentionRule{}, "Pos"),
		cmpopts.IgnoreFields(model.Environment{}, "Pos"),
		cmpopts.IgnoreFields(model.Renovate{}, "Pos"),
		cmpopts.IgnoreFields(model.Scan{}, "Pos"),
		cmpopts.IgnoreFields(model.Sign{}, "Pos"),
	}
	if diff := cmp.Diff(cueM, yamlM, ignore); diff != "" {
		t.Errorf("YAML spec differs from CUE (-cue +yaml):\n%s", diff)
	}
	if diff := cmp.Diff(cueM, jsonM, ignore); diff != "" {
		t.Errorf("JSON spec differs from CUE (-cue +json):\n%s", diff)
	}
	if cueM.SpecFile != "release.cue" || yamlM.SpecFile != "release.yaml" || jsonM.SpecFile != "release.json" {
		t.Errorf("spec files: %s %s %s", cueM.SpecFile, yamlM.SpecFile, jsonM.SpecFile)
	}
}

func TestFindInputs(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindInputs(dir); err == nil {
		t.Error("an empty directory has no spec")
	}
	os.WriteFile(filepath.Join(dir, "release.cue"), []byte("package release\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "release.yaml"), []byte("name: x\n"), 0o644)
	if _, err := FindInputs(dir); err == nil {
		t.Error("a CUE spec and a YAML spec side by side must be refused")
	}
}
