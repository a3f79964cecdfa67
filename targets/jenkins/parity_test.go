package jenkins

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"release-gen.dev/release-gen/compiler/model"
)

// pstage is a stage read back from a rendered Jenkinsfile.
type pstage struct {
	name string
	line int
	// gate is the stage's when condition: branch and tag patterns, with
	// their comparators.
	gate                     *pgate
	beforeAgent, beforeInput bool
	agent                    bool
	input                    *node
	env                      map[string]string // NAME -> credential id
	body                     string            // steps, stages, parallel or matrix
	children                 []*pstage         // of stages, parallel or matrix
	axes                     map[string][]string
	steps, post, options     *node
}

type pgate struct {
	branch, branchComparator string
	tag, tagComparator       string // set for anyOf { branch; tag }
}

// pipelineOf parses a Jenkinsfile and returns the pipeline statement and
// its stages.
func pipelineOf(t *testing.T, src []byte) (*node, []*pstage) {
	t.Helper()
	nodes, err := parse(string(src))
	if err != nil {
		t.Fatalf("parsing the Jenkinsfile: %v", err)
	}
	if len(nodes) != 1 || nodes[0].name != "pipeline" || !nodes[0].block {
		t.Fatalf("the Jenkinsfile must hold exactly one pipeline block, got %d statements", len(nodes))
	}
	p := nodes[0]
	st := p.child("stages")
	if st == nil {
		t.Fatal("pipeline has no stages")
	}
	stages, err := readStages(st)
	if err != nil {
		t.Fatal(err)
	}
	return p, stages
}

