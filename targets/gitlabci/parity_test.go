package gitlabci

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
)

// fixture is a compiled release the tests render.
type fixture struct {
	name string
	m    func(*testing.T) *model.Release
}

var fixtures = []fixture{{"shop", shop}, {"platform", platform}, {"hostile", hostile}, {"ghcr", ghcr}, {"minimal", minimal}}

// graphFixtures are the fixtures the job graph is checked on: the others,
// and a fleet whose approval follows more jobs than GitLab lets a job need.
var graphFixtures = append(slices.Clip(fixtures), fixture{"fleet", fleet})

// pipelineFile is a rendered .gitlab-ci.yml read back with yaml.v3.
type pipelineFile struct {
	root *yaml.Node
	doc  map[string]any
}

func parse(t *testing.T, m *model.Release) pipelineFile {
	t.Helper()
	f := render(t, m)
	p := pipelineFile{root: &yaml.Node{}}
	if err := yaml.Unmarshal(f.Data, p.root); err != nil {
		t.Fatal(err)
	}
	if err := p.root.Decode(&p.doc); err != nil {
		t.Fatal(err)
	}
	return p
}

// globalKeys are the top-level keys that are not jobs.
var globalKeys = []string{"workflow", "stages", "default", "variables", "include", "image", "services", "cache", "before_script", "after_script"}

// jobs returns the pipeline's jobs by name, as GitLab runs them: with
// their templates merged in (resolveJobs).
func (p pipelineFile) jobs() map[string]map[string]any {
	out, err := resolveJobs(p.doc)
	if err != nil {
		panic(err)
	}
	return out
}

// planID maps a GitLab job name back to its plan id.
func planID(name string) string {
	if rest, ok := strings.CutPrefix(name, "deploy:"); ok {
		return "deploy-" + strings.ReplaceAll(rest, ":", "-")
	}
	return name
}

// graphJob is what the parity test compares of a job.
type graphJob struct {
	Needs  []string // plan ids, sorted
	Manual bool     // a blocking manual gate
	Runs   int      // matrix size
	Stage  string
}

func needsOf(j map[string]any) (ids []string, artifacts map[string]bool) {
	artifacts = map[string]bool{}
	needs, _ := j["needs"].([]any)
	for _, n := range needs {
		switch n := n.(type) {
		case string:
			ids = append(ids, planID(n))
			artifacts[planID(n)] = true
		case map[string]any:
			id := planID(n["job"].(string))
			ids = append(ids, id)
			a, set := n["artifacts"].(bool)
			artifacts[id] = a || !set
		}
	}
	return ids, artifacts
}

func matrixRuns(j map[string]any) int {
	par, ok := j["parallel"].(map[string]any)
	if !ok {
		return 1
	}
	runs := 0
	for _, entry := range par["matrix"].([]any) {
		n := 1
		for _, v := range entry.(map[string]any) {
			if vs, ok := v.([]any); ok {
				n *= len(vs)
			}
		}
		runs += n
	}
	return runs
}

// manualGate reports whether every rule that admits the job makes it a
// blocking manual job.
func manualGate(j map[string]any) bool {
	rules, _ := j["rules"].([]any)
	if len(rules) == 0 {
		return false
	}
	for _, r := range rules {
		r := r.(map[string]any)
		if r["when"] == "never" {
			continue
		}
		if r["when"] != "manual" || r["allow_failure"] != false {
			return false
		}
	}
	return true
}

