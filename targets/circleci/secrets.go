package circleci

import "release-gen.dev/release-gen/compiler/model"

// Default names of the environment variables that hold the credentials;
// the spec may rename them (model.Secrets). On CircleCI they live in
// contexts (see releaseContext and envContext) or in the project's
// environment variables.
const (
	defAWSRoleARN       = "AWS_ROLE_ARN"
	defAWSRegion        = "AWS_REGION"
	defKubeConfig       = "KUBE_CONFIG"
	defSlackWebhook     = "SLACK_WEBHOOK_URL"
	defRegistryUsername = "REGISTRY_USERNAME"
	defRegistryPassword = "REGISTRY_PASSWORD"
)

// secretNames are the variable names in effect: the spec's, or the defaults.
type secretNames struct {
	AWSRoleARN, AWSRegion, KubeConfig, SlackWebhook string
	RegistryUsername, RegistryPassword              string
}

func resolveSecrets(s model.Secrets) secretNames {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	return secretNames{
		AWSRoleARN:       or(s.AWSRoleARN, defAWSRoleARN),
		AWSRegion:        or(s.AWSRegion, defAWSRegion),
		KubeConfig:       or(s.KubeConfig, defKubeConfig),
		SlackWebhook:     or(s.SlackWebhook, defSlackWebhook),
		RegistryUsername: or(s.RegistryUsername, defRegistryUsername),
		RegistryPassword: or(s.RegistryPassword, defRegistryPassword),
	}
}

// used lists the names the config reads, in a stable order.
func (s secretNames) used() []string {
	return []string{s.AWSRoleARN, s.AWSRegion, s.KubeConfig, s.SlackWebhook, s.RegistryUsername, s.RegistryPassword}
}

// releaseContext is the context of every job that touches the registry:
// it holds the AWS role (or the registry username and password), and
// running in a context is what gives a job CircleCI's OIDC token.
func releaseContext(m *model.Release) string { return m.Name + "-release" }

// envContext is the context of an environment's deploys and of its
// approval: it holds the environment's kubeconfig, and restricting it to a
// security group restricts who may approve and deploy.
func envContext(m *model.Release, e *model.Environment) string { return m.Name + "-" + e.Name }
