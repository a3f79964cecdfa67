package jenkins

import (
	"strings"

	"release-gen.dev/release-gen/targets/internal/shell"
)

// The scripts below are what Jenkins adds around the shared scripts of
// targets/internal/shell. Like those, they read every value from the
// environment and hold no spec data; the Jenkinsfile passes values with
// withEnv and credentials only.

// workDir is the directory in the workspace that holds what stages hand
// to each other and to Jenkins: test reports, image records and SBOMs.
const workDir = ".release-gen-ci"

// Paths in workDir.
const (
	testReports    = workDir + "/test-reports"
	testReportGlob = testReports + "/**/*.xml"
)

// imageDir is where build records the pushed image of svc (the files
// digest and commit), stashed for the deploy stages.
func imageDir(svc string) string { return workDir + "/image/" + svc }

// sbomPath is the SBOM of svc, archived as a build artifact.
func sbomPath(svc string) string { return workDir + "/sbom/" + svc + "/" + shell.SBOMFile }

// bashHeader makes Jenkins run the script with bash (the sh step honours
// a #! line) and stop at the first failing command, as GitHub's bash does.
// Without it the sh step would run /bin/sh -xe, which traces every
// command.
const bashHeader = "#!/bin/bash\nset -eo pipefail\n"

// tmpDir points TMPDIR, and with it the shared scripts' $tmp, at a
// directory beside the workspace: /tmp is shared by every build on the
// agent, the workspace's @tmp directory only by the builds of this job,
// one at a time.
const tmpDir = `export TMPDIR="${WORKSPACE_TMP:-$WORKSPACE@tmp}/release-gen"
mkdir -p "$TMPDIR"
`

// scriptHead starts every sh script: the header, the temporary directory
// and shell.Prelude (fail and tmp).
const scriptHead = bashHeader + tmpDir + shell.Prelude

// shell returns a step running the script made of scriptHead and parts.
// Equal scripts share one string, so that while the stages of many
// services are built, each distinct script is held once. A script is
// looked up by its parts joined in a buffer that is reused, so that a
// step whose script is already held allocates no text.
func (g *gen) shell(label string, parts ...string) sh {
	g.body = g.body[:0]
	for _, p := range parts {
		g.body = append(g.body, p...)
	}
	if same, ok := g.scripts[string(g.body)]; ok {
		return sh{label: label, script: same}
	}
	if g.scripts == nil {
		g.scripts = make(map[string]string)
	}
	text := scriptHead + string(g.body)
	g.scripts[text[len(scriptHead):]] = text
	return sh{label: label, script: text}
}

// testReportsDir gives the tests an empty directory for JUnit XML reports
// in TEST_REPORTS; the stage's post step publishes what they write there.
const testReportsDir = `export TEST_REPORTS="$WORKSPACE/` + testReports + `"
rm -rf "$TEST_REPORTS"
mkdir -p "$TEST_REPORTS"
`

// serviceDir changes to the service's directory, SERVICE_PATH.
const serviceDir = `cd "$SERVICE_PATH"
`

// shardFromAxis hands the matrix's SHARD axis to shell.Shard.
const shardFromAxis = `export TEST_SHARD="$SHARD"
`

// inToolchain returns a script that runs inner, a shared script, in the
// toolchain's official image "$TOOLCHAIN:$VERSION$TOOLCHAIN_TAG_SUFFIX",
// with the workspace mounted at its own path, the current directory as
// working directory, and the agent user's uid and gid, so that the files
// it writes belong to the agent. HOME in the container is a directory
// beside the workspace: with the dependency cache on, it is kept, so the
// package managers' caches (~/.npm, ~/go/pkg/mod, ~/.cache/pip, ~/.m2)
// persist between builds of the job on that agent; without, it starts
// empty. JAVA_TOOL_OPTIONS, when set, points Java's user.home there too,
// since the uid has no passwd entry in the image.
func inToolchain(inner string, cache bool) string {
	var b strings.Builder
	b.WriteString("home=\"$tmp/toolchain-home\"\n")
	if !cache {
		b.WriteString("rm -rf \"$home\"\n")
	}
	b.WriteString(`mkdir -p "$home"
docker run --rm \
  --user "$(id -u):$(id -g)" \
  --volume "$WORKSPACE:$WORKSPACE" \
  --volume "$home:/home/ci" \
  --workdir "$PWD" \
  --env HOME=/home/ci \
  --env CI=true \
  --env JAVA_TOOL_OPTIONS \
  --env BRANCH_NAME --env TAG_NAME --env CHANGE_ID --env GIT_COMMIT --env BUILD_NUMBER \
  --env TEST_COMMAND --env TEST_FILES --env TEST_REPORTS --env BUILD_COMMAND \
  --env RELEASE_GEN --env SPEC_DIR --env OUT_DIR --env GOTOOLCHAIN \
  "$TOOLCHAIN:$VERSION${TOOLCHAIN_TAG_SUFFIX:-}" \
  bash -eo pipefail -c `)
	b.WriteString(shellQuote(strings.TrimSuffix(inner, "\n")))
	b.WriteString("\n")
	return b.String()
}

// onAgent returns a script that runs inner on the agent itself, for
// services without a toolchain image (generic).
func onAgent(inner string) string {
	return "export CI=true\n" + inner
}

// shellQuote quotes s as one single-quoted shell word.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// driftCheck runs release-gen's check command of RELEASE_GEN (a go run
// module path and version) on SPEC_DIR and OUT_DIR.
const driftCheck = `go run "$RELEASE_GEN" check --out "$OUT_DIR" "$SPEC_DIR"
`

