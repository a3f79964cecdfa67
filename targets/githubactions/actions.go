package githubactions

// action is a third-party action pinned to the full commit SHA of one
// release, as TARGETS.md section 6.1 records them. Tags are mutable; a
// SHA is not. The version is written as a comment after the pin, which is
// also what Renovate's helpers:pinGitHubActionDigests reads to update it.
type action struct {
	Repo    string // owner/name
	SHA     string // 40 hex digits: the commit the release tag points to
	Version string // the release, e.g. "v7.0.1"
}

// ref is the value of a step's uses: key.
func (a action) ref() string { return a.Repo + "@" + a.SHA }

// The actions the workflows use. Update them together with TARGETS.md §6.1.
var (
	actCheckout         = action{"actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"}
	actSetupNode        = action{"actions/setup-node", "820762786026740c76f36085b0efc47a31fe5020", "v7.0.0"}
	actCache            = action{"actions/cache", "27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"}
	actUploadArtifact   = action{"actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"}
	actDownloadArtifact = action{"actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"}
	actBuildPush        = action{"docker/build-push-action", "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", "v7.3.0"}
	actSetupBuildx      = action{"docker/setup-buildx-action", "37fe631027851001ddb9b187196cc803df7f5f0e", "v4.3.0"}
	actSetupQEMU        = action{"docker/setup-qemu-action", "96fe6ef7f33517b61c61be40b68a1882f3264fb8", "v4.2.0"}
	actDockerLogin      = action{"docker/login-action", "4907a6ddec9925e35a0a9e82d7399ccc52663121", "v4.1.0"}
	actCosignInstaller  = action{"sigstore/cosign-installer", "6f9f17788090df1f26f669e9d70d6ae9567deba6", "v4.1.2"}
	actAWSCredentials   = action{"aws-actions/configure-aws-credentials", "e6de054238d6b7531b4efff3b6587d9aade6a06c", "v6.2.3"}
	actECRLogin         = action{"aws-actions/amazon-ecr-login", "03f1aad4c6c7ffd436567f42f9384779290529bd", "v2.1.7"}
)

// runner is the GitHub-hosted runner every job runs on. It ships bash,
// docker with buildx, kubectl, jq, yq, curl and Go, which the jobs use.
const runner = "ubuntu-24.04"
