package circleci

import (
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// Names of the config's reusable commands. The per-kind commands hold the
// steps every job of that kind runs; they read the job's values (SERVICE,
// IMAGE, ...) from the job's environment.
const (
	cmdAWSCredentials = "aws-credentials"
	cmdRegistryLogin  = "registry-login"
	cmdImageDigest    = "image-digest"
	cmdBuildImage     = "build-image"
	cmdScanImage      = "scan-image"
	cmdSignImage      = "sign-image"
	cmdDeployImage    = "deploy-image"
	cmdVerifyDeploy   = "verify-and-tag"
	cmdNotifyFailure  = "notify-failure"
)

// commandOrder is the order the config lists its commands in: each after
// the commands it invokes, which CircleCI's config parser requires.
var commandOrder = []string{
	cmdAWSCredentials, cmdRegistryLogin, cmdImageDigest,
	cmdBuildImage, cmdScanImage, cmdSignImage, cmdDeployImage, cmdVerifyDeploy,
	cmdNotifyFailure,
}

// commands defines the commands the jobs use. A command's body may invoke
// further commands, so bodies are built from the outermost in (the
// reverse of commandOrder), and then listed in commandOrder.
func (g *gen) commands() *yaml.Node {
	bodies := map[string]*yaml.Node{}
	for i := len(commandOrder) - 1; i >= 0; i-- {
		if c := commandOrder[i]; g.used["command "+c] {
			bodies[c] = g.commandBody(c)
		}
	}
	n := yamlenc.Map()
	for _, c := range commandOrder {
		if b := bodies[c]; b != nil {
			set(n, c, b)
		}
	}
	return n
}

func (g *gen) commandBody(c string) *yaml.Node {
	switch c {
	case cmdBuildImage:
		return command("Build the image for every platform on a remote docker engine, push it and put its digest in the workspace.", g.buildImageSteps()...)
	case cmdScanImage:
		return command(g.scanDescription(), g.scanImageSteps()...)
	case cmdSignImage:
		d := "Sign the pushed image with cosign."
		if g.m.Security.SBOM {
			d = "Sign the pushed image with cosign and attest its SBOM."
		}
		return command(d, g.signImageSteps()...)
	case cmdDeployImage:
		return command("Point the service's deployment at the pushed image, by digest.", g.deployImageSteps()...)
	case cmdVerifyDeploy:
		return command("Probe the deployed service's health endpoint, then tag the image for the environment.", verifySteps()...)
	case cmdImageDigest:
		return command("Read the digest build-<service> pushed and export DIGEST, SHA and IMAGE_REF.",
			attachWorkspace(),
			run{Name: "Read the image digest", Command: shell.Prelude + digestScript}.node())
	case cmdAWSCredentials:
		return command("Assume the AWS role through CircleCI's OIDC token and export the session.", g.awsCredentialsStep())
	case cmdRegistryLogin:
		return command("Log docker in to the image registry.", g.registryLoginStep())
	case cmdNotifyFailure:
		return command("Announce a failed job of a release-branch or tag pipeline in Slack.", g.slackStep("failed", "on_fail"))
	}
	panic("circleci: unknown command " + c)
}

func command(description string, steps ...*yaml.Node) *yaml.Node {
	return obj("description", description, "steps", yamlenc.Seq(steps...))
}

// signsWithKMS reports whether images are signed with an AWS KMS key.
func (g *gen) signsWithKMS() bool {
	s := g.m.Security.Sign
	return s != nil && strings.HasPrefix(s.Key, "awskms://")
}

// awsCredentialsStep assumes the role; the region is the ECR registry's,
// or the region variable's when the registry is not on ECR.
func (g *gen) awsCredentialsStep() *yaml.Node {
	e := env("ROLE_ARN_VARIABLE", g.sec.AWSRoleARN)
	if r := g.m.Registry.Region; r != "" {
		set(e, "AWS_REGION", r)
	} else {
		set(e, "REGION_VARIABLE", g.sec.AWSRegion)
	}
	return run{Name: "Assume the AWS role", Env: e, Command: shell.Prelude + awsCredentialsScript}.node()
}

// registryLoginStep logs in to ECR with the assumed role, and to any other
// registry (GHCR included: CircleCI has no token for it) with the username
// and password variables.
func (g *gen) registryLoginStep() *yaml.Node {
	r := g.m.Registry
	if r.Kind == model.RegistryECR {
		return run{Name: "Log in to Amazon ECR", Env: env("REGISTRY", r.Server), Command: ecrLoginScript}.node()
	}
	return run{
		Name: "Log in to the registry",
		Env: env(
			"REGISTRY", r.Server,
			"USERNAME_VARIABLE", g.sec.RegistryUsername,
			"PASSWORD_VARIABLE", g.sec.RegistryPassword,
		),
		Command: shell.Prelude + passwordLoginScript,
	}.node()
}

// loginSteps give a job docker access to the registry, and the AWS
// session when the registry is ECR.
func (g *gen) loginSteps() []*yaml.Node {
	if g.m.Registry.Kind == model.RegistryECR {
		return []*yaml.Node{g.invoke(cmdAWSCredentials), g.invoke(cmdRegistryLogin)}
	}
	return []*yaml.Node{g.invoke(cmdRegistryLogin)}
}

// slackStep posts status to the spec's Slack channel; when is on_fail for
// the failure notice every job ends with.
func (g *gen) slackStep(status, when string) *yaml.Node {
	s := g.m.Notify.Slack
	return run{
		Name: "Announce the result in Slack",
		Env: env(
			"SLACK_WEBHOOK_VARIABLE", g.sec.SlackWebhook,
			"SLACK_CHANNEL", s.Channel,
			"RELEASE_BRANCH", g.m.Branch,
			"STATUS", status,
		),
		When:    when,
		Command: slackContextScript + shell.Slack,
	}.node()
}

// finish is what every job's steps end with: the failure notice, when
// Slack announces failures.
func (g *gen) finish(steps ...*yaml.Node) []*yaml.Node {
	if g.m.Notify.Slack.Announces("failure") {
		steps = append(steps, g.invoke(cmdNotifyFailure))
	}
	return steps
}
