package gitlabci

import (
	"slices"
	"strings"
)

// Images the jobs run in, pinned. The docker image (Alpine with the docker
// CLI and buildx) is default:image: build, scan, sign, approve, deploy and
// notify jobs run in it and add the tools they need with apk, from the
// Alpine release the pinned image is built on.
const (
	dockerImage = "docker:29.9.2"
	dindImage   = "docker:29.9.2-dind"
	// driftImage runs the drift check; go run fetches the Go toolchain the
	// release-gen module asks for (GOTOOLCHAIN=auto).
	driftImage = "golang:1.26"
	// binfmtImage registers the QEMU emulators that builds for platforms
	// other than linux/amd64 need.
	binfmtImage = "tonistiigi/binfmt:qemu-v10.2.3@sha256:400a4873b838d1b89194d982c45e5fb3cda4593fbfd7e08a02e76b03b21166f0"
)

// apkAdd is the before_script line that installs Alpine packages into the
// docker image, sorted and without duplicates.
func apkAdd(pkgs ...string) string {
	pkgs = slices.Clone(pkgs)
	slices.Sort(pkgs)
	return "apk add --no-cache " + strings.Join(slices.Compact(pkgs), " ")
}

// heredocEnd ends the here-document that inBash passes a script in; no
// script line may equal it.
const heredocEnd = "RELEASE_GEN_SCRIPT"

// inBash returns a script line that runs script with bash. The docker
// image's shell is busybox sh, which GitLab Runner picks because bash is
// not in the image when the job starts; the scripts of the shell package
// are bash. The quoted here-document keeps sh from expanding anything in
// the script, and the script arrives as bash's argument, not on its
// standard input, so that no command in it can read the rest of it.
func inBash(script string) string {
	return "bash -eo pipefail -c \"$(cat <<'" + heredocEnd + "'\n" + script + heredocEnd + "\n)\"\n"
}
