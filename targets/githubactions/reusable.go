package githubactions

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// calledKinds are the kinds of plan jobs that release.yml runs as calls to
// a reusable workflow of the same repository, one workflow per kind, in
// the order their files are built. Jobs of the other kinds (drift,
// approve) and the notify job are few per release and stay inline.
var calledKinds = []model.JobKind{model.JobTest, model.JobBuild, model.JobScan, model.JobSign, model.JobDeploy}

// calledPath is the path of the reusable workflow that runs jobs of kind.
func calledPath(kind model.JobKind) string {
	return ".github/workflows/release-" + string(kind) + ".yml"
}

// called is one reusable workflow (on: workflow_call) with a single job,
// and what each of its caller jobs in release.yml passes to it. Inputs and
// secrets are declared from what the callers pass, so that the two always
// agree: an input is declared when some caller sets it, and it is required
// unless it has a default (see settle), which the callers that would pass
// the default's value leave out.
type called struct {
	kind    model.JobKind
	callers []string // ids of the caller jobs, in plan order
	params  []*param
	secrets []string // secrets the job reads, in order of first use
	outputs []output
	job     *job
}

// param is one input of a called workflow with the value each caller
// passes.
type param struct {
	name, typ, desc string
	values          map[string]any // by caller job id: string (data), expr, int or bool
	// key marks an input that says which service or environment a job
	// is for: every caller passes it, even where a default would do.
	key bool
	// def is the input's default (see called.settle); hasDef says
	// whether it has one.
	def    any
	hasDef bool
}

// output is one output of a called workflow.
type output struct {
	name, desc string
	value      expr
}

func newCalled(kind model.JobKind, pjs []*model.Job) *called {
	c := &called{kind: kind}
	for _, pj := range pjs {
		c.callers = append(c.callers, pj.ID)
	}
	return c
}

// input adds an input of type typ ("string", "number" or "boolean"). It is
// declared only if some caller sets a value for it.
func (c *called) input(name, typ, desc string) *param {
	p := &param{name: name, typ: typ, desc: desc, values: map[string]any{}}
	c.params = append(c.params, p)
	return p
}

// key adds an input that names what a job is for (the service, the
// environment); see param.key.
func (c *called) key(name, desc string) *param {
	p := c.input(name, "string", desc)
	p.key = true
	return p
}

// set records the value the caller job id passes.
func (p *param) set(id string, v any) { p.values[id] = v }

// ref is the expression that reads the input in the called workflow.
func (p *param) ref() string { return "${{ inputs." + p.name + " }}" }

// when returns the if: of a step that only the callers in uses run, cond
// (never empty), or none when all of them run it. ok is false when no
// caller runs it, and the step is left out.
func (c *called) when(uses map[string]bool, cond expr) (_ expr, ok bool) {
	if cond == "" {
		panic("githubactions: called.when without a condition")
	}
	n := 0
	for _, id := range c.callers {
		if uses[id] {
			n++
		}
	}
	switch n {
	case 0:
		return "", false
	case len(c.callers):
		return "", true
	}
	return cond, true
}

// secret returns the expression that reads the secret called name. While
// a called workflow is built, it also records the name, so that the
// workflow declares it and its callers pass it. GITHUB_TOKEN needs neither:
// GitHub gives every called workflow its own.
func (g *gen) secret(name string) expr {
	if g.reads != nil && name != "GITHUB_TOKEN" && !slices.Contains(*g.reads, name) {
		*g.reads = append(*g.reads, name)
	}
	return secretExpr(name)
}

// secretDescription says what the secret called name holds.
func (g *gen) secretDescription(name string) string {
	switch name {
	case g.sec.AWSRoleARN:
		return "ARN of the AWS role to assume through GitHub's OIDC provider"
	case g.sec.AWSRegion:
		return "AWS region to assume the role in"
	case g.sec.KubeConfig:
		return "kubeconfig of the environment's cluster; an environment secret of this name takes precedence"
	case g.sec.RegistryUsername:
		return "user name to log in to the registry with"
	case g.sec.RegistryPassword:
		return "password to log in to the registry with"
	}
	return "secret " + name
}

// buildCalled builds the called workflow for the plan jobs pjs, all of
// kind, recording the secrets its job reads.
func (g *gen) buildCalled(kind model.JobKind, pjs []*model.Job) (*called, error) {
	var reads []string
	g.reads = &reads
	defer func() { g.reads = nil }()
	var (
		c   *called
		err error
	)
	switch kind {
	case model.JobTest:
		c, err = g.testWorkflow(pjs)
	case model.JobBuild:
		c, err = g.buildWorkflow(pjs)
	case model.JobScan:
		c, err = g.scanWorkflow(pjs)
	case model.JobSign:
		c, err = g.signWorkflow(pjs)
	case model.JobDeploy:
		c, err = g.deployWorkflow(pjs)
	default:
		return nil, fmt.Errorf("internal error: github: no called workflow for job kind %q", kind)
	}
	if err != nil {
		return nil, err
	}
	c.secrets = reads
	c.settle()
	return c, nil
}

