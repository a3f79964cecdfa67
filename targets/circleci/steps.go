package circleci

import (
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// run is a run step: a bash script that reads its inputs from Env and
// from the job's environment.
type run struct {
	Name string
	Env  *yaml.Node
	// NoOutputTimeout raises CircleCI's 10-minute limit on a silent step,
	// e.g. "20m".
	NoOutputTimeout string
	// When is on_fail or always; empty runs the step only while the job
	// succeeds.
	When    string
	Command string
}

func (r run) node() *yaml.Node {
	n := obj("name", r.Name)
	set(n, "environment", r.Env)
	if r.NoOutputTimeout != "" {
		set(n, "no_output_timeout", r.NoOutputTimeout)
	}
	if r.When != "" {
		set(n, "when", r.When)
	}
	set(n, "command", script(r.Command))
	return obj("run", n)
}

// builtin is a step CircleCI provides that takes no arguments, such as
// checkout or setup_remote_docker.
func builtin(name string) *yaml.Node { return yamlenc.Str(name) }

// invoke is a step that runs one of the config's commands, which the
// config then defines. The empty argument map keeps the step a mapping,
// the form every CircleCI parser reads.
func (g *gen) invoke(command string) *yaml.Node {
	g.used["command "+command] = true
	return obj(command, yamlenc.Map())
}

// job is one entry of the config's jobs. Keys are written in the order
// below, the order a reader looks for them. Env holds the job's spec
// values, which the steps and commands read.
type job struct {
	Params      *yaml.Node
	Executor    *yaml.Node
	Parallelism int
	Env         *yaml.Node
	Steps       []*yaml.Node
}

func (j *job) node() *yaml.Node {
	n := yamlenc.Map()
	set(n, "parameters", j.Params)
	set(n, "executor", j.Executor)
	if j.Parallelism > 1 {
		set(n, "parallelism", j.Parallelism)
	}
	set(n, "environment", j.Env)
	set(n, "steps", yamlenc.Seq(j.Steps...))
	return n
}

// workspace is where jobs share files: digests/<service> holds the digest
// build-<service> pushed, sbom/<service>/ the SBOM scan-<service> wrote.
// Paths are per service, since a job that attaches the workspace of two
// upstream jobs fails when both persisted the same file.
const workspace = "/tmp/workspace"

// attachWorkspace makes the upstream jobs' workspace files visible.
func attachWorkspace() *yaml.Node { return obj("attach_workspace", obj("at", workspace)) }

// persist adds a workspace directory to the workspace. Each job has put
// only its own service's files there.
func persist(dir string) *yaml.Node {
	return obj("persist_to_workspace", obj("root", workspace, "paths", []string{dir}))
}
