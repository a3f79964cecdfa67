package jenkins

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// TestGolden renders every fixture, compares it with its golden file and
// runs the kit's validators (Groovy's parser and npm-groovy-lint) on it.
// npm-groovy-lint takes a minute per file on a busy machine; -short leaves
// it out (and says so).
func TestGolden(t *testing.T) {
	var paths []string
	dir := t.TempDir()
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			f := render(t, fx.m(t))
			targettest.Golden(t, f)
			p := filepath.Join(dir, fx.name)
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		})
	}
	if t.Failed() {
		return
	}
	cmd := exec.Command(targettest.Kit(t), append([]string{"jenkins"}, paths...)...)
	if testing.Short() {
		t.Log("-short: npm-groovy-lint is skipped; only Groovy's parser validates the Jenkinsfiles")
		cmd.Env = append(os.Environ(), "CONFORMANCE_SKIP=npm-groovy-lint")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		kitFailure(t, "validate.sh jenkins", err, out)
	}
	t.Logf("validate.sh jenkins:\n%s", out)
}

func TestNotSelected(t *testing.T) {
	m := compiled("examples/shop")(t)
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
	if got := (Target{}).Name(); got != "jenkins" {
		t.Errorf("Name() = %q", got)
	}
	if diff := cmp.Diff([]string{"Jenkinsfile"}, Target{}.Outputs()); diff != "" {
		t.Errorf("Outputs() (-want +got):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	m := compiled("examples/shop")(t)
	m.SpecFile = `spec\u000aevil.cue`
	m.Branch = "bad branch"
	m.Secrets.KubeConfig = "KUBE CONFIG"
	m.Environments[0].TagPrefix = "bad prefix/"
	m.Services[0].Canary = &model.Canary{Interval: "1h", MaxWeight: 50, StepWeight: 10}
	var got []string
	for _, d := range (Target{}).Check(m).Sort() {
		got = append(got, d.Message)
	}
	want := []string{
		`"KUBE CONFIG-production" is not a valid Jenkins credential id: use letters, digits, '_', '.' and '-'`,
		`"KUBE CONFIG-staging" is not a valid Jenkins credential id: use letters, digits, '_', '.' and '-'`,
		`branch "bad branch" is not a valid git branch name (see git check-ref-format)`,
		`canary interval "1h" does not match ^[0-9]+(s|m)$`,
		`tagPrefix "bad prefix/" cannot start a docker tag: use letters, digits, '_', '.' and '-'`,
		`the spec file name "spec\\u000aevil.cue" cannot be written into the Jenkinsfile's header comment: it holds a backslash or a control character`,
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := (Target{}).Render(m); err == nil {
		t.Error("Render accepted a release that Check rejects")
	}
}

// TestCredentials: each kind of registry and signing reads the credentials
// the docs name, and nothing else.
func TestCredentials(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m *model.Release)
		want []string
	}{
		{"ecr, keyless", func(*model.Release) {},
			[]string{"KUBE_CONFIG-production", "KUBE_CONFIG-staging", "cosign-key", "cosign-key-password"}},
		{"ecr, kms key", func(m *model.Release) { m.Security.Sign = &model.Sign{Key: "awskms:///alias/cosign"} },
			[]string{"KUBE_CONFIG-production", "KUBE_CONFIG-staging"}},
		{"other registry, kms key, renamed", func(m *model.Release) {
			m.Registry = model.Registry{Host: "registry.example.com/team", Kind: model.RegistryOther, Server: "registry.example.com"}
			m.Security.Sign = &model.Sign{Key: "awskms:///alias/cosign"}
			m.Secrets = model.Secrets{KubeConfig: "kube", RegistryUsername: "reg-user", RegistryPassword: "reg-pass", AWSRegion: "region"}
		}, []string{"kube-production", "kube-staging", "reg-pass", "reg-user", "region"}},
		{"ghcr, no signing", func(m *model.Release) {
			m.Registry = model.Registry{Host: "ghcr.io/acme", Kind: model.RegistryGHCR, Server: "ghcr.io"}
			m.Security.Sign = nil
			m.Plan.Jobs = slices.DeleteFunc(m.Plan.Jobs, func(j *model.Job) bool { return j.Kind == model.JobSign })
			for _, j := range m.Plan.Jobs {
				for i, n := range j.Needs {
					if strings.HasPrefix(n, "sign-") {
						j.Needs[i] = "scan-" + strings.TrimPrefix(n, "sign-")
					}
				}
			}
		}, []string{"KUBE_CONFIG-production", "KUBE_CONFIG-staging", "REGISTRY_PASSWORD", "REGISTRY_USERNAME"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := compiled("examples/shop")(t)
			tc.edit(m)
			f := render(t, m)
			got := map[string]bool{}
			p, _ := pipelineOf(t, f.Data)
			walkNodes([]*node{p}, func(n *node) {
				if n.name == "credentials" || (len(n.args) > 2 && n.args[1].text == "credentials") {
					got[n.strs()[0]] = true
				}
				for _, id := range n.namedAll("credentialsId") {
					got[id] = true
				}
			})
			var ids []string
			for id := range got {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNoInterpolation: the Jenkinsfile holds no double-quoted or slashy
// string, so Groovy interpolates nothing; the parser rejects both. Spec
// data never appears in a comment: every comment is one of the constant
// ones.
func TestNoInterpolation(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			f := render(t, fx.m(t))
			if _, err := lex(string(f.Data)); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(f.Data), "\n") {
				trimmed := strings.TrimSpace(line)
				if strings.HasPrefix(trimmed, "//") && i > 0 && !strings.Contains(fileComment, trimmed) && !strings.Contains(scriptsComment, trimmed) {
					t.Errorf("line %d: comment %q is not the constant file comment", i+1, line)
				}
			}
		})
	}
}

// TestPipelineShape checks the pipeline's own directives: no agent at the
// top (so an approval holds no executor), the options the docs promise,
// and Slack only where the spec announces.
func TestPipelineShape(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			m := fx.m(t)
			f := render(t, m)
			p, _ := pipelineOf(t, f.Data)
			if a := p.child("agent"); a == nil || len(a.args) != 1 || a.args[0].text != "none" {
				t.Error("the pipeline must declare agent none")
			}
			opts := map[string]bool{}
			if o := p.child("options"); o != nil {
				for _, c := range o.children {
					opts[c.name] = true
				}
			}
			for _, want := range []string{"timeout", "disableConcurrentBuilds", "timestamps", "buildDiscarder", "preserveStashes", "skipStagesAfterUnstable"} {
				if !opts[want] {
					t.Errorf("option %s is missing", want)
				}
			}
			var sends []string
			walkNodes([]*node{p}, func(n *node) {
				if n.name == "slackSend" {
					ch, _ := n.named("channel")
					sends = append(sends, ch)
				}
			})
			want := 0
			if s := m.Notify.Slack; s != nil {
				want = len(s.On)
				for _, ch := range sends {
					if ch != s.Channel {
						t.Errorf("slackSend channel %q, want %q", ch, s.Channel)
					}
				}
			}
			if len(sends) != want {
				t.Errorf("%d slackSend steps, want %d", len(sends), want)
			}
		})
	}
}

// TestShellcheck runs shellcheck on every distinct script of the rendered
// Jenkinsfiles, read back from the file. SC2153 (a variable that looks
// like a misspelling of an assigned one) is off: the scripts read their
// inputs from the environment by design.
func TestShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck is not installed; CI must lint the scripts")
		}
		t.Skip("shellcheck not found")
	}
	seen := map[string]bool{}
	for _, fx := range fixtures {
		f := render(t, fx.m(t))
		p, _ := pipelineOf(t, f.Data)
		walkNodes([]*node{p}, func(n *node) {
			script, ok := n.named("script")
			if n.name != "sh" || !ok || seen[script] {
				return
			}
			seen[script] = true
			cmd := exec.Command(sc, "--shell=bash", "--severity=style", "--exclude=SC2153", "-")
			cmd.Stdin = bytes.NewReader([]byte(script))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: shellcheck on the script of line %d: %v\n%s", fx.name, n.line, err, out)
			}
		})
	}
	if len(seen) == 0 {
		t.Fatal("no sh script found")
	}
}
