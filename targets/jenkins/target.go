package jenkins

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// Target renders the Jenkinsfile. The zero value is ready to use.
type Target struct{}

var (
	_ targets.Target  = Target{}
	_ targets.Checker = Target{}
)

// Path is the file the target writes.
const Path = "Jenkinsfile"

// Name returns "jenkins", the target's name in specs and on the command
// line.
func (Target) Name() string { return "jenkins" }

// Outputs lists the Jenkinsfile.
func (Target) Outputs() []string { return []string{Path} }

// Check reports what the Jenkinsfile cannot express: credential ids Jenkins
// does not accept, a release branch that is not a git branch name, canary
// intervals the deploy wait cannot be computed from, a spec file name
// that cannot go into the header comment, and a pipeline block too large
// for a controller that does not split scripts.
func (Target) Check(m *model.Release) diag.List {
	if !m.HasTarget("jenkins") {
		return nil
	}
	if ds := check(m); len(ds) > 0 {
		return ds
	}
	return checkMethodSize(m)
}

// Render returns the Jenkinsfile, or nothing when m does not select the
// jenkins target.
func (Target) Render(m *model.Release) ([]targets.File, error) {
	if !m.HasTarget("jenkins") {
		return nil, nil
	}
	if m.Plan == nil {
		return nil, fmt.Errorf("internal error: jenkins: the model has no plan")
	}
	if ds := check(m); len(ds) > 0 {
		return nil, ds.Sort()[0]
	}
	g := newGen(m)
	stages, err := g.stages()
	if err != nil {
		return nil, err
	}
	if d := g.methodSizeError(stages); d != nil {
		return nil, d
	}
	// About what a service's stages take, so that the buffer does not
	// grow by copying for large specs.
	w := &writer{b: make([]byte, 0, 64<<10+6<<10*len(m.Services))}
	w.raw(targets.Header("//", m))
	w.raw(fileComment)
	w.raw("\nimport groovy.transform.Field\n\n")
	g.pipeline(w, stages)
	w.writeScripts()
	return []targets.File{{Path: Path, Data: w.b, Target: "jenkins", Limit: classLimit, Size: constantPool(w.b)}}, nil
}

// fileComment follows the header. It is constant: no spec data is ever
// written into a comment, where Groovy would still decode \u escapes.
const fileComment = `//
// Declarative Pipeline for a Multibranch Pipeline job. Stages run on
// agents labelled 'linux && docker'; the release branch's builds publish
// images and deploy, release tag builds publish. The plugins, agent tools
// and credentials it needs are listed in release-gen's documentation of
// the jenkins target.
`

// gen renders one release.
type gen struct {
	m    *model.Release
	cred credentialIDs
	// reg is how the stages reach the registry, platforms the image
	// platforms as PLATFORMS lists them, and buildScript the script that
	// builds and pushes an image: the same for every service.
	reg         registryAccess
	platforms   string
	buildScript string
	// inToolchainParts holds the script parts that run a shared script
	// in a toolchain image, by that script (see gen.inToolchain).
	inToolchainParts map[string]string
	// scripts holds each distinct script built so far, by the part after
	// scriptHead, and body is where shell joins a script's parts.
	scripts map[string]string
	body    []byte
}

// newGen returns the renderer of m, with what the stages of every service
// share worked out once.
func newGen(m *model.Release) *gen {
	cred := resolveCredentials(m.Secrets)
	return &gen{
		m:           m,
		cred:        cred,
		reg:         registryAccessOf(m.Registry, cred),
		platforms:   strings.Join(m.Platforms, ","),
		buildScript: buildImage(m.Caches.Docker),
	}
}

// agentLabel is the label expression of the agents every stage runs on:
// Linux with bash, git and docker (with buildx), plus the tools of the
// stages (jq, curl, aws, kubectl, cosign).
const agentLabel = "linux && docker"
