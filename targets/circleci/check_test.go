package circleci

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

func TestCheck(t *testing.T) {
	m := targettest.Compile(t, specs["Shop"])
	m.Services[0].Test = `printf 'a \<< b'`
	m.Services[1].Canary = &model.Canary{Interval: "1h", MaxWeight: 50, StepWeight: 10}
	m.Secrets.KubeConfig = "IMAGE"
	m.Secrets.SlackWebhook = "CIRCLE_SLACK"
	for _, j := range m.Plan.Jobs {
		switch j.ID {
		case "deploy-api-production":
			j.ID = "deploy-api-prod.eu"
		case "build-api":
			j.ID = "test-auth-18"
		}
	}
	var got []string
	for _, d := range (Target{}).Check(m).Sort() {
		if d.Severity == diag.Warning {
			continue
		}
		if d.Check != checkName {
			t.Errorf("check name %q, want %q", d.Check, checkName)
		}
		got = append(got, d.Message)
	}
	want := []string{
		`circleci: canary interval "1h" does not match ^[0-9]+(s|m)$`,
		`circleci: secret name "CIRCLE_SLACK" is reserved: CircleCI sets the CIRCLE_* variables itself`,
		`circleci: secret name "IMAGE" is a variable the config sets itself, which would hide the secret: rename it`,
		`circleci: service auth: test contains "\<<", which CircleCI's config templating reads as an escaped "<<": it cannot be written literally`,
		`circleci: job name "deploy-api-prod.eu" is not a valid CircleCI job name: use letters, digits, '-' and '_'`,
		`circleci: two workflow jobs would be named "test-auth-18"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := (Target{}).Render(m); err == nil {
		t.Error("Render accepted a release that Check rejects")
	}
}

func TestCheckClean(t *testing.T) {
	for _, name := range []string{"Platform", "Hostile"} {
		if ds := (Target{}).Check(targettest.Compile(t, specs[name])); len(ds) > 0 {
			t.Errorf("%s: unexpected diagnostics %v", name, ds)
		}
	}
}

// TestCheckNodeTags checks the warning for Node.js lines that cimg/node
// tags by major.minor only; the shop spec tests on 18, 20 and 22.
func TestCheckNodeTags(t *testing.T) {
	m := targettest.Compile(t, specs["Shop"])
	ds := (Target{}).Check(m)
	var got []string
	for _, d := range ds {
		if d.Severity != diag.Warning {
			t.Errorf("%v: want a warning", d)
		}
		got = append(got, d.Message)
	}
	want := []string{
		`circleci: matrix.versions: cimg/node has no tag "18": CircleCI tags a Node.js line by its major version alone only if the line had a release after September 2026; write the version as major.minor, the form cimg/node tags every line with`,
		`circleci: matrix.versions: cimg/node has no tag "20": CircleCI tags a Node.js line by its major version alone only if the line had a release after September 2026; write the version as major.minor, the form cimg/node tags every line with`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := (Target{}).Render(m); err != nil {
		t.Errorf("Render refused a release with warnings only: %v", err)
	}
	for v, want := range map[string]bool{"18": true, "20": true, "22": false, "23": true, "24": false, "25": true, "26": false, "20.19": false} {
		if got := nodeLineWithoutTag(v); got != want {
			t.Errorf("nodeLineWithoutTag(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestNotSelected(t *testing.T) {
	m := targettest.Compile(t, specs["Shop"])
	m.Targets = []string{"github"}
	files, err := Target{}.Render(m)
	if err != nil || files != nil {
		t.Errorf("Render = %v, %v; want nothing", files, err)
	}
	if ds := (Target{}).Check(m); ds != nil {
		t.Errorf("Check = %v; want nothing", ds)
	}
}

func TestName(t *testing.T) {
	if got := (Target{}).Name(); got != "circleci" {
		t.Errorf("Name() = %q", got)
	}
	if got := (Target{}).Outputs(); !cmp.Equal(got, []string{".circleci/config.yml"}) {
		t.Errorf("Outputs() = %q", got)
	}
}

// TestImageTag checks the mapping from spec versions to convenience image
// tags: cimg/openjdk tags Java N as N.0.
func TestImageTag(t *testing.T) {
	for _, c := range []struct{ lang, version, want string }{
		{"java", "21", "21.0"},
		{"java", "17.0.9", "17.0.9"},
		{"node", "22", "22"},
		{"go", "1.26", "1.26"},
		{"python", "3.13", "3.13"},
	} {
		if got := imageTag(c.lang, c.version); got != c.want {
			t.Errorf("imageTag(%q, %q) = %q, want %q", c.lang, c.version, got, c.want)
		}
	}
}