// TestPlanParity reads each pipeline back, maps its jobs to plan ids and
// requires the plan's graph: the same jobs, the same needs (plus
// build-<svc>, for the digest, where the plan reaches it anyway), manual
// gates exactly on approve jobs, the plan's matrix sizes, and stages in
// an order the needs allow.
//
// A job without needs: waits for every job of the earlier stages. Only an
// approval may be written so (when it would need more than GitLab allows),
// and then the earlier stages must hold exactly the jobs the plan has it
// follow, directly or not.
func TestPlanParity(t *testing.T) {
	for _, fx := range graphFixtures {
		t.Run(fx.name, func(t *testing.T) {
			m := fx.m(t)
			p := parse(t, m)
			got := map[string]graphJob{}
			var extra, stageOrdered []string
			for name, j := range p.jobs() {
				id := planID(name)
				if m.Plan.Job(id) == nil {
					extra = append(extra, name)
					continue
				}
				needs, _ := needsOf(j)
				slices.Sort(needs)
				got[id] = graphJob{Needs: needs, Manual: manualGate(j), Runs: matrixRuns(j), Stage: j["stage"].(string)}
				if _, ok := j["needs"]; !ok {
					stageOrdered = append(stageOrdered, id)
				}
			}
			slices.Sort(extra)
			if want := notifyNames(m); !slices.Equal(extra, want) {
				t.Errorf("jobs not in the plan: %v, want %v", extra, want)
			}
			var stages []string
			for _, s := range p.doc["stages"].([]any) {
				stages = append(stages, s.(string))
			}
			closure := closures(m.Plan)
			for _, id := range stageOrdered {
				if pj := m.Plan.Job(id); pj.Kind != model.JobApprove {
					t.Errorf("%s has no needs: only an approval may wait for the earlier stages", id)
					continue
				}
				var earlier []string
				for other, j := range got {
					if slices.Index(stages, j.Stage) < slices.Index(stages, got[id].Stage) {
						earlier = append(earlier, other)
					}
				}
				var follows []string
				for dep := range closure[id] {
					follows = append(follows, dep)
				}
				slices.Sort(earlier)
				slices.Sort(follows)
				if diff := cmp.Diff(follows, earlier); diff != "" {
					t.Errorf("%s waits for the earlier stages, which do not hold exactly the jobs it follows in the plan (-plan +stages):\n%s", id, diff)
				}
				j := got[id]
				j.Needs = slices.Clone(m.Plan.Job(id).Needs)
				slices.Sort(j.Needs)
				got[id] = j
			}
			want := map[string]graphJob{}
			for _, pj := range m.Plan.Jobs {
				needs := slices.Clone(pj.Needs)
				switch pj.Kind {
				case model.JobScan, model.JobSign, model.JobDeploy:
					b := "build-" + pj.Service.Name
					if !closure[pj.ID][b] {
						t.Errorf("%s: the plan does not reach %s", pj.ID, b)
					}
					if !slices.Contains(needs, b) {
						needs = append(needs, b)
					}
				}
				slices.Sort(needs)
				want[pj.ID] = graphJob{Needs: needs, Manual: pj.Kind == model.JobApprove, Runs: pj.Runs(), Stage: got[pj.ID].Stage}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("job graph differs from the plan (-plan +gitlab):\n%s", diff)
			}
			if fx.name == "fleet" && len(stageOrdered) != 1 {
				t.Errorf("jobs waiting for the earlier stages: %v, want approve-production alone", stageOrdered)
			}
			for id, j := range got {
				if !slices.Contains(stages, j.Stage) {
					t.Errorf("%s: stage %q is not in stages %v", id, j.Stage, stages)
				}
				for _, n := range j.Needs {
					if slices.Index(stages, got[n].Stage) > slices.Index(stages, j.Stage) {
						t.Errorf("%s (stage %s) needs %s of the later stage %s", id, j.Stage, n, got[n].Stage)
					}
				}
			}
		})
	}
}

// TestArtifacts: only the needs that read artifacts fetch them: the build
// (DIGEST) for scan, sign and deploy, the scan (SBOM) for sign.
func TestArtifacts(t *testing.T) {
	for _, fx := range fixtures {
		m := fx.m(t)
		for name, j := range parse(t, m).jobs() {
			pj := m.Plan.Job(planID(name))
			_, artifacts := needsOf(j)
			for id, fetch := range artifacts {
				want := false
				if pj != nil && pj.Service != nil {
					switch {
					case id == "build-"+pj.Service.Name:
						want = pj.Kind == model.JobScan || pj.Kind == model.JobSign || pj.Kind == model.JobDeploy
					case id == "scan-"+pj.Service.Name:
						want = pj.Kind == model.JobSign && m.Security.SBOM
					}
				}
				if fetch != want {
					t.Errorf("%s %s: need %s fetches artifacts: %v, want %v", fx.name, name, id, fetch, want)
				}
			}
		}
	}
}

func notifyNames(m *model.Release) []string {
	var out []string
	for _, ev := range []string{"failure", "success"} {
		if m.Notify.Slack.Announces(ev) {
			out = append(out, "notify-"+ev)
		}
	}
	return out
}

// closures maps each plan job to the set of jobs it transitively needs.
func closures(p *model.Plan) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, j := range p.Jobs { // topological order
		c := map[string]bool{}
		for _, n := range j.Needs {
			c[n] = true
			for k := range out[n] {
				c[k] = true
			}
		}
		out[j.ID] = c
	}
	return out
}

// pipelineKind is a pipeline GitLab might create, as the predefined
// variables that rules:if read.
type pipelineKind struct {
	name string
	vars map[string]string
}

func pipelineKinds(branch string) []pipelineKind {
	mr := func(source, sourceProject string) map[string]string {
		return map[string]string{
			"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": source,
			"CI_MERGE_REQUEST_SOURCE_PROJECT_ID": sourceProject, "CI_PROJECT_ID": "7", "CI_OPEN_MERGE_REQUESTS": "x",
		}
	}
	return []pipelineKind{
		{"merge request", mr("feature", "7")},
		{"merge request from a fork's " + branch, mr(branch, "9")},
		{"merge request from " + branch, mr(branch, "7")},
		{"push to " + branch, map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": branch, "CI_PROJECT_ID": "7"}},
		{"manual run on " + branch, map[string]string{"CI_PIPELINE_SOURCE": "web", "CI_COMMIT_BRANCH": branch, "CI_PROJECT_ID": "7"}},
		{"push to feature", map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "feature", "CI_PROJECT_ID": "7"}},
		{"tag v1.2.3", map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "v1.2.3", "CI_PROJECT_ID": "7"}},
		{"tag v1.2.3-rc.1", map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "v1.2.3-rc.1", "CI_PROJECT_ID": "7"}},
		{"tag nightly", map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "nightly", "CI_PROJECT_ID": "7"}},
	}
}

