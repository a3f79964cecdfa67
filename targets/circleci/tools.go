package circleci

// Tool images the jobs run, pinned. A digest is given where one could be
// checked against more than one independent record; the others are pinned
// by version tag, like shell.SyftImage.
const (
	// awsCLIImage runs the AWS CLI, so that no job depends on the CLI
	// being installed in its image.
	awsCLIImage = "amazon/aws-cli:2.37.4"
	// cosignImage is Sigstore's cosign release image.
	cosignImage = "ghcr.io/sigstore/cosign/cosign:v3.1.3@sha256:9e5c2f2edc34351160407ca3416c61855bdf9403c3c5936e0f0be7fc261611b8"
	// binfmtImage registers QEMU for building other platforms' images.
	binfmtImage = "tonistiigi/binfmt:qemu-v10.2.3@sha256:400a4873b838d1b89194d982c45e5fb3cda4593fbfd7e08a02e76b03b21166f0"
	// kubectlVersion is installed from dl.k8s.io and checked against the
	// checksum published next to it. Keep it within one minor version of
	// the clusters.
	kubectlVersion = "v1.34.1"
)
