package githubactions

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"release-gen.dev/release-gen/targets/internal/shell"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// evalData evaluates a workflow value the way GitHub does, for values that
// may hold only neutralised data: every ${{ }} in it must be a string
// literal, which is replaced by its value. Any other expression is an
// error, since it would evaluate spec data.
func evalData(s string) (string, error) { return evalIn(s, nil) }

// evalIn is evalData in a called workflow: an expression may also read an
// input, which is replaced by its value in inputs.
func evalIn(s string, inputs map[string]string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		src := s[i+3:]
		_, end, lexErr := actionlint.LexExpression(src)
		if lexErr != nil {
			return "", fmt.Errorf("lexing %q: %s", src, lexErr.Message)
		}
		node, perr := actionlint.NewExprParser().Parse(actionlint.NewExprLexer(src))
		if perr != nil {
			return "", fmt.Errorf("parsing %q: %s", src, perr.Message)
		}
		switch n := node.(type) {
		case *actionlint.StringNode:
			b.WriteString(n.Value)
		case *actionlint.ObjectDerefNode:
			v, ok := n.Receiver.(*actionlint.VariableNode)
			value, set := inputs[n.Property]
			if !ok || v.Name != "inputs" || !set {
				return "", fmt.Errorf("%q reads something other than a known input", s[i:i+3+end])
			}
			b.WriteString(value)
		default:
			return "", fmt.Errorf("%q holds an expression that is not a string literal", s[i:i+3+end])
		}
		s = src[end:]
	}
}

func TestLiteral(t *testing.T) {
	for _, s := range []string{
		"", "plain", "${{ github.token }}", "${{", "}}", "$${{x}}", "${{{", "${{ '${{' }}",
		"a ${{ secrets.X }} b ${{ inputs.y }}", "'${{'", "it's ${{ \"q\" }}", "${{${{${{",
		hostileTest, hostilePath, hostileSlack,
	} {
		got := literal(s)
		back, err := evalData(got)
		if err != nil {
			t.Errorf("literal(%q) = %q: %v", s, got, err)
			continue
		}
		if back != s {
			t.Errorf("literal(%q) = %q evaluates to %q", s, got, back)
		}
	}
}

// TestLiteralActionlint shows that actionlint (GitHub's rules) accepts
// neutralised data in env values, step names and run scripts.
func TestLiteralActionlint(t *testing.T) {
	v := literal(`echo '${{ github.token }}' "${{ secrets.X }}" "${{ github.event.pull_request.title }}"`)
	wf := "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n" +
		"      - name: " + quoteYAML(literal("name ${{ github.token }}")) + "\n" +
		"        env:\n          X: " + quoteYAML(v) + "\n" +
		"        run: " + quoteYAML(v) + "\n"
	lint(t, []targets.File{{Path: ".github/workflows/x.yml", Data: []byte(wf)}})
}

