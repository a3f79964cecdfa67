package githubactions

import (
	"strings"

	"release-gen.dev/release-gen/compiler/model"
)

// awsSteps assume the AWS role through GitHub's OIDC provider (the job
// needs id-token: write). The region is the ECR registry's, or the
// AWS region secret when the registry is not on ECR.
func (g *gen) awsSteps() []step {
	region := expr(literal(g.m.Registry.Region))
	if g.m.Registry.Region == "" {
		region = g.secret(g.sec.AWSRegion)
	}
	return []step{{
		Name: "Configure AWS credentials",
		Uses: &actAWSCredentials,
		With: obj("role-to-assume", g.secret(g.sec.AWSRoleARN), "aws-region", region),
	}}
}

// loginSteps log docker in to the registry: ECR through the assumed AWS
// role, GHCR with the workflow's own token, any other registry with the
// username and password secrets. Later steps (docker, buildx, trivy, syft,
// cosign) use the credentials docker stores.
func (g *gen) loginSteps() []step {
	r := g.m.Registry
	switch r.Kind {
	case model.RegistryECR:
		account, _, _ := strings.Cut(r.Server, ".")
		return append(g.awsSteps(), step{
			Name: "Log in to Amazon ECR",
			ID:   "ecr",
			Uses: &actECRLogin,
			With: obj("registries", account),
		})
	case model.RegistryGHCR:
		return []step{{
			Name: "Log in to GitHub Container Registry",
			Uses: &actDockerLogin,
			With: obj("registry", "ghcr.io",
				"username", expr("${{ github.actor }}"),
				"password", g.secret("GITHUB_TOKEN")),
		}}
	default:
		return []step{{
			Name: "Log in to the registry",
			Uses: &actDockerLogin,
			With: obj("registry", r.Server,
				"username", g.secret(g.sec.RegistryUsername),
				"password", g.secret(g.sec.RegistryPassword)),
		}}
	}
}

// registryPerms adds what logging in needs: id-token: write to assume the
// AWS role (ECR), packages: read or write for GHCR.
func (g *gen) registryPerms(p perms, push bool) perms {
	switch g.m.Registry.Kind {
	case model.RegistryECR:
		p = p.with("id-token", "write")
	case model.RegistryGHCR:
		if push {
			p = p.with("packages", "write")
		} else {
			p = p.with("packages", "read")
		}
	}
	return p
}

// signNeedsAWS reports whether signing needs AWS credentials that logging
// in to the registry does not already provide: a KMS key outside ECR.
func (g *gen) signNeedsAWS() bool {
	s := g.m.Security.Sign
	return s != nil && strings.HasPrefix(s.Key, "awskms://") && g.m.Registry.Kind != model.RegistryECR
}
