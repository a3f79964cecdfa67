package gitlabci

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"release-gen.dev/release-gen/targets/internal/secret"
)

// runnerValue returns what GitLab Runner passes a job for a variable
// written as v: a raw value ({value, expand: false}) as it is, any other
// value expanded (os.Expand); refs lists the variables it expands.
func runnerValue(v any) (value string, raw bool, refs []string) {
	if m, ok := v.(map[string]any); ok {
		if m["expand"] == false {
			return m["value"].(string), true, nil
		}
		v = m["value"]
	}
	s := v.(string)
	expanded := os.Expand(s, func(name string) string {
		refs = append(refs, name)
		return "${" + name + "}"
	})
	return expanded, false, refs
}

// jobVar returns the value a job receives for variable name.
func jobVar(t *testing.T, p pipelineFile, job, name string) string {
	t.Helper()
	j, ok := p.jobs()[job]
	if !ok {
		t.Fatalf("no job %s", job)
	}
	vars, _ := j["variables"].(map[string]any)
	v, ok := vars[name]
	if !ok {
		t.Fatalf("job %s has no variable %s", job, name)
	}
	value, raw, refs := runnerValue(v)
	if !raw && len(refs) > 0 {
		t.Errorf("job %s: variable %s = %q is expanded by GitLab (%v)", job, name, value, refs)
	}
	return value
}

// TestHostileValues reads the hostile pipeline back and checks that each
// hostile value arrives, exactly and as data, where it belongs.
func TestHostileValues(t *testing.T) {
	m := hostile(t)
	p := parse(t, m)
	quote, dash := m.Service("quote"), m.Service("dash")
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("test path", jobVar(t, p, "test-quote", "SERVICE_PATH"), quote.Path)
	check("test command", jobVar(t, p, "test-quote", "TEST_COMMAND"), quote.Test)
	check("test glob", jobVar(t, p, "test-quote", "TEST_GLOB"), quote.TestSplit.Glob)
	check("multi-line test command", jobVar(t, p, "test-dash", "TEST_COMMAND"), dash.Test)
	check("test path (dash)", jobVar(t, p, "test-dash", "SERVICE_PATH"), dash.Path)
	check("build command", jobVar(t, p, "build-quote", "BUILD_COMMAND"), quote.Build)
	check("build context", jobVar(t, p, "build-quote", "SERVICE_PATH"), quote.Path)
	check("dockerfile", jobVar(t, p, "build-quote", "DOCKERFILE"), quote.Dockerfile)
	check("build dockerfile (dash)", jobVar(t, p, "build-dash", "DOCKERFILE"), dash.Dockerfile)
	check("image", jobVar(t, p, "build-quote", "IMAGE"), m.Image(quote))
	check("sign key", jobVar(t, p, "sign-quote", "COSIGN_KEY_REF"), m.Security.Sign.Key)
	check("namespace", jobVar(t, p, "deploy:quote:staging", "NAMESPACE"), "staging")
	check("health path", jobVar(t, p, "deploy:quote:staging", "HEALTH_PATH"), quote.Health)
	check("tag prefix", jobVar(t, p, "deploy:quote:production", "PREFIX"), "prod-")
	check("slack channel", jobVar(t, p, "notify-failure", "SLACK_CHANNEL"), m.Notify.Slack.Channel)
	env := p.jobs()["deploy:quote:staging"]["environment"].(map[string]any)
	check("environment url", env["url"].(string), m.Environments[0].URL)
	if v := gitlabVariable.FindString(env["url"].(string)); v != "" {
		t.Errorf("environment url names the variable %s, which GitLab would expand", v)
	}
	// Paths that a glob cannot name literally are not used as globs.
	check("junit report", p.jobs()["test-quote"]["artifacts"].(map[string]any)["reports"].(map[string]any)["junit"].(string), "**/junit*.xml")
	check("cache key", p.jobs()["test-quote"]["cache"].(map[string]any)["key"].(string), "quote-node-${VERSION}")
}

// TestExpansion: every variable value that GitLab expands refers only to
// the variables it is meant to (GitLab's predefined ones, the matrix
// version, the CI/CD variables named by the spec); every other value is
// written raw.
func TestExpansion(t *testing.T) {
	for _, fx := range fixtures {
		m := fx.m(t)
		sec := secret.Resolve(m.Secrets)
		allowed := []string{"CI_PROJECT_DIR", "CI_COMMIT_SHA", "CI_PROJECT_PATH", "CI_COMMIT_REF_NAME", "CI_PIPELINE_URL",
			sec.AWSRoleARN, sec.AWSRegion, sec.KubeConfig, sec.SlackWebhook, sec.RegistryUsername, sec.RegistryPassword}
		for name, j := range parse(t, m).jobs() {
			vars, _ := j["variables"].(map[string]any)
			for k, v := range vars {
				if _, _, refs := runnerValue(v); len(refs) > 0 {
					for _, r := range refs {
						if !slices.Contains(allowed, r) {
							t.Errorf("%s %s: variable %s expands $%s", fx.name, name, k, r)
						}
					}
				}
			}
			for _, key := range []string{"image"} {
				if s, ok := j[key].(string); ok {
					if _, _, refs := runnerValue(s); len(refs) > 0 && !slices.Equal(refs, []string{"VERSION"}) {
						t.Errorf("%s %s: %s %q expands %v", fx.name, name, key, s, refs)
					}
				}
			}
		}
	}
}