func quoteYAML(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

type fixture struct {
	name string
	m    func() *model.Release
}

var fixtures = []fixture{{"shop", shopRelease}, {"ghcr", ghcrRelease}, {"hostile", hostileRelease}}

// workflow is a rendered workflow read back with yaml.v3.
type workflow struct {
	path string
	root *yaml.Node
	doc  map[string]any
}

func parseAll(t *testing.T, m *model.Release) []workflow {
	t.Helper()
	files, err := Target{}.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	var out []workflow
	for _, f := range files {
		w := workflow{path: f.Path, root: &yaml.Node{}}
		if err := yaml.Unmarshal(f.Data, w.root); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if err := w.root.Decode(&w.doc); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		out = append(out, w)
	}
	return out
}

func (w workflow) jobs() map[string]any { return w.doc["jobs"].(map[string]any) }

// file returns the rendered workflow at path.
func file(t *testing.T, ws []workflow, path string) workflow {
	t.Helper()
	for _, w := range ws {
		if w.path == path {
			return w
		}
	}
	t.Fatalf("no file %s", path)
	return workflow{}
}

// steps returns a job's steps; a job that calls a workflow has none.
func steps(job any) []map[string]any {
	var out []map[string]any
	list, _ := job.(map[string]any)["steps"].([]any)
	for _, s := range list {
		out = append(out, s.(map[string]any))
	}
	return out
}

// callee returns the workflow a caller job of release.yml calls and its
// job, or ok false for a job that runs inline.
func callee(t *testing.T, ws []workflow, job any) (w workflow, j map[string]any, ok bool) {
	t.Helper()
	uses, _ := job.(map[string]any)["uses"].(string)
	if uses == "" {
		return workflow{}, nil, false
	}
	w = file(t, ws, strings.TrimPrefix(uses, "./"))
	jobs := w.jobs()
	if len(jobs) != 1 {
		t.Fatalf("%s has %d jobs, want 1", w.path, len(jobs))
	}
	for _, j := range jobs {
		return w, j.(map[string]any), true
	}
	return
}

// inputsOf returns the inputs the called workflow of caller job id
// receives, evaluated as GitHub does: what the caller passes, or the
// input's default. A value that is not data (an expression reading
// needs) is kept as written.
func inputsOf(t *testing.T, ws []workflow, id string) map[string]string {
	t.Helper()
	caller := file(t, ws, ReleasePath).jobs()[id]
	w, _, ok := callee(t, ws, caller)
	if !ok {
		t.Fatalf("job %s calls no workflow", id)
	}
	with, _ := caller.(map[string]any)["with"].(map[string]any)
	declared := w.doc["on"].(map[string]any)["workflow_call"].(map[string]any)["inputs"].(map[string]any)
	out := map[string]string{}
	for name, d := range declared {
		v, passed := with[name]
		if !passed {
			v = d.(map[string]any)["default"]
		}
		s := fmt.Sprint(v)
		if str, ok := v.(string); ok {
			if e, err := evalData(str); err == nil {
				s = e
			}
		}
		out[name] = s
	}
	return out
}

// TestNoExpressionInRun: no run: script holds a GitHub expression, except
// the neutralised "${{" that stands for spec data.
func TestNoExpressionInRun(t *testing.T) {
	for _, fx := range fixtures {
		for _, w := range parseAll(t, fx.m()) {
			for id, j := range w.jobs() {
				for _, s := range steps(j) {
					run, _ := s["run"].(string)
					if strings.Contains(strings.ReplaceAll(run, neutralised, ""), "${{") {
						t.Errorf("%s %s: job %s step %q: run holds an expression:\n%s", fx.name, w.path, id, s["name"], run)
					}
				}
			}
		}
	}
}

var (
	pinRe     = regexp.MustCompile(`^[a-z0-9-]+/[a-z0-9-]+@[0-9a-f]{40}$`)
	versionRe = regexp.MustCompile(`^# v[0-9]+\.[0-9]+\.[0-9]+$`)
)

// TestNoInputsInRun: no run: script of a called workflow reads an input
// through an expression, the script injection GitHub warns about; inputs
// reach scripts only through env:.
func TestNoInputsInRun(t *testing.T) {
	for _, fx := range fixtures {
		for _, w := range parseAll(t, fx.m()) {
			walk(w.root, func(k, v *yaml.Node) {
				if k.Value == "run" && strings.Contains(v.Value, "inputs.") && strings.Contains(v.Value, "${{") {
					t.Errorf("%s %s:%d: run: reads an input through an expression", fx.name, w.path, v.Line)
				}
			})
		}
	}
}

// TestPinnedActions: every uses: is pinned to a full commit SHA with the
// release as a comment, and is one of the pins of actions.go; a job that
// calls a workflow calls one of the rendered files.
func TestPinnedActions(t *testing.T) {
	known := map[string]string{}
	for _, a := range []action{actCheckout, actSetupNode, actCache, actUploadArtifact, actDownloadArtifact,
		actBuildPush, actSetupBuildx, actSetupQEMU, actDockerLogin, actCosignInstaller, actAWSCredentials, actECRLogin} {
		known[a.ref()] = "# " + a.Version
	}
	for _, fx := range fixtures {
		ws := parseAll(t, fx.m())
		for _, w := range ws {
			n := 0
			walk(w.root, func(k, v *yaml.Node) {
				if k.Value != "uses" {
					return
				}
				n++
				if local, ok := strings.CutPrefix(v.Value, "./"); ok {
					if w.path != ReleasePath || !slices.ContainsFunc(ws, func(x workflow) bool { return x.path == local }) ||
						!regexp.MustCompile(`^\.github/workflows/release-[a-z]+\.yml$`).MatchString(local) {
						t.Errorf("%s %s:%d: uses %q is not a rendered called workflow", fx.name, w.path, v.Line, v.Value)
					}
					return
				}
				if !pinRe.MatchString(v.Value) || !versionRe.MatchString(v.LineComment) {
					t.Errorf("%s %s:%d: uses %q %q is not pinned to a SHA with a version comment", fx.name, w.path, v.Line, v.Value, v.LineComment)
				}
				if known[v.Value] != v.LineComment {
					t.Errorf("%s %s:%d: uses %q %q is not a pin of actions.go", fx.name, w.path, v.Line, v.Value, v.LineComment)
				}
			})
			if n == 0 {
				t.Errorf("%s %s: no uses: found", fx.name, w.path)
			}
		}
	}
}

// walk calls fn for every key/value pair of every mapping under n.
func walk(n *yaml.Node, fn func(k, v *yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			fn(n.Content[i], n.Content[i+1])
		}
	}
	for _, c := range n.Content {
		walk(c, fn)
	}
}

