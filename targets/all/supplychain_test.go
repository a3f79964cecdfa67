package all_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/all"
)

// specs are the specs whose outputs the supply-chain scan covers.
var specs = []string{"../../examples/shop", "../../examples/platform", "../../examples/minimal", "../../testdata/hostile"}

func render(t *testing.T, dir string) []targets.File {
	t.Helper()
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	files, diags, err := all.Render(res.Release)
	if err != nil || diags.HasErrors(false) {
		t.Fatalf("%s: %v %v", dir, err, diags)
	}
	return files
}

var (
	pinned        = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	setImage      = regexp.MustCompile(`set image [^\n]*`)
	passwordArg   = regexp.MustCompile(`--password(=|\s+[^-\s])|login[^\n]*\s-p\s`)
	secretEchoed  = regexp.MustCompile(`(echo|printf)[^\n|>]*\$\{?(KUBE_CONFIG|SLACK_WEBHOOK_URL|REGISTRY_PASSWORD|AWS_SECRET_ACCESS_KEY)\b[^\n]*$`)
	secretInRun   = regexp.MustCompile(`\$\{\{\s*secrets\.`)
	mutableDeploy = regexp.MustCompile(`:(latest|\$\{?PREFIX\}?latest)"?\s*$`)
)

// TestSupplyChain scans every generated pipeline of the examples and the
// adversarial spec for the supply-chain mistakes generated pipelines are
// known for. It expects zero findings.
func TestSupplyChain(t *testing.T) {
	for _, dir := range specs {
		files := render(t, dir)
		byPath := map[string][]byte{}
		for _, f := range files {
			byPath[f.Path] = f.Data
		}
		for _, f := range files {
			where := filepath.Base(dir) + "/" + f.Path
			text := string(f.Data)
			// Secrets never reach a command line or a log.
			if m := passwordArg.FindString(text); m != "" {
				t.Errorf("%s: a password is passed on a command line: %q", where, m)
			}
			for _, line := range strings.Split(text, "\n") {
				if secretEchoed.MatchString(line) && !strings.Contains(line, "> ") {
					t.Errorf("%s: a secret is printed: %q", where, strings.TrimSpace(line))
				}
			}
			// Deploys use the immutable tag pinned to its digest.
			for _, m := range setImage.FindAllString(text, -1) {
				if !strings.Contains(m, "@$DIGEST") && !strings.Contains(m, "@${DIGEST}") {
					t.Errorf("%s: a deploy does not pin the image digest: %q", where, m)
				}
				if mutableDeploy.MatchString(m) {
					t.Errorf("%s: a deploy uses a mutable tag: %q", where, m)
				}
			}
			if strings.HasPrefix(f.Path, ".github/workflows/") {
				scanWorkflow(t, where, f.Data, byPath)
			}
			if f.Path == ".gitlab-ci.yml" && regexp.MustCompile(`(?m)^\s+(only|except):`).MatchString(text) {
				t.Errorf("%s: uses only/except instead of rules", where)
			}
		}
	}
}

type workflow struct {
	On          map[string]any  `yaml:"on"`
	Permissions any             `yaml:"permissions"`
	Jobs        map[string]*job `yaml:"jobs"`
}

type job struct {
	Permissions any    `yaml:"permissions"`
	Uses        string `yaml:"uses"`    // a called workflow
	Secrets     any    `yaml:"secrets"` // what a caller passes it
	Steps       []step `yaml:"steps"`
}

type step struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]any    `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

// scanWorkflow scans one workflow; files holds every rendered file by
// path, where the workflows that jobs call are found.
func scanWorkflow(t *testing.T, where string, data []byte, files map[string][]byte) {
	t.Helper()
	w := parseWorkflow(t, where, data)
	if _, ok := w.On["pull_request_target"]; ok {
		t.Errorf("%s: runs on pull_request_target", where)
	}
	if top, ok := w.Permissions.(map[string]any); !ok || len(top) > 1 || (len(top) == 1 && top["contents"] != "read") {
		t.Errorf("%s: top-level permissions are %v, want contents: read or none", where, w.Permissions)
	}
	for id, j := range w.Jobs {
		perms, _ := j.Permissions.(map[string]any)
		if j.Permissions == nil {
			t.Errorf("%s: job %s has no permissions block", where, id)
		}
		if s, ok := j.Permissions.(string); ok && strings.HasSuffix(s, "-all") {
			t.Errorf("%s: job %s has permissions %s", where, id, s)
		}
		steps := j.Steps
		if j.Uses != "" {
			// A caller job: its permissions cover the called job's steps.
			if j.Secrets == "inherit" {
				t.Errorf("%s: job %s passes every secret to %s", where, id, j.Uses)
			}
			called, ok := files[strings.TrimPrefix(j.Uses, "./")]
			if !ok || !strings.HasPrefix(j.Uses, "./.github/workflows/") {
				t.Errorf("%s: job %s calls %s, which release-gen did not write", where, id, j.Uses)
				continue
			}
			for _, cj := range parseWorkflow(t, j.Uses, called).Jobs {
				steps = append(steps, cj.Steps...)
			}
		}
		usesOIDC := false
		for _, s := range steps {
			if s.Uses != "" && !strings.HasPrefix(s.Uses, "./") && !pinned.MatchString(s.Uses) {
				t.Errorf("%s: job %s uses %s, not pinned to a commit SHA", where, id, s.Uses)
			}
			if strings.Contains(s.Uses, "configure-aws-credentials") || strings.Contains(s.Uses, "cosign-installer") {
				usesOIDC = true
			}
			if secretInRun.MatchString(s.Run) {
				t.Errorf("%s: job %s puts a secret into a script", where, id)
			}
			if strings.Contains(s.Uses, "actions/checkout") && s.With["persist-credentials"] != false {
				if perms["contents"] != "write" {
					t.Errorf("%s: job %s keeps the checkout token without needing it", where, id)
				}
			}
		}
		if perms["id-token"] == "write" && !usesOIDC {
			t.Errorf("%s: job %s has id-token: write without an OIDC step", where, id)
		}
	}
}

func parseWorkflow(t *testing.T, where string, data []byte) workflow {
	t.Helper()
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	return w
}