var (
	clauseEq    = regexp.MustCompile(`^\$([A-Za-z_][A-Za-z0-9_]*) == (?:"([^"]*)"|\$([A-Za-z_][A-Za-z0-9_]*))$`)
	clauseMatch = regexp.MustCompile(`^\$([A-Za-z_][A-Za-z0-9_]*) =~ /(.*)/$`)
	clauseSet   = regexp.MustCompile(`^\$([A-Za-z_][A-Za-z0-9_]*)$`)
)

// evalIf evaluates the subset of rules:if the pipeline uses: clauses
// joined by &&, each $VAR, $VAR == "literal", $VAR == $OTHER or
// $VAR =~ /regexp/.
func evalIf(expr string, vars map[string]string) (bool, error) {
	for _, c := range strings.Split(expr, " && ") {
		var ok bool
		if m := clauseEq.FindStringSubmatch(c); m != nil {
			want := m[2]
			if m[3] != "" {
				want = vars[m[3]]
			}
			ok = vars[m[1]] == want
		} else if m := clauseMatch.FindStringSubmatch(c); m != nil {
			re, err := regexp.Compile(m[2])
			if err != nil {
				return false, err
			}
			ok = vars[m[1]] != "" && re.MatchString(vars[m[1]])
		} else if m := clauseSet.FindStringSubmatch(c); m != nil {
			ok = vars[m[1]] != ""
		} else {
			return false, fmt.Errorf("clause %q is not understood", c)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// evalRules returns the when of the first matching rule, "" when none
// matches; a job without rules runs (on_success).
func evalRules(rules []any, vars map[string]string) (string, error) {
	if rules == nil {
		return "on_success", nil
	}
	for _, r := range rules {
		r := r.(map[string]any)
		if cond, ok := r["if"].(string); ok {
			match, err := evalIf(cond, vars)
			if err != nil || !match {
				if err != nil {
					return "", err
				}
				continue
			}
		}
		if w, ok := r["when"].(string); ok {
			return w, nil
		}
		return "on_success", nil
	}
	return "", nil
}

// TestTriggers evaluates workflow and job rules for the pipelines GitLab
// may create: which pipelines exist, which plan jobs each holds (exactly
// the plan's triggers), and that every need of a job in a pipeline is in
// that pipeline too, as GitLab requires.
func TestTriggers(t *testing.T) {
	for _, fx := range fixtures {
		m := fx.m(t)
		p := parse(t, m)
		workflow := p.doc["workflow"].(map[string]any)["rules"].([]any)
		for _, kind := range pipelineKinds(m.Branch) {
			when, err := evalRules(workflow, kind.vars)
			if err != nil {
				t.Fatalf("%s: workflow: %v", fx.name, err)
			}
			wantPipeline := map[string]bool{
				"merge request": true, "merge request from a fork's " + m.Branch: true,
				"push to " + m.Branch: true, "manual run on " + m.Branch: true,
				"tag v1.2.3": true, "tag v1.2.3-rc.1": true,
			}[kind.name]
			if exists := when != "" && when != "never"; exists != wantPipeline {
				t.Errorf("%s: %s: pipeline created = %v, want %v", fx.name, kind.name, exists, wantPipeline)
			}
			if !wantPipeline {
				continue
			}
			present := map[string]bool{}
			for name, j := range p.jobs() {
				rules, _ := j["rules"].([]any)
				w, err := evalRules(rules, kind.vars)
				if err != nil {
					t.Fatalf("%s %s: %v", fx.name, name, err)
				}
				if w != "" && w != "never" {
					present[planID(name)] = true
				}
			}
			for _, pj := range m.Plan.Jobs {
				want := pj.On == model.OnAll ||
					pj.On == model.OnPublish && !strings.HasPrefix(kind.name, "merge request") ||
					pj.On == model.OnDeploy && kind.vars["CI_COMMIT_BRANCH"] == m.Branch
				if present[pj.ID] != want {
					t.Errorf("%s: %s: job %s present = %v, want %v", fx.name, kind.name, pj.ID, present[pj.ID], want)
				}
				if !present[pj.ID] {
					continue
				}
				for _, n := range pj.Needs {
					if !present[n] {
						t.Errorf("%s: %s: %s needs %s, which is not in the pipeline", fx.name, kind.name, pj.ID, n)
					}
				}
			}
			for _, n := range notifyNames(m) {
				if present[n] == strings.HasPrefix(kind.name, "merge request") {
					t.Errorf("%s: %s: %s present = %v", fx.name, kind.name, n, present[n])
				}
			}
		}
	}
}
