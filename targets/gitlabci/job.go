package gitlabci

import (
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// need is one entry of a job's needs:. Artifacts are fetched only where
// the job reads them: the build's dotenv report (the image digest) and
// the scan's SBOM.
type need struct {
	job       string // GitLab job name
	artifacts bool
}

// idToken is a GitLab OIDC ID token, exposed to the job as the variable
// name with audience aud.
type idToken struct{ name, aud string }

// job is one GitLab job. Keys are written in the order below, which is
// the order a reader looks for them.
type job struct {
	Stage string
	// Image is the job's image; empty uses default:image (dockerImage).
	Image string
	// DinD adds the docker:dind service and the variables that point the
	// docker CLI at it over TLS.
	DinD bool
	// Needs start the job as soon as these jobs are done; with none, it
	// starts at once. AfterStages leaves needs: out, so that the job waits
	// for every job of the earlier stages instead.
	Needs           []need
	AfterStages     bool
	Rules           *yaml.Node
	Environment     *yaml.Node
	ResourceGroup   string
	Uninterruptible bool
	Timeout         string
	// Matrix is the parallel:matrix list, nil for a single job.
	Matrix       *yaml.Node
	IDTokens     []idToken
	Variables    variables
	Cache        *yaml.Node
	BeforeScript []string
	Script       []string
	AfterScript  []string
	Artifacts    *yaml.Node
}

// dindVariables point the docker CLI at the docker:dind service, with the
// TLS certificates the service writes to /certs/client (a volume the
// runner shares between the job and its services).
var dindVariables = data(
	"DOCKER_HOST", "tcp://docker:2376",
	"DOCKER_TLS_CERTDIR", "/certs",
	"DOCKER_TLS_VERIFY", "1",
	"DOCKER_CERT_PATH", "/certs/client",
)

func (j *job) node() *yaml.Node {
	n := yamlenc.Map("stage", j.Stage)
	if j.Image != "" {
		yamlenc.Set(n, "image", j.Image)
	}
	vars := j.Variables
	if j.DinD {
		yamlenc.Set(n, "services", yamlenc.Seq(yamlenc.Map("name", dindImage, "alias", "docker")))
		vars = append(append(variables{}, dindVariables...), vars...)
	}
	needs := yamlenc.Seq()
	for _, nd := range j.Needs {
		needs.Content = append(needs.Content, yamlenc.Flow(yamlenc.Map("job", nd.job, "artifacts", nd.artifacts)))
	}
	if len(j.Needs) == 0 {
		yamlenc.Flow(needs)
	}
	if !j.AfterStages {
		yamlenc.Set(n, "needs", needs)
	}
	yamlenc.Set(n, "rules", j.Rules)
	yamlenc.Set(n, "environment", j.Environment)
	if j.ResourceGroup != "" {
		yamlenc.Set(n, "resource_group", j.ResourceGroup)
	}
	if j.Uninterruptible {
		yamlenc.Set(n, "interruptible", false)
	}
	if j.Timeout != "" {
		yamlenc.Set(n, "timeout", j.Timeout)
	}
	if j.Matrix != nil {
		yamlenc.Set(n, "parallel", yamlenc.Map("matrix", j.Matrix))
	}
	if len(j.IDTokens) > 0 {
		tokens := yamlenc.Map()
		for _, t := range j.IDTokens {
			yamlenc.Set(tokens, t.name, yamlenc.Map("aud", t.aud))
		}
		yamlenc.Set(n, "id_tokens", tokens)
	}
	yamlenc.Set(n, "variables", vars.node())
	yamlenc.Set(n, "cache", j.Cache)
	yamlenc.Set(n, "before_script", scripts(j.BeforeScript))
	yamlenc.Set(n, "script", scripts(j.Script))
	yamlenc.Set(n, "after_script", scripts(j.AfterScript))
	yamlenc.Set(n, "artifacts", j.Artifacts)
	return n
}

// scripts writes script lines, multi-line ones as literal blocks, or
// returns nil when there are none. A one-line script loses its final
// newline, so that it is written as a plain line.
func scripts(lines []string) *yaml.Node {
	if len(lines) == 0 {
		return nil
	}
	seq := yamlenc.Seq()
	for _, l := range lines {
		if strings.Count(l, "\n") == 1 {
			l = strings.TrimSuffix(l, "\n")
		}
		seq.Content = append(seq.Content, yamlenc.Str(l))
	}
	return seq
}
