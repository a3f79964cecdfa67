package circleci

import "release-gen.dev/release-gen/compiler/model"

// The credentials are environment variables named by secret.Resolve; they
// live in the contexts below or in the project's environment variables.

// releaseContext is the context of every job that touches the registry:
// it holds the AWS role (or the registry username and password), and
// running in a context is what gives a job CircleCI's OIDC token.
func releaseContext(m *model.Release) string { return m.Name + "-release" }

// envContext is the context of an environment's deploys and of its
// approval: it holds the environment's kubeconfig, and restricting it to a
// security group restricts who may approve and deploy.
func envContext(m *model.Release, e *model.Environment) string { return m.Name + "-" + e.Name }