func readStages(n *node) ([]*pstage, error) {
	var out []*pstage
	for _, c := range n.children {
		if c.name != "stage" {
			return nil, fmt.Errorf("line %d: %s in %s, want stage", c.line, c.name, n.name)
		}
		s, err := readStage(c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func readStage(n *node) (*pstage, error) {
	names := n.strs()
	if len(names) != 1 || !n.block {
		return nil, fmt.Errorf("line %d: malformed stage", n.line)
	}
	s := &pstage{name: names[0], line: n.line, env: map[string]string{}}
	for _, c := range n.children {
		switch c.name {
		case "when":
			for _, w := range c.children {
				switch w.name {
				case "beforeAgent":
					s.beforeAgent = true
				case "beforeInput":
					s.beforeInput = true
				case "branch":
					s.gate = readBranch(w, s.gate)
				case "anyOf":
					for _, a := range w.children {
						switch a.name {
						case "branch":
							s.gate = readBranch(a, s.gate)
						case "tag":
							if s.gate == nil {
								s.gate = &pgate{}
							}
							s.gate.tag, _ = a.named("pattern")
							s.gate.tagComparator, _ = a.named("comparator")
						default:
							return nil, fmt.Errorf("line %d: unexpected condition %s", a.line, a.name)
						}
					}
				default:
					return nil, fmt.Errorf("line %d: unexpected condition %s", w.line, w.name)
				}
			}
		case "agent":
			if len(c.children) != 1 || c.children[0].name != "label" || len(c.children[0].strs()) != 1 {
				return nil, fmt.Errorf("line %d: unexpected agent", c.line)
			}
			s.agent = true
		case "input":
			s.input = c
		case "options":
			s.options = c
		case "environment":
			for _, e := range c.children {
				if len(e.args) < 5 || e.args[0].text != "=" || e.args[1].text != "credentials" || len(e.strs()) != 1 {
					return nil, fmt.Errorf("line %d: environment entries must be NAME = credentials('id')", e.line)
				}
				s.env[e.name] = e.strs()[0]
			}
		case "post":
			s.post = c
		case "steps":
			s.body, s.steps = c.name, c
		case "stages", "parallel":
			kids, err := readStages(c)
			if err != nil {
				return nil, err
			}
			s.body, s.children = c.name, kids
		case "matrix":
			s.body = c.name
			s.axes = map[string][]string{}
			for _, m := range c.children {
				switch m.name {
				case "axes":
					for _, a := range m.children {
						name, values := a.child("name"), a.child("values")
						if a.name != "axis" || name == nil || values == nil || len(name.strs()) != 1 {
							return nil, fmt.Errorf("line %d: malformed axis", a.line)
						}
						s.axes[name.strs()[0]] = values.strs()
					}
				case "agent":
					s.agent = true
				case "stages":
					kids, err := readStages(m)
					if err != nil {
						return nil, err
					}
					s.children = kids
				default:
					return nil, fmt.Errorf("line %d: unexpected %s in matrix", m.line, m.name)
				}
			}
		default:
			return nil, fmt.Errorf("line %d: unexpected %s in stage %q", c.line, c.name, s.name)
		}
	}
	if s.body == "" {
		return nil, fmt.Errorf("line %d: stage %q has none of steps, stages, parallel and matrix", n.line, s.name)
	}
	return s, nil
}

func readBranch(n *node, g *pgate) *pgate {
	if g == nil {
		g = &pgate{}
	}
	g.branch, _ = n.named("pattern")
	g.branchComparator, _ = n.named("comparator")
	return g
}

// stageOf names the stage of a plan job, as the contract and the docs say.
func stageOf(j *model.Job) string {
	switch j.Kind {
	case model.JobDrift:
		return "Drift"
	case model.JobTest:
		return "Test " + j.Service.Name
	case model.JobBuild:
		return "Build " + j.Service.Name
	case model.JobScan:
		return "Scan " + j.Service.Name
	case model.JobSign:
		return "Sign " + j.Service.Name
	case model.JobApprove:
		return "Approve " + j.Env.Name
	case model.JobDeploy:
		return "Deploy " + j.Service.Name + " (" + j.Env.Name + ")"
	}
	return ""
}

// placed is where a stage runs in the schedule of the pipeline, with what
// its ancestors impose on it.
type placed struct {
	s          *pstage
	start, end int
	gates      []*pgate // of the stage and its ancestors
	agent      bool     // the stage or an ancestor holds an agent
}

// schedule places every stage: a sequence runs its stages one after the
// other, parallel branches and matrix cells side by side.
func schedule(stages []*pstage) map[string]*placed {
	out := map[string]*placed{}
	var walk func(s *pstage, start int, gates []*pgate, agent bool) int
	walk = func(s *pstage, start int, gates []*pgate, agent bool) int {
		if s.gate != nil {
			gates = append(slices.Clone(gates), s.gate)
		}
		agent = agent || s.agent
		end := start + 1
		switch s.body {
		case "parallel":
			for _, c := range s.children {
				end = max(end, walk(c, start, gates, agent))
			}
		case "stages", "matrix":
			end = start
			for _, c := range s.children {
				end = walk(c, end, gates, agent)
			}
		}
		out[s.name] = &placed{s: s, start: start, end: end, gates: gates, agent: agent}
		return end
	}
	t := 0
	for _, s := range stages {
		t = walk(s, t, nil, false)
	}
	return out
}

// TestPlanParity reads each rendered Jenkinsfile back and checks that it
// is the plan: every plan job has its stage; every stage starts after the
// stages of the jobs it needs have ended; publish stages run only for the
// release branch and release tags, approvals and deploys only for the
// release branch; each approval is an input on no agent, asked once,
// before the environment's first deploy; test matrices span the job's
// versions and shards.
func TestPlanParity(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			m := fx.m(t)
			f := render(t, m)
			problems, err := parity(m, f.Data)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

// TestPlanParityDetects breaks a rendered Jenkinsfile in the ways parity
// must notice.
func TestPlanParityDetects(t *testing.T) {
	m := compiled("examples/shop")(t)
	src := string(render(t, m).Data)
	block := func(name string) string {
		start := strings.Index(src, "    stage('"+name+"') {\n")
		end := strings.Index(src[start:], "\n    }\n") + len("\n    }\n")
		return src[start : start+end]
	}
	for _, tc := range []struct {
		name, from, to string
	}{
		{"publish before the tests", block("Test worker") + block("Publish"), block("Publish") + block("Test worker")},
		{"ungated publish", "      when {\n        anyOf {", "      when {\n        allOf {"},
		{"wrong branch", "pattern: 'main'", "pattern: 'master'"},
		{"glob branch", "comparator: 'EQUALS'", "comparator: 'GLOB'"},
		{"missing deploy", "stage('Deploy api (staging)')", "stage('Deploy api staging')"},
		{"missing shard", "values '0', '1', '2', '3'", "values '0', '1', '2'"},
		{"approval after a deploy", block("Approve production") + block("Deploy auth (production)"), block("Deploy auth (production)") + block("Approve production")},
		{"approval without input", "input {\n        message", "options {\n        message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(src, tc.from) {
				t.Fatalf("the Jenkinsfile does not contain %q", tc.from)
			}
			broken := strings.Replace(src, tc.from, tc.to, 1)
			problems, err := parity(m, []byte(broken))
			if err == nil && len(problems) == 0 {
				t.Error("parity found no problem")
			}
			t.Logf("found: %v %v", err, problems)
		})
	}
}

// parity returns how the Jenkinsfile src departs from the plan of m.
func parity(m *model.Release, src []byte) ([]string, error) {
	nodes, err := parse(string(src))
	if err != nil {
		return nil, err
	}
	if len(nodes) != 1 || nodes[0].name != "pipeline" || nodes[0].child("stages") == nil {
		return nil, fmt.Errorf("the Jenkinsfile must hold exactly one pipeline block with stages")
	}
	stages, err := readStages(nodes[0].child("stages"))
	if err != nil {
		return nil, err
	}
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	at := schedule(stages)
	names := map[string]int{}
	var count func([]*pstage)
	count = func(ss []*pstage) {
		for _, s := range ss {
			names[s.name]++
			count(s.children)
		}
	}
	count(stages)
	for n, c := range names {
		if c > 1 {
			report("stage name %q is used %d times", n, c)
		}
	}
	inputs := 0
	for _, p := range at {
		if p.s.input != nil {
			inputs++
		}
	}
	approvals := 0
	for _, j := range m.Plan.Jobs {
		p := at[stageOf(j)]
		if p == nil {
			report("job %s has no stage %q", j.ID, stageOf(j))
			continue
		}
		for _, n := range j.Needs {
			need := at[stageOf(m.Plan.Job(n))]
			if need == nil || need.end > p.start {
				report("stage %q (job %s) may start before stage %q (job %s), which it needs, has ended",
					p.s.name, j.ID, stageOf(m.Plan.Job(n)), n)
			}
		}
		problems = append(problems, checkGate(m, j, p)...)
		switch j.Kind {
		case model.JobTest:
			problems = append(problems, checkMatrix(j, p.s)...)
		case model.JobApprove:
			approvals++
			if p.s.input == nil || p.agent || !p.s.beforeInput {
				report("stage %q: an approval is an input, evaluated before the prompt, on no agent", p.s.name)
			}
		case model.JobDeploy:
			if !p.agent || p.s.env["KUBECONFIG"] != resolveCredentials(m.Secrets).kubeConfigOf(j.Env) {
				report("stage %q: a deploy runs on an agent with the environment's kubeconfig, got %v", p.s.name, p.s.env)
			}
		}
		if j.Kind != model.JobApprove && p.s.input != nil {
			report("stage %q of job %s asks for input", p.s.name, j.ID)
		}
	}
	if inputs != approvals {
		report("%d stages ask for input, the plan has %d approvals", inputs, approvals)
	}
	return problems, nil
}

// checkGate checks that the when conditions of a job's stage and its
// ancestors admit exactly the builds of the job's trigger.
func checkGate(m *model.Release, j *model.Job, p *placed) []string {
	var want []*pgate
	switch j.On {
	case model.OnPublish:
		want = []*pgate{{branch: m.Branch, branchComparator: "EQUALS", tag: releaseTagPattern, tagComparator: "REGEXP"}}
	case model.OnDeploy:
		want = []*pgate{{branch: m.Branch, branchComparator: "EQUALS"}}
	}
	got := p.gates
	if len(got) != len(want) {
		return []string{fmt.Sprintf("stage %q (job %s, trigger %s): %d when conditions apply, want %d", p.s.name, j.ID, j.On, len(got), len(want))}
	}
	var problems []string
	for i := range got {
		if *got[i] != *want[i] {
			problems = append(problems, fmt.Sprintf("stage %q (job %s): when %+v, want %+v", p.s.name, j.ID, *got[i], *want[i]))
		}
	}
	if j.On != model.OnAll && p.s.agent && p.s.gate != nil && !p.s.beforeAgent {
		problems = append(problems, fmt.Sprintf("stage %q: its when must be evaluated before the agent is allocated", p.s.name))
	}
	return problems
}

// checkMatrix checks a test stage's matrix against the job: axis VERSION
// holds the job's versions, axis SHARD the shard numbers from 0.
func checkMatrix(j *model.Job, s *pstage) []string {
	if s.body != "matrix" || !s.agent {
		return []string{fmt.Sprintf("stage %q: a test stage is a matrix with an agent per cell", s.name)}
	}
	var problems []string
	if !slices.Equal(s.axes["VERSION"], j.Versions) {
		problems = append(problems, fmt.Sprintf("stage %q: VERSION axis %q, want %q", s.name, s.axes["VERSION"], j.Versions))
	}
	var shards []string
	if j.Shards > 1 {
		for i := range j.Shards {
			shards = append(shards, strconv.Itoa(i))
		}
	}
	if !slices.Equal(s.axes["SHARD"], shards) {
		problems = append(problems, fmt.Sprintf("stage %q: SHARD axis %q, want %q", s.name, s.axes["SHARD"], shards))
	}
	cells := 1
	for _, v := range s.axes {
		cells *= len(v)
	}
	if cells != j.Runs() {
		problems = append(problems, fmt.Sprintf("stage %q: %d matrix cells, the job has %d runs", s.name, cells, j.Runs()))
	}
	for _, c := range s.children {
		if c.post == nil || c.post.child("always") == nil || c.post.child("always").child("junit") == nil {
			problems = append(problems, fmt.Sprintf("stage %q: the cell stage %q publishes no JUnit reports", s.name, c.name))
		}
	}
	return problems
}
