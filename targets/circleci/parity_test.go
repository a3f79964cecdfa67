package circleci

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// parsed is the part of a config the parity test reads back.
type parsed struct {
	Jobs map[string]struct {
		Parallelism int `yaml:"parallelism"`
	} `yaml:"jobs"`
	Workflows map[string]struct {
		Jobs []map[string]parsedEntry `yaml:"jobs"`
	} `yaml:"workflows"`
}

type parsedEntry struct {
	Name     string   `yaml:"name"`
	Type     string   `yaml:"type"`
	Requires []string `yaml:"requires"`
	Context  []string `yaml:"context"`
	Matrix   *struct {
		Alias      string              `yaml:"alias"`
		Parameters map[string][]string `yaml:"parameters"`
	} `yaml:"matrix"`
	Filters struct {
		Branches *struct {
			Only string `yaml:"only"`
		} `yaml:"branches"`
		Tags *struct {
			Only string `yaml:"only"`
		} `yaml:"tags"`
	} `yaml:"filters"`
}

// node is one job of a workflow graph, as the plan has it or as it reads
// back from a config.
type node struct {
	ID       string
	Requires []string
	Approval bool
	// Matrix is the number of matrix runs, Parallelism the containers of
	// each; their product is the job's runs.
	Matrix, Parallelism int
	On                  model.Trigger
}

// planGraph is the graph the config must express.
func planGraph(m *model.Release) []node {
	var out []node
	for _, j := range m.Plan.Jobs {
		n := node{ID: j.ID, Requires: j.Needs, Approval: j.Kind == model.JobApprove, Matrix: 1, Parallelism: 1, On: j.On}
		if j.Kind == model.JobTest {
			n.Matrix = len(j.Versions)
			n.Parallelism = max(j.Shards, 1)
		}
		if n.Matrix*n.Parallelism != j.Runs() {
			panic(fmt.Sprintf("%s: %d x %d runs, the plan says %d", j.ID, n.Matrix, n.Parallelism, j.Runs()))
		}
		out = append(out, n)
	}
	return out
}

// configGraph reads the workflow graph back from a rendered config: one
// node per workflow entry (a matrix counts once, under its alias), with
// its requires, approval type, matrix size, parallelism and the trigger
// its filters stand for. notify, which the plan does not have, is left
// out. It also checks what CircleCI requires of the graph: requires name
// earlier entries, non-approval entries have a job definition, matrix
// runs are named <alias>-<version>, and a job that runs on tags requires
// only jobs that run on tags.
func configGraph(t *testing.T, m *model.Release, data []byte) []node {
	t.Helper()
	var c parsed
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("the config does not parse: %v", err)
	}
	wf, ok := c.Workflows[workflowName]
	if !ok || len(c.Workflows) != 1 {
		t.Fatalf("want exactly the workflow %q, got %d workflows", workflowName, len(c.Workflows))
	}
	var out []node
	onTags := map[string]bool{}
	for _, entry := range wf.Jobs {
		if len(entry) != 1 {
			t.Fatalf("workflow entry with %d keys", len(entry))
		}
		for key, e := range entry {
			id := key
			n := node{Requires: e.Requires, Approval: e.Type == "approval", Matrix: 1, Parallelism: 1}
			if e.Matrix != nil {
				id = e.Matrix.Alias
				n.Matrix = 1
				for _, vs := range e.Matrix.Parameters {
					n.Matrix *= len(vs)
				}
				if want := key + "-<< matrix.version >>"; e.Name != want || id != key {
					t.Errorf("%s: matrix runs named %q under alias %q, want %q under %q", key, e.Name, id, want, key)
				}
			}
			n.ID = id
			if def, ok := c.Jobs[key]; ok {
				n.Parallelism = max(def.Parallelism, 1)
			} else if !n.Approval {
				t.Errorf("%s: no job definition", key)
			}
			for _, r := range e.Requires {
				if !slices.ContainsFunc(out, func(o node) bool { return o.ID == r }) {
					t.Errorf("%s requires %q, which is not an earlier workflow job", id, r)
				}
				if e.Filters.Tags != nil && !onTags[r] {
					t.Errorf("%s runs on tags but requires %s, which does not: CircleCI would skip it on tags", id, r)
				}
			}
			onTags[id] = e.Filters.Tags != nil
			n.On = trigger(t, id, m.Branch, e)
			if id != notifyID {
				out = append(out, n)
			}
		}
	}
	return out
}

// trigger maps an entry's filters back to the plan trigger they express.
func trigger(t *testing.T, id, branch string, e parsedEntry) model.Trigger {
	t.Helper()
	b, tags := e.Filters.Branches, e.Filters.Tags
	if tags != nil && tags.Only != releaseTag {
		t.Errorf("%s: tag filter %q, want %q", id, tags.Only, releaseTag)
	}
	if b != nil && unescape(b.Only) != branch {
		t.Errorf("%s: branch filter %q, want %q", id, b.Only, branch)
	}
	switch {
	case b == nil && tags != nil:
		return model.OnAll
	case b != nil && tags != nil:
		return model.OnPublish
	case b != nil:
		return model.OnDeploy
	}
	t.Errorf("%s: no filters", id)
	return ""
}

func TestParity(t *testing.T) {
	for name, dir := range specs {
		t.Run(name, func(t *testing.T) {
			m := targettest.Compile(t, dir)
			got := configGraph(t, m, render(t, m).Data)
			if diff := cmp.Diff(planGraph(m), got); diff != "" {
				t.Errorf("the workflow graph differs from the plan (-plan +config):\n%s", diff)
			}
		})
	}
}

// TestParityContexts checks who gets secrets: tests and drift none, the
// supply-chain jobs the release context, approvals and deploys their
// environment's context (deploys the release context too).
func TestParityContexts(t *testing.T) {
	m := targettest.Compile(t, specs["Platform"])
	var c parsed
	if err := yaml.Unmarshal(render(t, m).Data, &c); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, entry := range c.Workflows[workflowName].Jobs {
		for key, e := range entry {
			got[key] = strings.Join(e.Context, ",")
		}
	}
	for _, j := range m.Plan.Jobs {
		want := ""
		switch j.Kind {
		case model.JobBuild, model.JobScan, model.JobSign:
			want = "platform-release"
		case model.JobApprove:
			want = "platform-" + j.Env.Name
		case model.JobDeploy:
			want = "platform-release,platform-" + j.Env.Name
		}
		if got[j.ID] != want {
			t.Errorf("%s: contexts %q, want %q", j.ID, got[j.ID], want)
		}
	}
}
