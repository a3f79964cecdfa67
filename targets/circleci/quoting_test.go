package circleci

import (
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// unescape is the inverse of literal: what CircleCI makes of a string
// literal wrote.
func unescape(s string) string { return strings.ReplaceAll(s, escapedOpen, "<<") }

// doc parses a rendered config into a node tree.
func doc(t *testing.T, data []byte) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatalf("the config does not parse: %v", err)
	}
	return n.Content[0]
}

// at walks a path of mapping keys and sequence indexes ("0", "1", ...).
func at(t *testing.T, n *yaml.Node, keys ...string) *yaml.Node {
	t.Helper()
	for _, k := range keys {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				if k == string(rune('0'+i)) {
					next = c
				}
			}
		}
		if next == nil {
			t.Fatalf("no %q in the path %v", k, keys)
		}
		n = next
	}
	return n
}

// step returns the run step called name in a list of steps.
func step(t *testing.T, steps *yaml.Node, name string) *yaml.Node {
	t.Helper()
	for _, s := range steps.Content {
		if r := get(s, "run"); r != nil && get(r, "name") != nil && get(r, "name").Value == name {
			return r
		}
	}
	t.Fatalf("no run step %q", name)
	return nil
}

func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// value is what a config string means to CircleCI: the YAML value with
// "\<<" read as "<<".
func value(t *testing.T, n *yaml.Node, keys ...string) string {
	t.Helper()
	return unescape(at(t, n, keys...).Value)
}

// TestHostileValues checks that each adversarial value of the hostile spec
// arrives exactly where it belongs, as a whole environment value.
func TestHostileValues(t *testing.T) {
	m := targettest.Compile(t, specs["Hostile"])
	root := doc(t, render(t, m).Data)
	jobs := at(t, root, "jobs")
	for _, s := range m.Services {
		test := at(t, jobs, "test-"+s.Name, "steps")
		for k, want := range map[string]string{"SERVICE_PATH": s.Path, "TEST_COMMAND": s.Test} {
			if got := value(t, step(t, test, "Test"), "environment", k); got != want {
				t.Errorf("test-%s %s = %q, want %q", s.Name, k, got, want)
			}
		}
		if ts := s.TestSplit; ts != nil {
			if got := value(t, step(t, test, "Test"), "environment", "TEST_GLOB"); got != ts.Glob {
				t.Errorf("test-%s TEST_GLOB = %q, want %q", s.Name, got, ts.Glob)
			}
		}
		lock := value(t, step(t, test, "Stage the lockfile for the cache key"), "environment", "LOCKFILE")
		if want := path.Join(s.Path, s.Toolchain.LockFile); lock != want {
			t.Errorf("test-%s LOCKFILE = %q, want %q", s.Name, lock, want)
		}
		key := value(t, test, "2", "restore_cache", "keys", "0")
		if !strings.HasSuffix(key, `{{ checksum "`+stagedLockfile+`" }}`) {
			t.Errorf("test-%s: cache key %q does not name the staged lockfile", s.Name, key)
		}
		build := at(t, jobs, "build-"+s.Name, "environment")
		want := map[string]string{"BUILD_CONTEXT": s.Path, "DOCKERFILE": s.Dockerfile, "IMAGE": m.Image(s)}
		if s.Build != "" {
			want["BUILD_COMMAND"] = s.Build
		}
		for k, w := range want {
			if got := value(t, build, k); got != w {
				t.Errorf("build-%s %s = %q, want %q", s.Name, k, got, w)
			}
		}
	}
	sign := at(t, root, "commands", cmdSignImage, "steps")
	if got := value(t, step(t, sign, "Sign the image and attest its SBOM"), "environment", "COSIGN_KEY_REF"); got != m.Security.Sign.Key {
		t.Errorf("COSIGN_KEY_REF = %q, want %q", got, m.Security.Sign.Key)
	}
	notify := at(t, root, "commands", cmdNotifyFailure, "steps")
	if got := value(t, step(t, notify, "Announce the result in Slack"), "environment", "SLACK_CHANNEL"); got != m.Notify.Slack.Channel {
		t.Errorf("SLACK_CHANNEL = %q, want %q", got, m.Notify.Slack.Channel)
	}
}

// templates are the only "<<" the config holds on purpose.
var templates = regexp.MustCompile(`<< (parameters\.version|matrix\.version|pipeline\.project\.slug) >>`)

