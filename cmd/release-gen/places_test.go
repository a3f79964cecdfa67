package main

// Tests of the places release-gen runs besides a terminal: the composite
// GitHub action (action.yml) and the pre-commit hooks
// (.pre-commit-hooks.yaml), each driven by the real tool where it exists.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const spec = `package release

name:     "shop"
registry: "ghcr.io/acme"
targets: ["github"]
services: api: language: "go"
`

// need returns the path of a tool the test cannot do without: missing in
// CI it fails the test, elsewhere it skips it with the reason.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI (../shared/conformance/install.sh installs it)", tool)
		}
		t.Skipf("%s is not installed", tool)
	}
	return p
}

func run(t *testing.T, dir string, env []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	// The fast path's cache goes to the test's directory, not the user's.
	cmd.Env = append(append(os.Environ(), "RELEASE_GEN_CACHE="+t.TempDir()), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// buildBinary builds release-gen into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "release-gen")
	if out, err := run(t, ".", nil, "go", "build", "-o", bin, "."); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestActionChecksDrift runs action.yml's steps as the runner would: each
// run script in bash with the step's env, ${{ inputs.* }} resolved, and a
// go that installs the release-gen built from this checkout.
func TestActionChecksDrift(t *testing.T) {
	bash := need(t, "bash")
	tmp := t.TempDir()
	bin := buildBinary(t, tmp)
	stubs := filepath.Join(tmp, "stubs")
	os.MkdirAll(stubs, 0o755)
	// go install <module>@<version> copies the binary into GOBIN.
	os.WriteFile(filepath.Join(stubs, "go"), []byte("#!/bin/sh\n[ \"$1\" = install ] || exit 9\nmkdir -p \"$GOBIN\" && cp '"+bin+"' \"$GOBIN/release-gen\"\n"), 0o755)

	data, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]struct{ Default string } `yaml:"inputs"`
		Runs   struct {
			Using string `yaml:"using"`
			Steps []struct {
				Name  string            `yaml:"name"`
				Shell string            `yaml:"shell"`
				Env   map[string]string `yaml:"env"`
				Run   string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" || len(action.Runs.Steps) == 0 {
		t.Fatalf("not a composite action: %+v", action.Runs)
	}
	inputRef := regexp.MustCompile(`\$\{\{\s*inputs\.([a-z-]+)\s*\}\}`)
	shellcheck := need(t, "shellcheck")
	for _, s := range action.Runs.Steps {
		script := filepath.Join(tmp, "step.sh")
		os.WriteFile(script, []byte("#!/bin/bash\n"+s.Run), 0o644)
		if out, err := run(t, tmp, nil, shellcheck, "-S", "style", script); err != nil {
			t.Errorf("shellcheck finds problems in step %q:\n%s", s.Name, out)
		}
	}
	for _, s := range action.Runs.Steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q interpolates an expression into its script; pass it through env", s.Name)
		}
		if s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash", s.Name, s.Shell)
		}
		for _, v := range s.Env {
			for _, m := range inputRef.FindAllStringSubmatch(v, -1) {
				if _, ok := action.Inputs[m[1]]; !ok {
					t.Errorf("step %q uses undeclared input %q", s.Name, m[1])
				}
			}
		}
	}

	runAction := func(t *testing.T, workspace string, inputs map[string]string) (string, error) {
		t.Helper()
		runnerTemp := t.TempDir()
		githubPath := filepath.Join(runnerTemp, "path")
		os.WriteFile(githubPath, nil, 0o644)
		path := stubs + ":" + os.Getenv("PATH")
		var log strings.Builder
		for _, s := range action.Runs.Steps {
			env := []string{"RUNNER_TEMP=" + runnerTemp, "GITHUB_PATH=" + githubPath, "GITHUB_ACTIONS=true"}
			for k, v := range s.Env {
				v = inputRef.ReplaceAllStringFunc(v, func(ref string) string {
					name := inputRef.FindStringSubmatch(ref)[1]
					if val, ok := inputs[name]; ok {
						return val
					}
					return action.Inputs[name].Default
				})
				env = append(env, k+"="+v)
			}
			added, _ := os.ReadFile(githubPath)
			for _, p := range strings.Fields(string(added)) {
				path = p + ":" + path
			}
			env = append(env, "PATH="+path)
			out, err := run(t, workspace, env, bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
			log.WriteString(out)
			if err != nil {
				return log.String(), err
			}
		}
		return log.String(), nil
	}

	ws := t.TempDir()
	os.WriteFile(filepath.Join(ws, "release.cue"), []byte(spec), 0o644)
	if out, err := run(t, ws, nil, bin, "build"); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	if out, err := runAction(t, ws, nil); err != nil {
		t.Fatalf("the action fails on a clean repo: %v\n%s", err, out)
	}
	f, _ := os.OpenFile(filepath.Join(ws, ".github", "workflows", "release.yml"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("# edited\n")
	f.Close()
	out, err := runAction(t, ws, nil)
	if err == nil || !strings.Contains(out, "::error file=.github/workflows/release.yml,title=release-gen drift::") {
		t.Errorf("the action must fail on drift with an annotation: %v\n%s", err, out)
	}
	if out, err := runAction(t, ws, map[string]string{"version": "latest; rm -rf /"}); err == nil || !strings.Contains(out, "version must be a release version") {
		t.Errorf("a hostile version input must be refused: %v\n%s", err, out)
	}
}

// TestPreCommitHooks runs the real pre-commit against a repository that
// uses this checkout's hooks. Offline: the hook's Go build uses the module
// cache that `go mod download` filled, with the proxy off.
func TestPreCommitHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds release-gen through pre-commit")
	}
	preCommit := need(t, "pre-commit")
	gitBin := need(t, "git")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// pre-commit installs hooks from a commit of the hook repository.
	head, err := run(t, root, nil, gitBin, "rev-parse", "HEAD")
	if err != nil {
		t.Skipf("the checkout has no commit: %v", err)
	}
	if out, _ := run(t, root, nil, gitBin, "status", "--porcelain", "--", ".pre-commit-hooks.yaml"); strings.TrimSpace(out) != "" {
		t.Skip(".pre-commit-hooks.yaml has uncommitted changes; pre-commit would test the committed version")
	}
	modCache, _ := run(t, root, nil, "go", "env", "GOMODCACHE")
	buildCache, _ := run(t, root, nil, "go", "env", "GOCACHE")
	home := t.TempDir()
	env := []string{
		"HOME=" + home, "PRE_COMMIT_HOME=" + filepath.Join(home, "pre-commit"),
		"GOMODCACHE=" + strings.TrimSpace(modCache), "GOCACHE=" + strings.TrimSpace(buildCache), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
	}
	repo := t.TempDir()
	config := "repos:\n  - repo: " + root + "\n    rev: " + strings.TrimSpace(head) + "\n    hooks:\n      - id: release-gen-check\n      - id: release-gen-build\n        stages: [manual]\n"
	os.WriteFile(filepath.Join(repo, ".pre-commit-config.yaml"), []byte(config), 0o644)
	os.WriteFile(filepath.Join(repo, "release.cue"), []byte(spec), 0o644)
	git := func(args ...string) {
		t.Helper()
		if out, err := run(t, repo, env, gitBin, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")

	// The build hook writes the outputs.
	out, err := run(t, repo, env, preCommit, "run", "--all-files", "--hook-stage", "manual", "release-gen-build")
	if err != nil {
		t.Fatalf("build hook: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(repo, ".github", "workflows", "release.yml")); err != nil {
		t.Fatalf("the build hook did not write the workflow: %v\n%s", err, out)
	}
	git("add", ".")
	if out, err := run(t, repo, env, preCommit, "run", "--all-files", "release-gen-check"); err != nil {
		t.Fatalf("check hook fails on a clean repo: %v\n%s", err, out)
	}
	// A hand edit fails the check hook with the drift message.
	f, _ := os.OpenFile(filepath.Join(repo, ".github", "workflows", "release.yml"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("# edited\n")
	f.Close()
	out, err = run(t, repo, env, preCommit, "run", "--all-files", "release-gen-check")
	if err == nil || !strings.Contains(out, "drift: .github/workflows/release.yml (hand-edited)") {
		t.Errorf("check hook must fail on a hand edit: %v\n%s", err, out)
	}
	// The build hook regenerates the file; pre-commit reports the change.
	out, err = run(t, repo, env, preCommit, "run", "--all-files", "--hook-stage", "manual", "release-gen-build")
	if err == nil || !strings.Contains(out, "files were modified by this hook") {
		t.Errorf("build hook must regenerate the edited file: %v\n%s", err, out)
	}
	if out, err := run(t, repo, env, preCommit, "run", "--all-files", "release-gen-check"); err != nil {
		t.Errorf("check hook after the build hook: %v\n%s", err, out)
	}
}
