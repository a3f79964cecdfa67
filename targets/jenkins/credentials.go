package jenkins

import (
	"strings"

	"release-gen.dev/release-gen/compiler/model"
)

// Default ids of the Jenkins credentials the pipeline reads; the spec may
// rename them (model.Secrets).
const (
	defAWSRegion        = "AWS_REGION"
	defKubeConfig       = "KUBE_CONFIG"
	defRegistryUsername = "REGISTRY_USERNAME"
	defRegistryPassword = "REGISTRY_PASSWORD"
	defCosignKey        = "cosign-key"
)

// credentialIDs are the credential ids in effect: the spec's, or the
// defaults.
type credentialIDs struct {
	awsRegion, kubeConfig, registryUsername, registryPassword, cosignKey string
}

func resolveCredentials(s model.Secrets) credentialIDs {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	return credentialIDs{
		awsRegion:        or(s.AWSRegion, defAWSRegion),
		kubeConfig:       or(s.KubeConfig, defKubeConfig),
		registryUsername: or(s.RegistryUsername, defRegistryUsername),
		registryPassword: or(s.RegistryPassword, defRegistryPassword),
		cosignKey:        or(s.CosignKey, defCosignKey),
	}
}

// kubeConfigOf is the id of the secret file credential holding the
// kubeconfig of env: Jenkins has no per-environment secrets, so each
// environment has its own credential, "<kubeConfig>-<env>".
func (c credentialIDs) kubeConfigOf(env *model.Environment) string {
	return c.kubeConfig + "-" + env.Name
}

// cosignPassword is the id of the secret text credential holding the
// password of the cosign key file, "<cosignKey>-password".
func (c credentialIDs) cosignPassword() string { return c.cosignKey + "-password" }

// used returns every credential id the pipeline of m reads, for Check.
func (c credentialIDs) used(m *model.Release) []string {
	var ids []string
	for _, e := range m.Environments {
		ids = append(ids, c.kubeConfigOf(e))
	}
	if m.Registry.Kind != model.RegistryECR {
		ids = append(ids, c.registryUsername, c.registryPassword)
	}
	if s := m.Security.Sign; s != nil {
		switch {
		case s.Key == "":
			ids = append(ids, c.cosignKey, c.cosignPassword())
		case kmsOutsideECR(m):
			ids = append(ids, c.awsRegion)
		}
	}
	return ids
}

// kmsOutsideECR reports whether signing uses an AWS KMS key while the
// registry is not on ECR: then the region comes from a credential, not
// from the registry's host name.
func kmsOutsideECR(m *model.Release) bool {
	s := m.Security.Sign
	return s != nil && strings.HasPrefix(s.Key, "awskms://") && m.Registry.Kind != model.RegistryECR
}