// strayOpen reports every "<<" in the document's strings that CircleCI
// would read as the start of a template: not escaped, and not one of the
// config's own templates.
func strayOpen(n *yaml.Node) []string {
	var out []string
	if n.Kind == yaml.ScalarNode {
		s := templates.ReplaceAllString(strings.ReplaceAll(n.Value, escapedOpen, ""), "")
		if strings.Contains(s, "<<") {
			out = append(out, n.Value)
		}
	}
	for _, c := range n.Content {
		out = append(out, strayOpen(c)...)
	}
	return out
}

// TestTemplateEscaping checks that spec values holding "<<" (a heredoc, a
// parameter reference) reach the shell unchanged, and that no string in
// any config holds a "<<" CircleCI would interpolate.
func TestTemplateEscaping(t *testing.T) {
	m := targettest.Compile(t, specs["Shop"])
	svc := m.Services[0]
	svc.Test = "cat <<EOF\n<< parameters.version >> << pipeline.git.branch >>\nEOF\nnpm test"
	svc.Build = "make <<< x"
	root := doc(t, render(t, m).Data)
	env := at(t, root, "jobs", "test-"+svc.Name, "steps", "2", "run", "environment")
	if raw := at(t, env, "TEST_COMMAND").Value; !strings.Contains(raw, `cat \<<EOF`) {
		t.Errorf("TEST_COMMAND is not escaped: %q", raw)
	}
	if got := value(t, env, "TEST_COMMAND"); got != svc.Test {
		t.Errorf("TEST_COMMAND means %q, want %q", got, svc.Test)
	}
	if got := value(t, root, "jobs", "build-"+svc.Name, "environment", "BUILD_COMMAND"); got != svc.Build {
		t.Errorf("BUILD_COMMAND means %q, want %q", got, svc.Build)
	}
	if stray := strayOpen(root); len(stray) > 0 {
		t.Errorf("strings CircleCI would interpolate: %q", stray)
	}
	for name, dir := range specs {
		if stray := strayOpen(doc(t, render(t, targettest.Compile(t, dir)).Data)); len(stray) > 0 {
			t.Errorf("%s: strings CircleCI would interpolate: %q", name, stray)
		}
	}
}

// TestShellcheck runs shellcheck on every run command of every config, as
// CircleCI runs it (bash, after reading "\<<" as "<<").
func TestShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck is not installed; CI must check the run commands")
		}
		t.Skip("shellcheck not found")
	}
	seen := map[string]bool{}
	for name, dir := range specs {
		m := targettest.Compile(t, dir)
		for _, cmd := range commandsOf(doc(t, render(t, m).Data)) {
			if seen[cmd] {
				continue
			}
			seen[cmd] = true
			// SC2153 takes the variables the environment: map sets for
			// misspellings of the script's own.
			c := exec.Command(sc, "--shell=bash", "--severity=style", "--exclude=SC2153", "-")
			// CircleCI runs commands with /bin/bash -eo pipefail.
			c.Stdin = strings.NewReader("set -eo pipefail\n" + unescape(cmd))
			if out, err := c.CombinedOutput(); err != nil {
				t.Errorf("%s: shellcheck: %v\n%s\n--- script:\n%s", name, err, out, cmd)
			}
		}
	}
}

// commandsOf returns the command of every run step in the document.
func commandsOf(n *yaml.Node) []string {
	var out []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "run" {
				if c := get(n.Content[i+1], "command"); c != nil {
					out = append(out, c.Value)
				}
			}
		}
	}
	for _, c := range n.Content {
		out = append(out, commandsOf(c)...)
	}
	return out
}

// TestSecretNames checks that renamed secrets are read under their names,
// which travel as data: the scripts look them up with ${!NAME}.
func TestSecretNames(t *testing.T) {
	m := targettest.Compile(t, specs["Shop"])
	m.Secrets = model.Secrets{AWSRoleARN: "DEPLOY_ROLE", KubeConfig: "CLUSTER_CREDENTIALS", SlackWebhook: "HOOK"}
	root := doc(t, render(t, m).Data)
	for _, c := range []struct {
		command, step, key, want string
	}{
		{cmdAWSCredentials, "Assume the AWS role", "ROLE_ARN_VARIABLE", "DEPLOY_ROLE"},
		{cmdDeployImage, "Write the kubeconfig", "KUBE_CONFIG_VARIABLE", "CLUSTER_CREDENTIALS"},
		{cmdNotifyFailure, "Announce the result in Slack", "SLACK_WEBHOOK_VARIABLE", "HOOK"},
	} {
		s := step(t, at(t, root, "commands", c.command, "steps"), c.step)
		if got := value(t, s, "environment", c.key); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.command, c.key, got, c.want)
		}
	}
}