// TestIDToken: id-token: write is granted exactly to the jobs that use
// OIDC: assuming an AWS role, or signing with cosign without a key.
func TestIDToken(t *testing.T) {
	for _, fx := range fixtures {
		ws := parseAll(t, fx.m())
		for _, w := range ws {
			for id, j := range w.jobs() {
				needs := false
				run := steps(j)
				if _, cj, ok := callee(t, ws, j); ok {
					run = steps(cj) // a caller grants what its called job uses
				}
				for _, s := range run {
					uses, _ := s["uses"].(string)
					run, _ := s["run"].(string)
					if strings.HasPrefix(uses, actAWSCredentials.Repo+"@") {
						needs = true
					}
					if strings.Contains(run, "cosign sign") && !strings.Contains(run, "--key") {
						needs = true
					}
				}
				p, _ := j.(map[string]any)["permissions"].(map[string]any)
				if p == nil {
					t.Errorf("%s %s: job %s has no permissions", fx.name, w.path, id)
				}
				if got := p["id-token"] == "write"; got != needs {
					t.Errorf("%s %s: job %s: id-token: write = %v, but OIDC needed = %v", fx.name, w.path, id, got, needs)
				}
			}
		}
	}
}

// TestJobHygiene: every job has a timeout, every step a name, and every
// checkout drops the token, except the promote job, which pushes.
func TestJobHygiene(t *testing.T) {
	for _, fx := range fixtures {
		for _, w := range parseAll(t, fx.m()) {
			for id, j := range w.jobs() {
				if _, ok := j.(map[string]any)["uses"]; ok {
					continue // the called job has the timeout
				}
				timeout := j.(map[string]any)["timeout-minutes"]
				if _, ok := timeout.(int); !ok && timeout != "${{ inputs.timeout-minutes }}" {
					t.Errorf("%s %s: job %s has no timeout-minutes", fx.name, w.path, id)
				}
				for _, s := range steps(j) {
					if name, _ := s["name"].(string); name == "" {
						t.Errorf("%s %s: job %s has a step without a name", fx.name, w.path, id)
					}
					uses, _ := s["uses"].(string)
					if !strings.HasPrefix(uses, actCheckout.Repo+"@") {
						continue
					}
					persist := s["with"].(map[string]any)["persist-credentials"]
					if want := id == "promote"; persist != want {
						t.Errorf("%s %s: job %s: checkout persist-credentials = %v", fx.name, w.path, id, persist)
					}
				}
			}
		}
	}
}

// TestPlanParity: release.yml has exactly the plan's jobs (plus notify),
// each needing what the plan says (plus build-<svc> for the digest).
func TestPlanParity(t *testing.T) {
	for _, fx := range fixtures {
		m := fx.m()
		w := file(t, parseAll(t, m), ReleasePath)
		jobs := w.jobs()
		var want []string
		for _, pj := range m.Plan.Jobs {
			want = append(want, pj.ID)
			j, ok := jobs[pj.ID].(map[string]any)
			if !ok {
				t.Errorf("%s: job %s missing", fx.name, pj.ID)
				continue
			}
			var got []string
			if n, ok := j["needs"].([]any); ok {
				for _, x := range n {
					got = append(got, x.(string))
				}
			}
			extra := slices.DeleteFunc(slices.Clone(got), func(s string) bool { return slices.Contains(pj.Needs, s) })
			if len(got) < len(pj.Needs) || !slices.Equal(got[:len(pj.Needs)], pj.Needs) ||
				(len(extra) > 0 && !slices.Equal(extra, []string{"build-" + pj.Service.Name})) {
				t.Errorf("%s: job %s needs %v, plan says %v", fx.name, pj.ID, got, pj.Needs)
			}
		}
		want = append(want, "notify")
		var got []string
		for id := range jobs {
			got = append(got, id)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: jobs %v, want %v", fx.name, got, want)
		}
	}
}

