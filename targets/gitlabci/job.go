package gitlabci

import (
	"slices"
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
//
// A job is written in two parts (parts): what jobs of its kind share,
// which goes into a hidden template job, and what is its own, which the
// job writes after extends: its needs, environment, resource group,
// matrix, cache, its own variables (variable.own), and the keys listed in
// Own. Everything else, scripts and rules included, comes from the job's
// kind, its trigger and the spec's global settings.
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
	Matrix   *yaml.Node
	IDTokens []idToken
	// Variables are shared unless marked own (variable.own).
	Variables    variables
	Cache        *yaml.Node
	BeforeScript []string
	Script       []string
	AfterScript  []string
	Artifacts    *yaml.Node
	// Own lists the keys of the job that are its own although jobs of
	// its kind usually share them, because their values come from the
	// job's service or environment: "artifacts" that name the service,
	// the "stage" and "timeout" of a deploy, the "rules" of a Slack job.
	Own []string
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

// parts returns the job's keys in two mappings: shared, the keys that
// jobs of its kind have in common and a template holds, and own, the keys
// that are the job's alone. The two have no key in common but variables,
// a hash, which GitLab merges key by key when a job extends a template.
func (j *job) parts() (shared, own *yaml.Node) {
	shared, own = yamlenc.Map(), yamlenc.Map()
	// set writes key into own when it is always the job's own or listed
	// in j.Own, into shared otherwise.
	set := func(key string, value any, always bool) {
		if always || slices.Contains(j.Own, key) {
			yamlenc.Set(own, key, value)
		} else {
			yamlenc.Set(shared, key, value)
		}
	}
	set("stage", j.Stage, false)
	if j.Image != "" {
		set("image", j.Image, false)
	}
	var sharedVars, ownVars variables
	if j.DinD {
		set("services", yamlenc.Seq(yamlenc.Map("name", dindImage, "alias", "docker")), false)
		sharedVars = append(sharedVars, dindVariables...)
	}
	for _, v := range j.Variables {
		if v.own {
			ownVars = append(ownVars, v)
		} else {
			sharedVars = append(sharedVars, v)
		}
	}
	needs := yamlenc.Seq()
	for _, nd := range j.Needs {
		needs.Content = append(needs.Content, yamlenc.Flow(yamlenc.Map("job", nd.job, "artifacts", nd.artifacts)))
	}
	if len(j.Needs) == 0 {
		yamlenc.Flow(needs)
	}
	if !j.AfterStages {
		set("needs", needs, true)
	}
	set("rules", j.Rules, false)
	set("environment", j.Environment, true)
	if j.ResourceGroup != "" {
		set("resource_group", j.ResourceGroup, true)
	}
	if j.Uninterruptible {
		set("interruptible", false, false)
	}
	if j.Timeout != "" {
		set("timeout", j.Timeout, false)
	}
	if j.Matrix != nil {
		set("parallel", yamlenc.Map("matrix", j.Matrix), true)
	}
	if len(j.IDTokens) > 0 {
		tokens := yamlenc.Map()
		for _, t := range j.IDTokens {
			yamlenc.Set(tokens, t.name, yamlenc.Map("aud", t.aud))
		}
		set("id_tokens", tokens, false)
	}
	yamlenc.Set(shared, "variables", sharedVars.node())
	yamlenc.Set(own, "variables", ownVars.node())
	set("cache", j.Cache, true)
	set("before_script", scripts(j.BeforeScript), false)
	set("script", scripts(j.Script), false)
	set("after_script", scripts(j.AfterScript), false)
	set("artifacts", j.Artifacts, false)
	return shared, own
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
