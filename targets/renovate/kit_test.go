package renovate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// renovateKit returns the Node.js binary and Renovate's dist directory
// that the conformance kit's install.sh put into CONFORMANCE_HOME.
func renovateKit(t *testing.T) (node, dist string) {
	t.Helper()
	home := os.Getenv("CONFORMANCE_HOME")
	if home == "" {
		dir, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		home = filepath.Join(dir, ".cache", "release-gen-conformance")
	}
	node = filepath.Join(home, "npm", "node24", "node_modules", ".bin", "node")
	dist = filepath.Join(home, "npm", "renovate", "node_modules", "renovate", "dist")
	for _, p := range []string{node, filepath.Join(dist, "renovate.js")} {
		if _, err := os.Stat(p); err != nil {
			targettest.Unavailable(t, "renovate from the conformance kit is not installed (%v): run install.sh or set CONFORMANCE_HOME", err)
		}
	}
	return node, dist
}

// TestRecommendedIgnorePaths holds recommendedIgnorePaths equal to the
// :ignoreModulesAndTests preset of the Renovate the kit installs, and that
// preset part of config:recommended.
func TestRecommendedIgnorePaths(t *testing.T) {
	_, dist := renovateKit(t)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dist, "config", "presets", "internal", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	preset := regexp.MustCompile(`(?s)ignoreModulesAndTests: \{.*?ignorePaths: \[(.*?)\]`).FindStringSubmatch(read("default.preset.js"))
	if preset == nil {
		t.Fatal("no ignoreModulesAndTests preset in default.preset.js")
	}
	var got []string
	for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(preset[1], -1) {
		got = append(got, m[1])
	}
	if diff := cmp.Diff(got, recommendedIgnorePaths); diff != "" {
		t.Errorf("recommendedIgnorePaths differs from Renovate's :ignoreModulesAndTests (-renovate +ours):\n%s", diff)
	}
	recommended := regexp.MustCompile(`(?s)recommended: \{.*?extends: \[(.*?)\]`).FindStringSubmatch(read("config.preset.js"))
	if recommended == nil || !strings.Contains(recommended[1], `":ignoreModulesAndTests"`) {
		t.Errorf("config:recommended no longer extends :ignoreModulesAndTests: %q", recommended)
	}
	for _, p := range recommendedIgnorePaths {
		if !strings.HasPrefix(p, "**/") || !strings.HasSuffix(p, "/**") || strings.Count(p, "/") != 2 {
			t.Errorf("ignorePaths assumes patterns of the form **/<dir>/**, not %q", p)
		}
	}
}

// TestRenovateExtracts runs Renovate itself (--platform=local
// --dry-run=extract, offline) on a repository holding the platform
// example's renovate.json, its spec with annotated versions lists and a
// generated workflow: Renovate must find exactly the dependencies the Go
// emulation finds, and nothing in the generated file, while a workflow
// release-gen did not write is still read.
func TestRenovateExtracts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Renovate: skipped in -short mode")
	}
	node, dist := renovateKit(t)
	if _, err := exec.LookPath("git"); err != nil {
		targettest.Unavailable(t, "git is not installed: %v", err)
	}
	m := targettest.Compile(t, "examples/platform")
	files := render(t, m)
	spec := annotate(t, readSpec(t, "examples/platform/release.cue"), "//", map[string]string{
		`versions: ["1.25", "1.26"]`: "datasource=docker depName=golang",
		`versions: ["21"]`:           "datasource=docker depName=eclipse-temurin",
		`versions: ["3.12", "3.13"]`: "datasource=docker depName=python",
		`versions: ["22"]`:           "datasource=node-version depName=node versioning=node",
	})
	const workflow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n"
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	for path, data := range map[string]string{
		Path:                            string(files[0].Data),
		"examples/platform/release.cue": spec,
		"examples/platform/.github/workflows/release.yml": workflow,
		".github/workflows/own.yml":                       workflow,
	} {
		p := filepath.Join(repo, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	global := filepath.Join(tmp, "config.js")
	if err := os.WriteFile(global, []byte("module.exports = {};\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", ".")
	git("add", "-A")
	git("commit", "-q", "-m", "init")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dist, "renovate.js"),
		"--platform=local", "--dry-run=extract", "--onboarding=false", "--require-config=optional")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "LOG_FORMAT=json", "LOG_LEVEL=info",
		"RENOVATE_CONFIG_FILE="+global, "RENOVATE_BASE_DIR="+filepath.Join(tmp, "base"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := targettest.Output(t, cmd)
	if err != nil {
		t.Fatalf("renovate: %v\n%s%s", err, out, stderr.Bytes())
	}
	type record struct {
		Msg          string `json:"msg"`
		PackageFiles map[string][]struct {
			PackageFile               string `json:"packageFile"`
			AutoReplaceStringTemplate string `json:"autoReplaceStringTemplate"`
			Deps                      []struct {
				DepName, Datasource, Versioning, CurrentValue, ReplaceString string
			} `json:"deps"`
		} `json:"packageFiles"`
	}
	var found *record
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Msg == "Extracted dependencies" {
			found = &r
		}
	}
	if found == nil {
		t.Fatalf("renovate logged no extracted dependencies:\n%s", out)
	}
	var got []dep
	var workflows []string
	for manager, pfs := range found.PackageFiles {
		for _, pf := range pfs {
			switch manager {
			case "regex":
				if pf.PackageFile != "examples/platform/release.cue" {
					t.Errorf("regex manager read %s", pf.PackageFile)
				}
				i := 0
				if pf.AutoReplaceStringTemplate != "" {
					i = 1
				}
				for _, d := range pf.Deps {
					got = append(got, dep{Manager: i, DepName: d.DepName, Datasource: d.Datasource, Versioning: d.Versioning, CurrentValue: d.CurrentValue, ReplaceString: d.ReplaceString})
				}
			case "github-actions":
				workflows = append(workflows, pf.PackageFile)
			default:
				t.Errorf("manager %s read %s", manager, pf.PackageFile)
			}
		}
	}
	less := func(a, b dep) int { return strings.Compare(a.DepName, b.DepName) }
	want := extract(t, customManagers(m), spec)
	slices.SortFunc(got, less)
	slices.SortFunc(want, less)
	if len(want) != 4 {
		t.Fatalf("the Go emulation found %+v", want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Renovate's extraction differs from the Go emulation (-go +renovate):\n%s", diff)
	}
	if diff := cmp.Diff([]string{".github/workflows/own.yml"}, workflows); diff != "" {
		t.Errorf("workflow files Renovate reads (-want +got):\n%s", diff)
	}
}
