package gitlabci

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// digestFile is the dotenv report in which a build job passes
// DIGEST=sha256:... to the jobs that need it with artifacts.
const digestFile = "build.env"

// buildJob builds the service's image for every platform in one BuildKit
// build on docker:dind and pushes it as <image>:<commit sha>, plus
// <image>:<tag> for a release tag. It reports the pushed digest as DIGEST
// in a dotenv report; the jobs after it always work by digest.
func (g *gen) buildJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil {
		return nil, fmt.Errorf("build job has no service")
	}
	l := g.login()
	vars := own(
		"IMAGE", g.m.Image(svc),
		"SERVICE_PATH", svc.Path,
		"DOCKERFILE", svc.Dockerfile,
	)
	vars = append(vars, data("PLATFORMS", strings.Join(g.m.Platforms, ","))...)
	script := shell.Prelude + l.script
	if strings.TrimSpace(svc.Build) != "" && len(svc.Versions) > 0 {
		image, suffix := toolchainImage(svc.Toolchain)
		vars = append(vars, own(
			"BUILD_IMAGE", image+":"+svc.Versions[len(svc.Versions)-1]+suffix,
			"BUILD_COMMAND", svc.Build,
		)...)
		script += buildCommandScript
	}
	if needsQEMU(g.m.Platforms) {
		script += qemuScript
	}
	script += builderScript + tagsScript
	if g.m.Caches.Docker {
		script += pushScript(layerCacheArgs)
	} else {
		script += pushScript("")
	}
	return &job{
		Stage:        stageBuild,
		DinD:         true,
		Timeout:      "60 minutes",
		IDTokens:     l.tokens,
		Variables:    append(vars, l.vars...),
		BeforeScript: []string{apkAdd(append([]string{"bash", "jq"}, l.pkgs...)...)},
		Script:       []string{inBash(script)},
		Artifacts:    yamlenc.Map("reports", yamlenc.Map("dotenv", digestFile)),
	}, nil
}

// needsQEMU reports whether a platform other than the runner's own
// (linux/amd64) is built, which needs emulation.
func needsQEMU(platforms []string) bool {
	for _, p := range platforms {
		if p != "linux/amd64" {
			return true
		}
	}
	return false
}

// buildCommandScript runs the service's build command, BUILD_COMMAND, in
// its directory, in the toolchain image BUILD_IMAGE with the newest version
// the tests use. The docker:dind service shares the runner's builds
// directory, so the checkout is mounted at its own path.
const buildCommandScript = `docker run --rm \
  -v "$CI_PROJECT_DIR:$CI_PROJECT_DIR" \
  -w "$CI_PROJECT_DIR/$SERVICE_PATH" \
  -e BUILD_COMMAND \
  "$BUILD_IMAGE" bash -eo pipefail -c "$BUILD_COMMAND"
`

// qemuScript registers the QEMU emulators with the docker:dind kernel.
const qemuScript = `docker run --rm --privileged ` + binfmtImage + ` --install all
`

// builderScript creates a docker-container BuildKit builder (multi-platform
// builds, registry cache). buildx takes the TLS settings of docker:dind
// only from a docker context, not from the environment.
const builderScript = `docker context create release-gen > /dev/null
docker buildx create --name release-gen --driver docker-container --use release-gen
`

// tagsScript collects the tags to push: the commit sha always, the tag
// name as well for a vX.Y.Z release tag.
const tagsScript = `tags=(--tag "$IMAGE:$CI_COMMIT_SHA")
if [ -n "${CI_COMMIT_TAG:-}" ]; then
  if [[ $CI_COMMIT_TAG =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    tags+=(--tag "$IMAGE:$CI_COMMIT_TAG")
  else
    echo "warning: the tag is not a vX.Y.Z release tag; pushing the commit tag only"
  fi
fi
`

// layerCacheArgs keep BuildKit's layer cache in the registry, beside the
// image, as <image>:buildcache. The image-manifest form is the one ECR
// accepts.
const layerCacheArgs = `  --cache-from "type=registry,ref=$IMAGE:buildcache" \
  --cache-to "type=registry,ref=$IMAGE:buildcache,mode=max,image-manifest=true,oci-mediatypes=true" \
`

// pushScript builds and pushes the image and writes its digest to the
// dotenv report. Paths get a "./" so that none can read as an option or
// as "-" (standard input).
func pushScript(cacheArgs string) string {
	return `docker buildx build \
  --platform "$PLATFORMS" \
  --file "./$DOCKERFILE" \
  "${tags[@]}" \
` + cacheArgs + `  --metadata-file "$tmp/build-metadata.json" \
  --push \
  "./$SERVICE_PATH"
digest="$(jq -r '."containerimage.digest" // empty' "$tmp/build-metadata.json")"
case "$digest" in
  sha256:*) ;;
  *) fail "the build reported no image digest" ;;
esac
echo "DIGEST=$digest" > "$CI_PROJECT_DIR/` + digestFile + `"
echo "pushed $IMAGE@$digest"
`
}
