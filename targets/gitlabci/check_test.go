package gitlabci

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
)

func TestCheck(t *testing.T) {
	m := shop(t)
	m.Branch = `ma"in`
	m.Environments[0].URL = "https://staging.example.com/$CI_JOB_TOKEN"
	m.Environments[1].URL = "https://example.com/%HOME%/x"
	m.Caches.Paths = []string{"web/$X/cache"}
	m.Services[0].Canary = &model.Canary{Interval: "1h", MaxWeight: 50, StepWeight: 10}
	m.Plan.Job("test-api").Shards = 70
	m.Plan.Job("deploy-auth-staging").Env = &model.Environment{Name: strings.Repeat("e", 130)}
	// An approval that would need more jobs than GitLab allows waits for
	// the earlier stages instead: no diagnostic.
	approve := m.Plan.Job("approve-production")
	for len(approve.Needs) <= maxNeeds {
		approve.Needs = append(approve.Needs, "drift")
	}
	var got []string
	for _, d := range (Target{}).Check(m).Sort() {
		if d.Check != checkName {
			t.Errorf("check name %q, want %q", d.Check, checkName)
		}
		got = append(got, d.Message)
	}
	slices.Sort(got)
	want := []string{
		`gitlab: branch "ma\"in" cannot be written as a string in rules:if`,
		`gitlab: caches.paths entry "web/$X/cache": GitLab Runner expands "$" in cache paths`,
		`gitlab: canary interval "1h" does not match ^[0-9]+(s|m)$`,
		`gitlab: environment "production": GitLab expands CI/CD variables in environment:url, so "%HOME%" in url "https://example.com/%HOME%/x" would not stay as written`,
		`gitlab: environment "staging": GitLab expands CI/CD variables in environment:url, so "$CI_JOB_TOKEN" in url "https://staging.example.com/$CI_JOB_TOKEN" would not stay as written`,
		`gitlab: job build-api needs 211 jobs, counting each job of a parallel:matrix; a GitLab job may need at most 50`,
		`gitlab: job name "deploy:auth:` + strings.Repeat("e", 130) + `" is longer than the 128 characters GitLab allows here`,
		`gitlab: job test-api would run 210 times (versions x shards); a parallel:matrix may have at most 200 jobs`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := (Target{}).Render(m); err == nil {
		t.Error("Render accepted a release that Check rejects")
	}
}

// TestCheckDeployments: a pipeline may hold at most 500 jobs with an
// environment, approvals counted.
func TestCheckDeployments(t *testing.T) {
	m := shop(t)
	deploys := 0
	for _, j := range m.Plan.Jobs {
		if j.Kind == model.JobDeploy || j.Kind == model.JobApprove {
			deploys++
		}
	}
	deploy := m.Plan.Job("deploy-auth-staging")
	for deploys < maxDeployments {
		m.Plan.Jobs = append(m.Plan.Jobs, deploy)
		deploys++
	}
	if ds := (Target{}).Check(m); len(ds) > 0 {
		t.Fatalf("%d jobs with an environment: %v", deploys, ds)
	}
	m.Plan.Jobs = append(m.Plan.Jobs, deploy)
	want := `gitlab: the pipeline would have 501 jobs with an environment (deploys and approvals); GitLab fails a pipeline with more than 500 (ci_pipeline_deployments)`
	ds := (Target{}).Check(m)
	if len(ds) != 1 || ds[0].Message != want {
		t.Errorf("Check = %v, want one: %s", ds, want)
	}
}

// TestCheckAcceptsExamples: the examples and the hostile spec are valid
// GitLab pipelines; check rejects nothing in them.
func TestCheckAcceptsExamples(t *testing.T) {
	for _, fx := range fixtures {
		if ds := (Target{}).Check(fx.m(t)); len(ds) > 0 {
			t.Errorf("%s: %v", fx.name, ds)
		}
	}
}

func TestNotSelected(t *testing.T) {
	m := shop(t)
	m.Targets = []string{"github"}
	files, err := Target{}.Render(m)
	if err != nil || files != nil {
		t.Errorf("Render = %v, %v; want nothing", files, err)
	}
	if ds := (Target{}).Check(m); ds != nil {
		t.Errorf("Check = %v; want nothing", ds)
	}
}

func TestNameAndOutputs(t *testing.T) {
	if got := (Target{}).Name(); got != "gitlab" {
		t.Errorf("Name() = %q", got)
	}
	if got := (Target{}).Outputs(); !slices.Equal(got, []string{".gitlab-ci.yml"}) {
		t.Errorf("Outputs() = %v", got)
	}
}

func TestDeploymentTier(t *testing.T) {
	for name, want := range map[string]string{
		"production": "production", "prod": "production", "live": "production",
		"staging": "staging", "stage": "staging", "preprod": "staging",
		"dev": "development", "review": "development",
		"test": "testing", "qa": "testing", "integration": "testing",
		"sandbox": "other",
	} {
		if got := deploymentTier(name); got != want {
			t.Errorf("deploymentTier(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestVarValue(t *testing.T) {
	for _, tc := range []struct {
		v    variable
		raw  bool
		want string
	}{
		{variable{name: "A", value: "plain"}, false, "plain"},
		{variable{name: "A", value: "$HOME and ${X}"}, true, "$HOME and ${X}"},
		{variable{name: "A", value: "100%PATH%"}, false, "100%PATH%"},
		{ref("A", "$CI_PROJECT_DIR/x"), false, "$CI_PROJECT_DIR/x"},
	} {
		n := varValue(tc.v)
		var got any
		if err := n.Decode(&got); err != nil {
			t.Fatal(err)
		}
		value, raw, _ := runnerValue(got)
		if raw != tc.raw || (raw && value != tc.want) || (!raw && n.Value != tc.want) {
			t.Errorf("varValue(%+v) = %v (raw %v), want %q (raw %v)", tc.v, got, raw, tc.want, tc.raw)
		}
	}
}

func TestLongestName(t *testing.T) {
	m := platform(t)
	for id, want := range map[string]string{
		"test-recommender":   "test-recommender: [3.12, 2]",
		"test-gateway":       "test-gateway: [1.25]",
		"test-web":           "test-web",
		"deploy-web-staging": "deploy:web:staging",
	} {
		if got := longestName(m.Plan.Job(id)); got != want {
			t.Errorf("longestName(%s) = %q, want %q", id, got, want)
		}
	}
}
