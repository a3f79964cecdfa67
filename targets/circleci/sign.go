package circleci

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// signJob runs the sign-image command for one service. cosign runs from
// its image with docker's credentials mounted: the machine executor.
func (g *gen) signJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil || g.m.Security.Sign == nil {
		return nil, fmt.Errorf("internal error: circleci: sign job %s has no service or no signing policy", pj.ID)
	}
	return &job{
		Executor: g.executor(machineExecutor, nil),
		Env:      env("SERVICE", svc.Name, "IMAGE", g.m.Image(svc)),
		Steps:    g.finish(g.invoke(cmdSignImage)),
	}, nil
}

// signImageSteps sign the image by digest with cosign and attest the SBOM
// the scan job left in the workspace. Without a key, signing is keyless:
// the job asks CircleCI for an OIDC token with Sigstore's audience and
// cosign exchanges it at Fulcio for a short-lived certificate. With a key
// reference (for example awskms://...), cosign signs with that key, using
// the assumed AWS role for a KMS key.
func (g *gen) signImageSteps() []*yaml.Node {
	sign := g.m.Security.Sign
	steps := []*yaml.Node{g.invoke(cmdImageDigest)}
	if g.signsWithKMS() && g.m.Registry.Kind != model.RegistryECR {
		steps = append(steps, g.invoke(cmdAWSCredentials))
	}
	steps = append(steps, g.loginSteps()...)
	attest := g.m.Security.SBOM
	e := env("ATTEST", fmt.Sprint(attest))
	cmd := shell.Prelude
	if attest {
		cmd += `cd "` + workspace + `/` + sbomDir + `/$SERVICE"` + "\n"
	}
	if sign.Key != "" {
		set(e, "COSIGN_KEY_REF", sign.Key)
	} else {
		cmd += keylessTokenScript
	}
	name := "Sign the image"
	if attest {
		name = "Sign the image and attest its SBOM"
	}
	return append(steps, run{Name: name, Env: e, Command: cmd + cosignFunction + shell.Sign}.node())
}