// dockerConfig gives the script a docker configuration of its own for the
// registry login, removed when the script exits, so that the credentials
// are never written to the agent user's ~/.docker, which every build on
// the agent shares. Docker CLI plugins (buildx) and buildx's builders stay
// the agent user's.
const dockerConfig = `user_docker="${DOCKER_CONFIG:-$HOME/.docker}"
export BUILDX_CONFIG="${BUILDX_CONFIG:-$user_docker/buildx}"
export DOCKER_CONFIG="$tmp/docker"
rm -rf "$DOCKER_CONFIG"
mkdir -p "$DOCKER_CONFIG"
trap 'rm -rf "$DOCKER_CONFIG"' EXIT
if [ -d "$user_docker/cli-plugins" ]; then
  ln -s "$user_docker/cli-plugins" "$DOCKER_CONFIG/cli-plugins"
fi
`

// ecrLogin logs docker in to the ECR registry REGISTRY_SERVER in AWS_REGION
// with the agent's own AWS credentials (instance profile, IRSA or ECS task
// role), which the AWS CLI finds by itself.
const ecrLogin = dockerConfig + `aws ecr get-login-password --region "$AWS_REGION" \
  | docker login --username AWS --password-stdin "$REGISTRY_SERVER"
`

// passwordLogin logs docker in to REGISTRY_SERVER with the
// REGISTRY_USERNAME and REGISTRY_PASSWORD credentials.
const passwordLogin = dockerConfig + `printf '%s' "$REGISTRY_PASSWORD" \
  | docker login --username "$REGISTRY_USERNAME" --password-stdin "$REGISTRY_SERVER"
`

// toolHome points HOME at a directory whose .docker is the script's own
// docker configuration: shell.Trivy and shell.Syft mount
// $HOME/.docker/config.json into their containers.
const toolHome = `export HOME="$tmp/tool-home"
mkdir -p "$HOME"
ln -sfn "$DOCKER_CONFIG" "$HOME/.docker"
`

// buildImage builds IMAGE for PLATFORMS from CONTEXT and DOCKERFILE with
// the agent's persistent "release-gen" buildx builder (its layer cache
// stays on the agent), pushes it as IMAGE:GIT_COMMIT, plus IMAGE:TAG_NAME
// for a vX.Y.Z release tag, and records the pushed digest and the commit
// in the image directory of SERVICE for the later stages.
func buildImage(cache bool) string {
	noCache := ""
	if !cache {
		noCache = "  --no-cache \\\n"
	}
	return `sha="${GIT_COMMIT:?the Git plugin sets GIT_COMMIT at checkout}"
if ! docker buildx inspect release-gen > /dev/null 2>&1; then
  docker buildx create --name release-gen --driver docker-container > /dev/null \
    || docker buildx inspect release-gen > /dev/null
fi
tags=(--tag "$IMAGE:$sha")
if [ -n "${TAG_NAME:-}" ]; then
  if [[ $TAG_NAME =~ ` + releaseTagRegexp + ` ]]; then
    tags+=(--tag "$IMAGE:$TAG_NAME")
  else
    echo "warning: $TAG_NAME is not a vX.Y.Z release tag; pushing the commit tag only"
  fi
fi
docker buildx build \
  --builder release-gen \
  --platform "$PLATFORMS" \
  --file "$DOCKERFILE" \
  "${tags[@]}" \
` + noCache + `  --push \
  --metadata-file "$tmp/build-metadata.json" \
  "$CONTEXT"
digest="$(jq -r '."containerimage.digest" // empty' "$tmp/build-metadata.json")"
if [[ ! $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
  fail "docker buildx did not report the digest of the pushed image"
fi
image_dir="` + workDir + `/image/$SERVICE"
rm -rf "$image_dir"
mkdir -p "$image_dir"
printf '%s\n' "$digest" > "$image_dir/digest"
printf '%s\n' "$sha" > "$image_dir/commit"
echo "pushed $IMAGE:$sha@$digest"
`
}

// readImage reads the digest and the commit that the build stage recorded
// for SERVICE into DIGEST and SHA, which the shared scripts read.
const readImage = `image_dir="` + workDir + `/image/$SERVICE"
DIGEST="$(cat "$image_dir/digest" 2> /dev/null || true)"
SHA="$(cat "$image_dir/commit" 2> /dev/null || true)"
if [[ ! $DIGEST =~ ^sha256:[0-9a-f]{64}$ || ! $SHA =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]]; then
  fail "no image is recorded for $SERVICE: its build stage must run first in this build"
fi
export DIGEST SHA
`

// imageRef exports IMAGE_REF, the pushed image by digest, for shell.Trivy
// and shell.Syft.
const imageRef = `export IMAGE_REF="$IMAGE@$DIGEST"
`

// sbomDir changes to SERVICE's SBOM directory, where shell.Syft writes
// and shell.LicenseGate and shell.Sign read shell.SBOMFile.
const sbomDir = `sbom_dir="` + workDir + `/sbom/$SERVICE"
mkdir -p "$sbom_dir"
cd "$sbom_dir"
`

// environmentURL shows where the environment is reached, ENVIRONMENT_URL,
// Jenkins having no deployment page to show it on.
const environmentURL = `if [ -n "${ENVIRONMENT_URL:-}" ]; then
  echo "$SERVICE is deployed to $ENVIRONMENT_URL"
fi
`

// releaseTagRegexp is a vX.Y.Z release tag, as a bash regular expression;
// releaseTagPattern the same for Jenkins' tag condition (Java, whole
// string).
const (
	releaseTagRegexp  = `^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`
	releaseTagPattern = `v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?`
)
