package githubactions

import (
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// step is one workflow step. Every step has a name; a step either uses a
// pinned action or runs a bash script that reads its inputs from Env.
type step struct {
	Name     string
	NameExpr expr // a name that reads inputs, instead of Name
	ID       string
	If       expr
	Uses     *action
	With     *yaml.Node
	Env      *yaml.Node
	WorkDir  expr   // working-directory (from an input)
	Run      string // bash script; GitHub expressions never appear in it
}

func (s step) node() *yaml.Node {
	n := obj("name", s.Name)
	if s.NameExpr != "" {
		n = obj("name", s.NameExpr)
	}
	if s.ID != "" {
		set(n, "id", s.ID)
	}
	if s.If != "" {
		set(n, "if", s.If)
	}
	if s.Uses != nil {
		set(n, "uses", yamlenc.Comment(yamlenc.Str(s.Uses.ref()), s.Uses.Version))
	}
	set(n, "with", s.With)
	set(n, "env", s.Env)
	if s.WorkDir != "" {
		set(n, "working-directory", s.WorkDir)
	}
	if s.Run != "" {
		set(n, "run", script(s.Run))
	}
	return n
}

// job is one workflow job. Keys are written in the order below, which is
// the order a reader looks for them.
type job struct {
	Needs       []string
	If          expr
	Environment *yaml.Node
	Permissions perms
	Concurrency *yaml.Node
	Timeout     int  // timeout-minutes
	TimeoutExpr expr // timeout-minutes from an input, instead of Timeout
	Strategy    *yaml.Node
	Container   *yaml.Node
	Outputs     *yaml.Node
	Env         *yaml.Node
	Steps       []step
}

func (j *job) node() *yaml.Node {
	n := yamlenc.Map()
	setNeeds(n, j.Needs)
	if j.If != "" {
		set(n, "if", j.If)
	}
	set(n, "runs-on", runner)
	if j.TimeoutExpr != "" {
		set(n, "timeout-minutes", j.TimeoutExpr)
	} else {
		set(n, "timeout-minutes", j.Timeout)
	}
	set(n, "permissions", j.Permissions.node())
	set(n, "environment", j.Environment)
	set(n, "concurrency", j.Concurrency)
	set(n, "strategy", j.Strategy)
	set(n, "container", j.Container)
	set(n, "outputs", j.Outputs)
	set(n, "env", j.Env)
	steps := yamlenc.Seq()
	for _, s := range j.Steps {
		steps.Content = append(steps.Content, s.node())
	}
	set(n, "steps", steps)
	return n
}

// setNeeds writes a job's needs: in flow style when there are few.
func setNeeds(n *yaml.Node, needs []string) {
	switch {
	case len(needs) > 4:
		set(n, "needs", needs)
	case len(needs) > 0:
		set(n, "needs", flowStrs(needs...))
	}
}

// perms is a job's permissions, in the order they are added. The zero
// value is "permissions: {}": no access at all.
type perms [][2]string

// with returns p with scope set to level, replacing a weaker grant.
func (p perms) with(scope, level string) perms {
	for i, kv := range p {
		if kv[0] == scope {
			if level == "write" {
				p[i][1] = level
			}
			return p
		}
	}
	return append(p, [2]string{scope, level})
}

func (p perms) node() *yaml.Node {
	n := yamlenc.Map()
	for _, kv := range p {
		set(n, kv[0], kv[1])
	}
	return n
}

// checkout checks the repository out without leaving the token in
// .git/config, so that later steps (and the user's test and build
// commands) cannot read it.
func checkout() step {
	return step{Name: "Check out", Uses: &actCheckout, With: obj("persist-credentials", false)}
}

// setupBuildx sets up a docker-container builder: multi-platform builds,
// the gha cache and imagetools.
func setupBuildx() step {
	return step{Name: "Set up Docker Buildx", Uses: &actSetupBuildx}
}