// settle gives each input that several callers pass the same value for
// that value as its default, so that those callers leave it out:
// release.yml then writes only what is particular to each job. The most
// common value wins; of values as common, the one that reached that count
// first. A caller that sets no value stands for the type's zero value,
// which it passes explicitly when the default is another. Values holding
// expressions never become defaults, nor do key inputs.
func (c *called) settle() {
	for _, p := range c.params {
		if !p.declared() {
			continue
		}
		count := map[any]int{}
		var best any
		for _, id := range c.callers {
			v := p.effective(id)
			if _, isExpr := v.(expr); isExpr {
				continue
			}
			count[v]++
			if best == nil || count[v] > count[best] {
				best = v
			}
		}
		switch {
		case p.key && len(p.values) == len(c.callers):
			// required
		case best != nil && count[best] >= 2 && !p.key:
			p.def, p.hasDef = best, true
		case len(p.values) < len(c.callers):
			p.def, p.hasDef = zero(p.typ), true
		}
	}
}

// effective is the value caller id passes, or the type's zero value.
func (p *param) effective(id string) any {
	if v, ok := p.values[id]; ok {
		return v
	}
	return zero(p.typ)
}

// passes returns the value caller id passes for p, if any: nothing when
// it is the default.
func (p *param) passes(id string) (any, bool) {
	if !p.declared() {
		return nil, false
	}
	v := p.effective(id)
	if p.hasDef && v == p.def {
		return nil, false
	}
	return v, true
}

// zero is the value of an input of type typ that is not set.
func zero(typ string) any {
	switch typ {
	case "boolean":
		return false
	case "number":
		return 0
	}
	return ""
}

// declared reports whether p is declared: some caller passes it.
func (p *param) declared() bool { return len(p.values) > 0 }

// workflow is the called workflow file.
func (c *called) workflow(g *gen) *yaml.Node {
	inputs := yamlenc.Map()
	for _, p := range c.params {
		if !p.declared() {
			continue
		}
		decl := obj("description", p.desc, "required", !p.hasDef, "type", p.typ)
		if p.hasDef {
			set(decl, "default", p.def)
		}
		set(inputs, p.name, decl)
	}
	call := obj("inputs", inputs)
	if len(c.secrets) > 0 {
		secrets := yamlenc.Map()
		for _, s := range c.secrets {
			// Never required: a secret may exist only in an environment
			// (the deploy's), which the caller job cannot read; the job
			// fails at the step that needs it, as an inline job would.
			set(secrets, s, obj("description", g.secretDescription(s), "required", false))
		}
		set(call, "secrets", secrets)
	}
	if len(c.outputs) > 0 {
		outputs := yamlenc.Map()
		for _, o := range c.outputs {
			set(outputs, o.name, obj("description", o.desc, "value", o.value))
		}
		set(call, "outputs", outputs)
	}
	jobs := yamlenc.Map()
	set(jobs, string(c.kind), c.job.node())
	return yamlenc.Spaced(obj(
		"name", "release-"+string(c.kind),
		"on", obj("workflow_call", call),
		"permissions", yamlenc.Flow(yamlenc.Map()),
		"defaults", obj("run", obj("shell", "bash")),
		"jobs", jobs,
	))
}

// caller is the job of release.yml that calls the workflow for the plan
// job id. Its permissions are those of the called job: a called workflow
// gets at most what its caller grants. It passes exactly the secrets the
// called job reads, never all of them.
func (c *called) caller(id string, needs []string, cond expr) *yaml.Node {
	n := yamlenc.Map()
	setNeeds(n, needs)
	if cond != "" {
		set(n, "if", cond)
	}
	set(n, "uses", "./"+calledPath(c.kind))
	set(n, "permissions", c.job.Permissions.node())
	with := yamlenc.Map()
	for _, p := range c.params {
		if v, ok := p.passes(id); ok {
			set(with, p.name, v)
		}
	}
	if len(with.Content) > 0 {
		set(n, "with", with)
	}
	if len(c.secrets) > 0 {
		secrets := yamlenc.Map()
		for _, s := range c.secrets {
			set(secrets, s, secretExpr(s))
		}
		set(n, "secrets", secrets)
	}
	return n
}

// pushedImage declares the inputs of a called workflow that works on an
// image build-<svc> pushed: the service, which names the image, and the
// image's digest, which every caller passes from its build's output. It
// returns the service input, the image expression and the digest input.
func (g *gen) pushedImage(c *called, pjs []*model.Job, verb string) (service *param, image string, digest *param, err error) {
	service = c.key("service", "name of the service: its image is <registry>/<service>")
	digest = c.input("digest", "string", "digest of the image to "+verb+" (sha256:...)")
	if image, err = g.imageOf(service, pjs); err != nil {
		return nil, "", nil, err
	}
	for _, pj := range pjs {
		service.set(pj.ID, pj.Service.Name)
		digest.set(pj.ID, expr(digestOf(pj.Service)))
	}
	return service, image, digest, nil
}

// imageOf is the expression of the image of the service that the input
// service names: model.Release.Image, computed in the called workflow.
func (g *gen) imageOf(service *param, pjs []*model.Job) (string, error) {
	for _, pj := range pjs {
		if svc := pj.Service; svc == nil || g.m.Image(svc) != g.m.Registry.Host+"/"+svc.Name {
			return "", fmt.Errorf("internal error: github: job %s: the image is not <registry>/<service>", pj.ID)
		}
	}
	return literal(g.m.Registry.Host+"/") + service.ref(), nil
}
