package gitlabci

import (
	"strings"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/secret"
)

// The scripts read the default names (package secret): a variable the spec
// renames is passed on under the default name by a job variable that
// refers to it.

// secret passes the CI/CD variable called actual on to the scripts under
// the name they read, want; nothing is needed when the names are equal.
func passSecret(want, actual string) variables {
	if want == actual {
		return nil
	}
	return variables{ref(want, "${"+actual+"}")}
}

// awsIDToken is the ID token a job exchanges for AWS credentials.
const awsIDToken = "AWS_ID_TOKEN"

// assumeRoleScript exchanges the job's GitLab ID token (AWS_ID_TOKEN,
// audience sts.amazonaws.com) for credentials of the role AWS_ROLE_ARN in
// AWS_REGION and exports them for aws, docker and cosign.
const assumeRoleScript = `if [ -z "${AWS_ROLE_ARN:-}" ]; then
  fail "the CI/CD variable holding the AWS role ARN is not set"
fi
creds="$(aws sts assume-role-with-web-identity \
  --region "$AWS_REGION" \
  --role-arn "$AWS_ROLE_ARN" \
  --role-session-name "gitlab-$CI_PROJECT_ID-$CI_JOB_ID" \
  --web-identity-token "$AWS_ID_TOKEN" \
  --duration-seconds 3600 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' \
  --output text)" || fail "could not assume the AWS role with the job's ID token"
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<< "$creds"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
`

// ecrLoginScript logs docker in to the ECR registry REGISTRY with the
// assumed role.
const ecrLoginScript = `aws ecr get-login-password --region "$AWS_REGION" \
  | docker login --username AWS --password-stdin "$REGISTRY"
`

// passwordLoginScript logs docker in to REGISTRY with REGISTRY_USERNAME
// and REGISTRY_PASSWORD.
const passwordLoginScript = `if [ -z "${REGISTRY_USERNAME:-}" ] || [ -z "${REGISTRY_PASSWORD:-}" ]; then
  fail "the CI/CD variables holding the registry username and password are not set"
fi
printf '%s' "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USERNAME" --password-stdin "$REGISTRY"
`

// login is what a job needs to log docker in to the registry: ECR through
// the AWS role (an ID token, the aws CLI), any other registry (GHCR
// included) with the username and password variables. Later commands
// (docker, buildx, trivy, syft, cosign) use the credentials docker stores.
type login struct {
	vars   variables
	tokens []idToken
	pkgs   []string
	script string
}

func (g *gen) login() login {
	r := g.m.Registry
	if r.Kind == model.RegistryECR {
		l := g.awsLogin(r.Region)
		l.vars = append(l.vars, data("REGISTRY", r.Server)...)
		l.script += ecrLoginScript
		return l
	}
	vars := data("REGISTRY", r.Server)
	vars = append(vars, passSecret(secret.RegistryUsername, g.sec.RegistryUsername)...)
	vars = append(vars, passSecret(secret.RegistryPassword, g.sec.RegistryPassword)...)
	return login{vars: vars, script: passwordLoginScript}
}

// awsLogin assumes the AWS role; region is the ECR registry's, or empty to
// read it from the AWS region variable.
func (g *gen) awsLogin(region string) login {
	vars := passSecret(secret.AWSRoleARN, g.sec.AWSRoleARN)
	if region != "" {
		vars = append(vars, data("AWS_REGION", region)...)
	} else {
		vars = append(vars, passSecret(secret.AWSRegion, g.sec.AWSRegion)...)
	}
	return login{
		vars:   vars,
		tokens: []idToken{{awsIDToken, "sts.amazonaws.com"}},
		pkgs:   []string{"aws-cli"},
		script: assumeRoleScript,
	}
}

// signNeedsAWS reports whether signing needs AWS credentials that logging
// in to the registry does not already provide: a KMS key outside ECR.
func (g *gen) signNeedsAWS() bool {
	s := g.m.Security.Sign
	return s != nil && strings.HasPrefix(s.Key, "awskms://") && g.m.Registry.Kind != model.RegistryECR
}
