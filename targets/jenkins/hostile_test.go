package jenkins

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
)

// envOf returns the withEnv entries of a stage's steps (for a matrix, of
// its cell stage).
func envOf(t *testing.T, s *pstage) map[string]string {
	t.Helper()
	if s.body == "matrix" {
		return envOf(t, s.children[0])
	}
	out := map[string]string{}
	if s.steps == nil {
		t.Fatalf("stage %q has no steps", s.name)
	}
	walkNodes([]*node{s.steps}, func(n *node) {
		if n.name != "withEnv" {
			return
		}
		for _, e := range n.strs() {
			k, v, ok := strings.Cut(e, "=")
			if !ok {
				t.Errorf("stage %q: withEnv entry %q has no =", s.name, e)
			}
			out[k] = v
		}
	})
	return out
}

// TestHostileValues reads the adversarial Jenkinsfiles back twice, with
// Groovy (the kit's jenkins-strings) and with the test's own reader, and
// checks that both see the same string literals, so that no value broke
// out of its literal; then that each hostile value arrives, exactly, in
// the entry of the stage that uses it.
func TestHostileValues(t *testing.T) {
	for _, fx := range fixtures {
		if fx.name != "Hostile" && fx.name != "Evil" {
			continue
		}
		t.Run(fx.name, func(t *testing.T) {
			m := fx.m(t)
			f := render(t, m)

			toks, err := lex(string(f.Data))
			if err != nil {
				t.Fatal(err)
			}
			var ours []string
			for _, tok := range toks {
				if tok.kind == tString {
					ours = append(ours, tok.text)
				}
			}
			groovy := groovyStrings(t, writeTemp(t, "Jenkinsfile", f.Data))
			if diff := cmp.Diff(ours, groovy); diff != "" {
				t.Fatalf("Groovy reads other string literals than the test's reader (-ours +groovy):\n%s", diff)
			}
			inGroovy := map[string]bool{}
			for _, s := range groovy {
				inGroovy[s] = true
			}

			_, stages := pipelineOf(t, f.Data)
			at := schedule(stages)
			stage := func(name string) *pstage {
				t.Helper()
				p := at[name]
				if p == nil {
					t.Fatalf("no stage %q", name)
				}
				return p.s
			}
			check := func(where, key string, env map[string]string, want string) {
				t.Helper()
				if got, ok := env[key]; !ok || got != want {
					t.Errorf("%s: %s = %q, want %q", where, key, got, want)
				}
				if !inGroovy[key+"="+want] {
					t.Errorf("%s: Groovy sees no literal %q", where, key+"="+want)
				}
			}

			d := m.Drift
			drift := envOf(t, stage("Drift"))
			check("drift", "RELEASE_GEN", drift, d.Install)
			check("drift", "SPEC_DIR", drift, d.Dir)
			check("drift", "OUT_DIR", drift, d.Out)

			for _, svc := range m.Services {
				test := stage("Test " + svc.Name)
				if got := test.axes["VERSION"]; !cmp.Equal(got, svc.Versions) {
					t.Errorf("test %s: VERSION axis %q, want %q", svc.Name, got, svc.Versions)
				}
				env := envOf(t, test)
				check("test "+svc.Name, "TEST_COMMAND", env, svc.Test)
				check("test "+svc.Name, "SERVICE_PATH", env, svc.Path)
				if ts := svc.TestSplit; ts != nil {
					check("test "+svc.Name, "TEST_GLOB", env, ts.Glob)
					check("test "+svc.Name, "TEST_SHARDS", env, strconv.Itoa(ts.Parallelism))
				}
				image, suffix, _ := toolchainImage(svc.Toolchain)
				check("test "+svc.Name, "TOOLCHAIN", env, image)
				if suffix != "" {
					check("test "+svc.Name, "TOOLCHAIN_TAG_SUFFIX", env, suffix)
				}

				build := envOf(t, stage("Build "+svc.Name))
				if strings.TrimSpace(svc.Build) != "" {
					check("build "+svc.Name, "BUILD_COMMAND", build, svc.Build)
					check("build "+svc.Name, "SERVICE_PATH", build, svc.Path)
					check("build "+svc.Name, "VERSION", build, svc.Versions[len(svc.Versions)-1])
				} else if _, ok := build["BUILD_COMMAND"]; ok {
					t.Errorf("build %s: a blank build command is run", svc.Name)
				}
				check("build "+svc.Name, "IMAGE", build, m.Image(svc))
				check("build "+svc.Name, "CONTEXT", build, svc.Path)
				check("build "+svc.Name, "DOCKERFILE", build, svc.Dockerfile)
				check("build "+svc.Name, "PLATFORMS", build, strings.Join(m.Platforms, ","))
				check("build "+svc.Name, "REGISTRY_SERVER", build, m.Registry.Server)

				scan := envOf(t, stage("Scan "+svc.Name))
				check("scan "+svc.Name, "IMAGE", scan, m.Image(svc))
				check("scan "+svc.Name, "SEVERITY", scan, strings.Join(m.Security.Scan.Severity, ","))
				if l := m.Security.Licenses; l != nil {
					check("scan "+svc.Name, "DENY", scan, strings.Join(l.Deny, ","))
				}

				sign := envOf(t, stage("Sign "+svc.Name))
				check("sign "+svc.Name, "COSIGN_KEY_REF", sign, m.Security.Sign.Key)

				for _, e := range m.Environments {
					deploy := envOf(t, stage(deployStageName(svc, e)))
					where := "deploy " + svc.Name + " " + e.Name
					check(where, "NAMESPACE", deploy, e.Namespace)
					check(where, "IMAGE", deploy, m.Image(svc))
					check(where, "HEALTH_PATH", deploy, svc.Health)
					check(where, "PREFIX", deploy, e.TagPrefix)
					if e.URL != "" {
						check(where, "ENVIRONMENT_URL", deploy, e.URL)
					}
				}
			}

			for _, j := range m.Plan.Jobs {
				p := at[stageOf(j)]
				if j.On == model.OnDeploy && (len(p.gates) != 1 || p.gates[0].branch != m.Branch) {
					t.Errorf("stage %q: gate %v, want the branch %q", p.s.name, p.gates, m.Branch)
				}
				if j.Kind == model.JobApprove {
					msg := p.s.input.child("message")
					if msg == nil || len(msg.strs()) != 1 || msg.strs()[0] != "Deploy to "+j.Env.Name+"?" {
						t.Errorf("approval %s: message %v", j.Env.Name, msg)
					}
				}
			}
			if !inGroovy[m.Branch] {
				t.Errorf("Groovy sees no literal %q (the branch)", m.Branch)
			}
			if s := m.Notify.Slack; s != nil && !inGroovy[s.Channel] {
				t.Errorf("Groovy sees no literal %q (the Slack channel)", s.Channel)
			}
		})
	}
}
