// Package secret resolves the names under which a platform's secret store
// holds the credentials the pipelines read.
//
// The spec may rename every credential (model.Secrets); the schema gives
// each a default, which is also the name the shared scripts
// (targets/internal/shell) read. A compiled model always carries names;
// Resolve fills the defaults into a model built by hand.
package secret

import "release-gen.dev/release-gen/compiler/model"

// Default names: the schema's defaults, and the environment variables the
// shared scripts read.
const (
	AWSRoleARN       = "AWS_ROLE_ARN"
	AWSRegion        = "AWS_REGION"
	KubeConfig       = "KUBE_CONFIG"
	SlackWebhook     = "SLACK_WEBHOOK_URL"
	RegistryUsername = "REGISTRY_USERNAME"
	RegistryPassword = "REGISTRY_PASSWORD"
	GitOpsToken      = "GITOPS_TOKEN"
)

// Names are the secret names in effect: the spec's, or the defaults.
type Names struct {
	AWSRoleARN, AWSRegion, KubeConfig, SlackWebhook string
	RegistryUsername, RegistryPassword, GitOpsToken string
}

// Resolve returns the names s gives, with the default for each it leaves
// empty.
func Resolve(s model.Secrets) Names {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	return Names{
		AWSRoleARN:       or(s.AWSRoleARN, AWSRoleARN),
		AWSRegion:        or(s.AWSRegion, AWSRegion),
		KubeConfig:       or(s.KubeConfig, KubeConfig),
		SlackWebhook:     or(s.SlackWebhook, SlackWebhook),
		RegistryUsername: or(s.RegistryUsername, RegistryUsername),
		RegistryPassword: or(s.RegistryPassword, RegistryPassword),
		GitOpsToken:      or(s.GitOpsToken, GitOpsToken),
	}
}
