package jenkins

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// publishStage renders a build, scan or sign job. These stages run in
// sequence inside the service's "Publish <service>" stage, on its agent and
// in its workspace, so the image record and the SBOM pass from one to the
// next as files.
func (g *gen) publishStage(j *model.Job) (*stage, error) {
	if j.Service == nil {
		return nil, fmt.Errorf("internal error: jenkins: job %s has no service", j.ID)
	}
	var (
		s   *stage
		err error
	)
	switch j.Kind {
	case model.JobBuild:
		s = g.buildStage(j.Service)
	case model.JobScan:
		s = g.scanStage(j.Service)
	case model.JobSign:
		s, err = g.signStage(j.Service)
	}
	if err != nil {
		return nil, err
	}
	s.job = j.ID
	return s, nil
}

// registryAccess is how a stage reaches the registry: the script part
// that logs docker in, the variables it reads and the credentials it
// needs.
type registryAccess struct {
	login string
	vars  []envVar
	creds []binding
}

// registryAccessOf returns the access to r. ECR uses the agent's AWS
// credentials; GHCR and other registries a username and a password
// credential, which Jenkins binds only around the steps that log in
// (withCredentials), never for a step that runs the spec's commands.
func registryAccessOf(r model.Registry, cred credentialIDs) registryAccess {
	if r.Kind == model.RegistryECR {
		return registryAccess{
			login: ecrLogin,
			vars:  []envVar{{"REGISTRY_SERVER", r.Server}, {"AWS_REGION", r.Region}},
		}
	}
	return registryAccess{
		login: passwordLogin,
		vars:  []envVar{{"REGISTRY_SERVER", r.Server}},
		creds: []binding{
			{"REGISTRY_USERNAME", cred.registryUsername},
			{"REGISTRY_PASSWORD", cred.registryPassword},
		},
	}
}

// loggedIn returns s, a step that logs in to the registry, with the
// registry's credentials bound around it when it needs any.
func (g *gen) loggedIn(s sh) step {
	if len(g.reg.creds) == 0 {
		return s
	}
	return withCredentials{g.reg.creds, []step{s}}
}

// stageVars returns a stage's variables: first, then the registry's, with
// room for extra more.
func (g *gen) stageVars(extra int, first ...envVar) []envVar {
	vars := make([]envVar, 0, len(first)+len(g.reg.vars)+extra)
	vars = append(vars, first...)
	return append(vars, g.reg.vars...)
}

// buildStage runs the service's build command, if any, in its toolchain
// image with the newest version its tests use, then builds the image for
// every platform and pushes it by commit (and release tag), and stashes
// the digest and commit it recorded for the deploy stages.
func (g *gen) buildStage(svc *model.Service) *stage {
	vars := g.stageVars(2+maxToolchainVars,
		envVar{"SERVICE", svc.Name},
		envVar{"IMAGE", g.m.Image(svc)},
		envVar{"CONTEXT", svc.Path},
		envVar{"DOCKERFILE", svc.Dockerfile},
		envVar{"PLATFORMS", g.platforms})
	var steps []step
	if strings.TrimSpace(svc.Build) != "" {
		version := ""
		if n := len(svc.Versions); n > 0 {
			version = svc.Versions[n-1]
		}
		vars = append(vars, envVar{"SERVICE_PATH", svc.Path}, envVar{"BUILD_COMMAND", svc.Build})
		run := g.runInToolchain(svc.Toolchain, version, &vars, shell.RunBuild)
		steps = append(steps, g.shell("Build command", serviceDir, run))
	}
	steps = append(steps, g.loggedIn(g.shell("Build and push the image", g.reg.login, g.buildScript)))
	return &stage{
		name:    "Build " + svc.Name,
		timeout: minutes(buildMinutes),
		steps: []step{
			withEnv{vars, steps},
			stash{name: stashName(svc), includes: imageDir(svc.Name) + "/*"},
		},
	}
}

// stashName is the stash that carries svc's image record to its deploys.
func stashName(svc *model.Service) string { return "image-" + svc.Name }

// scanStage scans the image for vulnerabilities, writes its SBOM (kept as
// a build artifact) and applies the license gate.
func (g *gen) scanStage(svc *model.Service) *stage {
	sec := g.m.Security
	login := g.reg.login
	vars := g.stageVars(3,
		envVar{"SERVICE", svc.Name},
		envVar{"IMAGE", g.m.Image(svc)},
		envVar{"PLATFORMS", g.platforms})
	var steps []step
	if s := sec.Scan; s != nil {
		exit := "0"
		if s.FailBuild {
			exit = "1"
		}
		vars = append(vars, envVar{"SEVERITY", strings.Join(s.Severity, ",")}, envVar{"EXIT_CODE", exit})
		steps = append(steps, g.loggedIn(g.shell("Scan for vulnerabilities", readImage, imageRef, login, toolHome, shell.Trivy)))
	}
	if sec.SBOM || sec.Licenses != nil {
		steps = append(steps, g.loggedIn(g.shell("Generate SBOM", readImage, imageRef, login, toolHome, sbomDir, shell.Syft)))
	}
	if l := sec.Licenses; l != nil && len(l.Deny) > 0 {
		vars = append(vars, envVar{"DENY", strings.Join(l.Deny, ",")})
		steps = append(steps, g.shell("Check licenses", sbomDir, shell.LicenseGate))
	}
	all := []step{withEnv{vars, steps}}
	if sec.SBOM {
		all = append(all, archiveArtifacts{sbomPath(svc.Name)})
	}
	return &stage{name: "Scan " + svc.Name, timeout: minutes(scanMinutes), steps: all}
}

// signStage signs the image by digest with cosign and attests its SBOM.
// Jenkins has no OIDC identity that Sigstore trusts, so there is no
// keyless signing: cosign signs with the key reference of the spec (for
// example awskms://...), with the agent's cloud credentials, or else with
// the key file in the cosign key credential and its password in
// "<cosign key>-password".
func (g *gen) signStage(svc *model.Service) (*stage, error) {
	sign := g.m.Security.Sign
	if sign == nil {
		return nil, fmt.Errorf("internal error: jenkins: sign job for %s without a signing policy", svc.Name)
	}
	attest := "false"
	if g.m.Security.SBOM {
		attest = "true"
	}
	vars := g.stageVars(1,
		envVar{"SERVICE", svc.Name},
		envVar{"IMAGE", g.m.Image(svc)},
		envVar{"ATTEST", attest})
	var env []binding
	if sign.Key != "" {
		vars = append(vars, envVar{"COSIGN_KEY_REF", sign.Key})
		if kmsOutsideECR(g.m) {
			env = append(env, binding{"AWS_REGION", g.cred.awsRegion})
		}
	} else {
		env = append(env,
			binding{"COSIGN_KEY_REF", g.cred.cosignKey},
			binding{"COSIGN_PASSWORD", g.cred.cosignPassword()})
	}
	parts := []string{readImage, g.reg.login}
	if g.m.Security.SBOM {
		parts = append(parts, sbomDir)
	}
	parts = append(parts, shell.Sign)
	return &stage{
		name:    "Sign " + svc.Name,
		timeout: minutes(signMinutes),
		env:     env,
		steps:   []step{withEnv{vars, []step{g.loggedIn(g.shell("Sign image", parts...))}}},
	}, nil
}
