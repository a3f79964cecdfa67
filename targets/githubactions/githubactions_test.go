package githubactions

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/targettest"

	"github.com/google/go-cmp/cmp"
	"github.com/rhysd/actionlint"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// render renders m twice, requires byte-identical results, and checks the
// file contract: sorted paths, the github target, the generated header,
// LF endings and a final newline.
func render(t *testing.T, m *model.Release) []targets.File {
	t.Helper()
	files, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	again, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("second Render: %v", err)
	}
	if diff := cmp.Diff(files, again); diff != "" {
		t.Fatalf("two renders differ (-first +second):\n%s", diff)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		if f.Target != "github" {
			t.Errorf("%s: Target = %q", f.Path, f.Target)
		}
		if !bytes.HasPrefix(f.Data, []byte(targets.Header("#", m))) {
			t.Errorf("%s: does not start with the generated header", f.Path)
		}
		if !bytes.HasSuffix(f.Data, []byte("\n")) || bytes.Contains(f.Data, []byte("\r")) {
			t.Errorf("%s: must use LF line endings and end in a newline", f.Path)
		}
	}
	if !slices.IsSorted(paths) {
		t.Errorf("files not sorted by path: %v", paths)
	}
	for _, p := range paths {
		if !slices.Contains(Target{}.Outputs(), p) {
			t.Errorf("%s is not among Outputs() %v", p, Target{}.Outputs())
		}
	}
	return files
}

// lint runs actionlint in-process, with shellcheck on every run: script
// when it is installed (CI installs it; there its absence fails the test),
// and requires zero findings.
func lint(t *testing.T, files []targets.File) {
	t.Helper()
	for _, e := range actionlintErrors(t, files) {
		t.Error(e)
	}
}

// actionlintErrors writes files into a new repository directory and runs
// actionlint on each of them there, as a project: a caller's
// "uses: ./.github/workflows/x.yml" then resolves to the rendered x.yml,
// and actionlint checks the inputs and secrets the caller passes against
// the ones x.yml declares, and the outputs the caller's dependents read.
func actionlintErrors(t *testing.T, files []targets.File) []string {
	t.Helper()
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck is not installed; CI must lint run: scripts")
		}
		t.Log("shellcheck not found: scripts are not checked")
		sc = ""
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".github", "workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	targettest.WriteFiles(t, dir, files...)
	project, err := actionlint.NewProject(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{Shellcheck: sc, WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		errs, err := l.Lint(filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data, project)
		if err != nil {
			t.Fatalf("actionlint %s: %v", f.Path, err)
		}
		for _, e := range errs {
			out = append(out, fmt.Sprintf("actionlint %s:%d:%d: %s [%s]", f.Path, e.Line, e.Column, e.Message, e.Kind))
		}
	}
	return out
}

func TestShop(t *testing.T) {
	files := render(t, shopRelease())
	lint(t, files)
	targettest.Golden(t, files...)
}

func TestGHCR(t *testing.T) {
	files := render(t, ghcrRelease())
	lint(t, files)
	targettest.Golden(t, files...)
}

func TestHostile(t *testing.T) {
	files := render(t, hostileRelease())
	lint(t, files)
	targettest.Golden(t, files...)
}

func TestNotSelected(t *testing.T) {
	m := shopRelease()
	m.Targets = []string{"gitlab"}
	files, err := Target{}.Render(m)
	if err != nil || files != nil {
		t.Errorf("Render = %v, %v; want nothing", files, err)
	}
	if ds := (Target{}).Check(m); ds != nil {
		t.Errorf("Check = %v; want nothing", ds)
	}
}

func TestName(t *testing.T) {
	if got := (Target{}).Name(); got != "github" {
		t.Errorf("Name() = %q", got)
	}
}

func TestCheck(t *testing.T) {
	m := shopRelease()
	m.Environments[0].TagPrefix = "bad prefix/"
	m.Secrets.KubeConfig = "KUBE-CONFIG"
	m.Services[0].Canary = &model.Canary{Interval: "1h", MaxWeight: 50, StepWeight: 10}
	m.Plan.Jobs[1].ID = "test.auth"
	m.Plan.Job("test-api").Shards = 100
	m.Branch = "a${{b}}"
	var got []string
	for _, d := range (Target{}).Check(m).Sort() {
		got = append(got, d.Message)
	}
	want := []string{
		`"KUBE-CONFIG" is not a valid GitHub secret name: use letters, digits and '_', not starting with a digit or GITHUB_`,
		"branch \"a${{b}}\" contains \"${{\", which GitHub's branch filters cannot express",
		`canary interval "1h" does not match ^[0-9]+(s|m)$`,
		`job id "test.auth" is not a valid GitHub Actions job id: use letters, digits, '-' and '_'`,
		`job test-api would run 300 times (versions x shards); a GitHub Actions matrix may generate at most 256 jobs`,
		`tagPrefix "bad prefix/" cannot start a docker tag: use letters, digits, '_', '.' and '-'`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := (Target{}).Render(m); err == nil {
		t.Error("Render accepted a release that Check rejects")
	}
}

func TestCanaryWait(t *testing.T) {
	for _, tc := range []struct {
		c    model.Canary
		want string
	}{
		{model.Canary{Interval: "1m", Threshold: 5, MaxWeight: 50, StepWeight: 10}, "18m0s"},
		{model.Canary{Interval: "30s", Threshold: 2, MaxWeight: 20, StepWeight: 10}, "8m30s"},
	} {
		got, err := shell.CanaryWaitDuration(&tc.c)
		if err != nil || got.String() != tc.want {
			t.Errorf("shell.CanaryWaitDuration(%+v) = %v, %v; want %s", tc.c, got, err, tc.want)
		}
	}
}

// TestOutputsMatchRender: the shop release has every kind of job, so it
// writes every file Outputs() lists.
func TestOutputsMatchRender(t *testing.T) {
	var paths []string
	for _, f := range render(t, shopRelease()) {
		paths = append(paths, f.Path)
	}
	if diff := cmp.Diff(Target{}.Outputs(), paths); diff != "" {
		t.Errorf("paths differ from Outputs() (-want +got):\n%s", diff)
	}
}

// TestOnlyKindsPresent: a called workflow is written only for the kinds
// of job the plan has.
func TestOnlyKindsPresent(t *testing.T) {
	m := ghcrRelease()
	m.Security = model.Security{}
	m.Plan = buildPlan(m)
	var paths []string
	for _, f := range render(t, m) {
		paths = append(paths, f.Path)
	}
	want := []string{PromotePath, calledPath(model.JobBuild), calledPath(model.JobDeploy), calledPath(model.JobTest), ReleasePath}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