// TestHostileValues reads the hostile workflows back and checks that each
// hostile value arrives, exactly and as data, where it belongs: in
// release.yml as the value of a called workflow's input, which the called
// workflow reads through an expression of its own.
func TestHostileValues(t *testing.T) {
	ws := parseAll(t, hostileRelease())
	promote, release := file(t, ws, PromotePath), file(t, ws, ReleasePath)
	// step finds a step by name and, where several steps have that name,
	// by their if: (the step a caller runs).
	step := func(w workflow, job, name string, cond ...string) map[string]any {
		t.Helper()
		j := w.jobs()[job]
		if w.path == ReleasePath {
			if _, cj, ok := callee(t, ws, j); ok {
				j = cj
			}
		}
		for _, s := range steps(j) {
			if s["name"] == name && (len(cond) == 0 || s["if"] == cond[0]) {
				return s
			}
		}
		t.Fatalf("%s: job %s has no step %q %v", w.path, job, name, cond)
		return nil
	}
	calledJob := func(id string) map[string]any {
		t.Helper()
		_, j, ok := callee(t, ws, release.jobs()[id])
		if !ok {
			t.Fatalf("job %s calls no workflow", id)
		}
		return j
	}
	get := func(v any, path ...string) any {
		for _, k := range path {
			v = v.(map[string]any)[k]
		}
		return v
	}
	// check evaluates got in the called workflow of job id (or, with id
	// "", as plain data) and compares it with want.
	check := func(what, id string, got any, want string) {
		t.Helper()
		s, ok := got.(string)
		if !ok {
			t.Errorf("%s: got %#v, want a string", what, got)
			return
		}
		var inputs map[string]string
		if id != "" {
			inputs = inputsOf(t, ws, id)
		}
		v, err := evalIn(s, inputs)
		if err != nil {
			t.Errorf("%s: %v", what, err)
		} else if v != want {
			t.Errorf("%s:\n got %q\nwant %q", what, v, want)
		}
	}
	jobs := release.jobs()

	// on: filters are not evaluated, so they hold the escaped pattern as is.
	if got := get(release.doc, "on", "push", "branches").([]any)[0]; got != globEscape(hostileBranch) {
		t.Errorf("push branch filter = %q", got)
	}
	if cond := get(jobs, "deploy-web-live", "if").(string); !strings.Contains(cond, exprString("refs/heads/"+hostileBranch)) {
		t.Errorf("deploy condition does not compare with the branch: %s", cond)
	}

	check("drift RELEASE_GEN", "", get(step(release, "drift", "Check that the generated files are up to date"), "env", "RELEASE_GEN"), hostileDrift)
	check("drift SPEC_DIR", "", get(step(release, "drift", "Check that the generated files are up to date"), "env", "SPEC_DIR"), hostileDir)

	var matrix struct{ Version []string }
	if err := json.Unmarshal([]byte(inputsOf(t, ws, "test-web")["matrix"]), &matrix); err != nil || len(matrix.Version) != 1 {
		t.Errorf("matrix input of test-web: %v %v", matrix, err)
	} else if matrix.Version[0] != hostileVer {
		t.Errorf("matrix version = %q", matrix.Version[0])
	}
	if got := get(calledJob("test-web"), "strategy", "matrix"); got != "${{ fromJSON(inputs.matrix) }}" {
		t.Errorf("test matrix = %v", got)
	}
	check("cache path", "test-web", get(step(release, "test-web", "Cache dependencies"), "with", "path"), "~/.npm\n"+hostileCache+"\n")
	test := step(release, "test-web", "Test", "inputs.test-glob != ''")
	check("test working-directory", "test-web", test["working-directory"], hostilePath)
	check("test glob", "test-web", get(test, "env", "TEST_GLOB"), hostileGlob)
	check("test command", "test-web", get(test, "env", "TEST_COMMAND"), hostileTest)
	check("test command (no split)", "test-jobs", get(step(release, "test-jobs", "Test", "inputs.test-glob == ''"), "env", "TEST_COMMAND"), hostileTest)

	onRunner := "inputs.build-command != '' && inputs.build-image == ''"
	check("build command", "build-web", get(step(release, "build-web", "Build", onRunner), "env", "BUILD_COMMAND"), hostileBuild)
	check("build working-directory", "build-web", step(release, "build-web", "Build", onRunner)["working-directory"], hostilePath)
	check("build node-version", "build-web", get(step(release, "build-web", "Set up Node.js"), "with", "node-version"), hostileVer)
	check("container build command", "build-jobs", get(step(release, "build-jobs", "Build"), "env", "BUILD_COMMAND"), hostileBuild)
	check("container build path", "build-jobs", get(step(release, "build-jobs", "Build"), "env", "SERVICE_PATH"), hostilePath)
	check("container build image", "build-jobs", get(step(release, "build-jobs", "Build"), "env", "BUILD_IMAGE"), "python:"+hostileVer)
	push := step(release, "build-web", "Build and push")
	check("build context", "build-web", get(push, "with", "context"), hostilePath)
	if got := get(push, "with", "file"); got != "${{ inputs.path }}/Dockerfile" {
		t.Errorf("dockerfile = %q", got)
	}
	check("platforms", "build-web", get(push, "with", "platforms"), hostilePlat)
	check("cache scope", "build-web", get(push, "with", "cache-from"), "type=gha,scope=web")
	check("tags IMAGE", "build-web", get(step(release, "build-web", "Compute image tags"), "env", "IMAGE"), hostileReg+"/web")

	check("scan image", "scan-web", get(calledJob("scan-web"), "env", "IMAGE_REF"), hostileReg+"/web@${{ needs.build-web.outputs.digest }}")
	check("scan platforms", "scan-web", get(calledJob("scan-web"), "env", "PLATFORMS"), hostilePlat)
	check("severity", "scan-web", get(step(release, "scan-web", "Scan for vulnerabilities"), "env", "SEVERITY"), hostileSev)
	check("deny", "scan-web", get(step(release, "scan-web", "Check licenses"), "env", "DENY"), hostileDeny)

	check("sign image", "sign-web", get(calledJob("sign-web"), "env", "IMAGE"), hostileReg+"/web")
	check("sign key", "sign-web", get(step(release, "sign-web", "Sign image"), "env", "COSIGN_KEY_REF"), hostileKey)
	check("attest key", "sign-web", get(step(release, "sign-web", "Attest SBOM"), "env", "COSIGN_KEY_REF"), hostileKey)

	check("environment url", "deploy-web-live", get(calledJob("deploy-web-live"), "environment", "url"), hostileURL)
	check("namespace", "deploy-web-live", get(calledJob("deploy-web-live"), "env", "NAMESPACE"), hostileNS)
	check("health path", "deploy-web-live", get(step(release, "deploy-web-live", "Check health"), "env", "HEALTH_PATH"), hostileHealth)
	check("slack channel", "", get(step(release, "notify", "Notify Slack"), "env", "SLACK_CHANNEL"), hostileSlack)

	check("promote image", "", get(step(promote, "promote", "Promote web"), "env", "IMAGE"), hostileReg+"/web")
	check("promote key", "", get(step(promote, "promote", "Promote web"), "env", "COSIGN_KEY_REF"), hostileKey)
	check("promote branch", "", get(step(promote, "promote", "Check out the release branch"), "with", "ref"), hostileBranch)
	check("gitops branch", "", get(step(promote, "promote", "Update the GitOps values"), "env", "BRANCH"), hostileBranch)
}