// scriptItems returns every line of a job's before_script, script and
// after_script.
func scriptItems(j map[string]any) []string {
	var out []string
	for _, key := range []string{"before_script", "script", "after_script"} {
		items, _ := j[key].([]any)
		for _, it := range items {
			out = append(out, it.(string))
		}
	}
	return out
}

// TestScriptsHoldNoSpecData: scripts are release-gen's own text; no
// hostile value appears in any of them.
func TestScriptsHoldNoSpecData(t *testing.T) {
	m := hostile(t)
	var values []string
	for _, s := range m.Services {
		values = append(values, s.Path, s.Test, s.Build, s.Dockerfile)
		if s.TestSplit != nil {
			values = append(values, s.TestSplit.Glob)
		}
	}
	for _, e := range m.Environments {
		values = append(values, e.URL)
	}
	values = append(values, m.Security.Sign.Key, m.Notify.Slack.Channel)
	for name, j := range parse(t, m).jobs() {
		for _, item := range scriptItems(j) {
			for _, v := range values {
				if len(v) > 3 && strings.Contains(item, v) {
					t.Errorf("%s: a script holds the spec value %q:\n%s", name, v, item)
				}
			}
		}
	}
}

var wrapped = regexp.MustCompile(`(?s)^bash -eo pipefail -c "\$\(cat <<'` + heredocEnd + `'\n(.*\n)` + heredocEnd + `\n\)"\n$`)

// TestInBash runs every wrapped script line under sh (dash, like the
// docker image's busybox sh a POSIX shell) with a stand-in bash that
// records its script argument: bash must receive the script verbatim.
func TestInBash(t *testing.T) {
	sh, err := exec.LookPath("dash")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dash is not installed; CI must check the bash wrapper")
		}
		t.Skip("dash not found: the bash wrapper is not checked")
	}
	dir := t.TempDir()
	fake := "#!" + sh + "\nprintf '%s' \"$4\" > \"$OUT\"\n"
	if err := os.WriteFile(filepath.Join(dir, "bash"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	n := 0
	for _, fx := range fixtures {
		for name, j := range parse(t, fx.m(t)).jobs() {
			for _, item := range scriptItems(j) {
				match := wrapped.FindStringSubmatch(item)
				if !strings.HasPrefix(item, "bash -eo pipefail -c \"$(cat") {
					continue
				}
				if match == nil {
					t.Errorf("%s %s: malformed wrapper:\n%s", fx.name, name, item)
					continue
				}
				if slices.Contains(strings.Split(match[1], "\n"), heredocEnd) {
					t.Errorf("%s %s: the script holds the here-document's end", fx.name, name)
				}
				cmd := exec.Command(sh, "-c", item)
				cmd.Env = []string{"PATH=" + dir + ":/usr/bin:/bin", "OUT=" + out}
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s %s: %v\n%s", fx.name, name, err, b)
				}
				got, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if want := strings.TrimRight(match[1], "\n"); string(got) != want {
					t.Errorf("%s %s: bash got\n%s\nwant\n%s", fx.name, name, got, want)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no wrapped script found")
	}
}

// TestShellcheck lints every job's script as the runner runs it: the lines
// of bash images as one bash script under set -eo pipefail, the lines of
// the docker image as sh, and each script they hand to bash as bash.
func TestShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck is not installed; CI must lint the scripts")
		}
		t.Skip("shellcheck not found: scripts are not checked")
	}
	seen := map[string]bool{}
	lint := func(what, shell, script string) {
		t.Helper()
		if seen[shell+"\x00"+script] {
			return // the same script of another job
		}
		seen[shell+"\x00"+script] = true
		// SC2153 (a possible misspelling) flags variables that the job
		// defines, as the scripts cannot know.
		cmd := exec.Command(sc, "-s", shell, "-e", "SC2153", "-")
		cmd.Stdin = strings.NewReader(script)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("shellcheck %s (%s): %v\n%s", what, shell, err, b)
		}
	}
	for _, fx := range fixtures {
		m := fx.m(t)
		for name, j := range parse(t, m).jobs() {
			items := scriptItems(j)
			image, _ := j["image"].(string)
			shell, set := "sh", "set -e\n"
			if image != "" {
				shell, set = "bash", "set -eo pipefail\n"
			}
			lint(fx.name+" "+name, shell, set+strings.Join(items, "\n")+"\n")
			for _, item := range items {
				if match := wrapped.FindStringSubmatch(item); match != nil {
					lint(fx.name+" "+name+" (bash)", "bash", match[1])
				}
			}
		}
	}
}