// TestShardScript runs the shard selection in bash: shards are disjoint,
// cover every file in bytewise order, and a hostile glob is only a pattern.
func TestShardScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	dir := t.TempDir()
	files := []string{"test/a.js", "test/B.js", "test/sub/c.js", "test/sub/deep/d.js", "test/it's $(id).js", "test/z.txt"}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(glob string, shard, shards int) (string, error) {
		cmd := exec.Command(bash, "-eo", "pipefail", "-c", shell.Prelude+shell.Shard+`printf '%s' "$TEST_FILES"`)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TEST_GLOB="+glob, fmt.Sprintf("TEST_SHARD=%d", shard), fmt.Sprintf("TEST_SHARDS=%d", shards))
		cmd.Stderr = io.Discard
		out, err := cmd.Output()
		s := string(out)
		if i := strings.Index(s, "\n"); i >= 0 { // drop the progress line
			s = s[i+1:]
		}
		return s, err
	}
	var all []string
	for shard := range 3 {
		got, err := run("test/**/*.js", shard, 3)
		if err != nil {
			t.Fatalf("shard %d: %v", shard, err)
		}
		t.Logf("shard %d: %q", shard, got)
		all = append(all, got)
	}
	want := []string{"test/B.js test/sub/c.js", "test/a.js test/sub/deep/d.js", "test/it's $(id).js"}
	if !slices.Equal(all, want) {
		t.Errorf("shards = %q, want %q", all, want)
	}
	if _, err := run("test/$(touch pwned)*.js", 0, 1); err == nil {
		t.Error("a glob that matches nothing must fail the step")
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Error("the glob was executed as code")
	}
}
