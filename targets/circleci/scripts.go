package circleci

// Scripts specific to CircleCI. Like the shared ones in
// targets/internal/shell, they read every value from environment
// variables, and they expect shell.Prelude before them. CircleCI sources
// $BASH_ENV before each step, so a script passes values on to the steps
// after it by appending exports to it.

// awsCredentialsScript assumes the AWS role named by the variable
// ROLE_ARN_VARIABLE with the job's CircleCI OIDC token (available in jobs
// that run in a context) and exports the session for the rest of the job.
// The region is AWS_REGION, or the variable REGION_VARIABLE names.
const awsCredentialsScript = `role="${!ROLE_ARN_VARIABLE:-}"
if [ -z "$role" ]; then
  fail "$ROLE_ARN_VARIABLE is not set: add the ARN of the AWS role to assume to the job's context"
fi
if [ -z "${AWS_REGION:-}" ]; then
  AWS_REGION="${!REGION_VARIABLE:-}"
  [ -n "$AWS_REGION" ] || fail "$REGION_VARIABLE is not set: add the AWS region to the job's context"
fi
if [ -z "${CIRCLE_OIDC_TOKEN_V2:-}" ]; then
  fail "the job has no CircleCI OIDC token: run it in a context"
fi
creds="$(docker run --rm -e AWS_REGION ` + awsCLIImage + ` \
  sts assume-role-with-web-identity \
  --role-arn "$role" \
  --role-session-name "circleci-${CIRCLE_BUILD_NUM:-job}" \
  --web-identity-token "$CIRCLE_OIDC_TOKEN_V2" \
  --query Credentials --output json)" || fail "could not assume $role"
{
  printf 'export AWS_ACCESS_KEY_ID=%q\n' "$(printf '%s' "$creds" | jq -r .AccessKeyId)"
  printf 'export AWS_SECRET_ACCESS_KEY=%q\n' "$(printf '%s' "$creds" | jq -r .SecretAccessKey)"
  printf 'export AWS_SESSION_TOKEN=%q\n' "$(printf '%s' "$creds" | jq -r .SessionToken)"
  printf 'export AWS_REGION=%q\n' "$AWS_REGION"
} >> "$BASH_ENV"
echo "assumed $role"
`

// ecrLoginScript logs docker in to the ECR registry REGISTRY with the
// session awsCredentialsScript exported.
const ecrLoginScript = `docker run --rm -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_REGION \
  ` + awsCLIImage + ` ecr get-login-password \
  | docker login --username AWS --password-stdin "$REGISTRY"
`

// passwordLoginScript logs docker in to REGISTRY with the username and
// password in the variables USERNAME_VARIABLE and PASSWORD_VARIABLE name.
const passwordLoginScript = `username="${!USERNAME_VARIABLE:-}"
password="${!PASSWORD_VARIABLE:-}"
if [ -z "$username" ] || [ -z "$password" ]; then
  fail "$USERNAME_VARIABLE and $PASSWORD_VARIABLE must be set: add the registry's credentials to the job's context"
fi
printf '%s' "$password" | docker login --username "$username" --password-stdin "$REGISTRY"
`

// digestScript reads the digest build-$SERVICE pushed from the workspace
// and exports DIGEST, SHA (the commit) and IMAGE_REF (IMAGE@DIGEST).
const digestScript = `digest="$(cat "` + workspace + `/digests/$SERVICE")" || fail "the workspace holds no digest for $SERVICE"
if ! [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
  fail "the workspace holds no valid digest for $SERVICE"
fi
{
  printf 'export DIGEST=%q\n' "$digest"
  printf 'export SHA=%q\n' "$CIRCLE_SHA1"
  printf 'export IMAGE_REF=%q\n' "$IMAGE@$digest"
} >> "$BASH_ENV"
echo "$IMAGE@$digest"
`

// qemuScript registers QEMU in the docker engine, for building images of
// other platforms.
const qemuScript = `docker run --privileged --rm ` + binfmtImage + ` --install all
`

// buildScript builds the image for PLATFORMS from DOCKERFILE and the
// context BUILD_CONTEXT with a docker-container builder, pushes it as
// IMAGE:<commit> (and IMAGE:<tag> for a vX.Y.Z tag), uses IMAGE:buildcache
// as the layer cache when CACHE_REF is set, and writes the pushed digest
// to the workspace as digests/$SERVICE.
const buildScript = `tags=(--tag "$IMAGE:$CIRCLE_SHA1")
if [ -n "${CIRCLE_TAG:-}" ]; then
  if [[ $CIRCLE_TAG =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    tags+=(--tag "$IMAGE:$CIRCLE_TAG")
  else
    echo "warning: $CIRCLE_TAG is not a vX.Y.Z release tag; pushing the commit tag only"
  fi
fi
cache=()
if [ -n "${CACHE_REF:-}" ]; then
  cache=(--cache-from "type=registry,ref=$CACHE_REF" --cache-to "type=registry,ref=$CACHE_REF,mode=max,image-manifest=true,oci-mediatypes=true")
fi
docker buildx create --name release-gen --driver docker-container --use > /dev/null
docker buildx build \
  --platform "$PLATFORMS" \
  --file "$DOCKERFILE" \
  "${tags[@]}" \
  "${cache[@]}" \
  --metadata-file "$tmp/build-metadata.json" \
  --push \
  -- "$BUILD_CONTEXT"
digest="$(jq -r '."containerimage.digest" // empty' "$tmp/build-metadata.json")"
if ! [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
  fail "buildx reported no image digest"
fi
mkdir -p "` + workspace + `/digests"
printf '%s\n' "$digest" > "` + workspace + `/digests/$SERVICE"
echo "pushed $IMAGE@$digest"
`

// kubectlScript installs kubectlVersion, checked against the checksum
// Kubernetes publishes next to the binary.
const kubectlScript = `url="https://dl.k8s.io/release/` + kubectlVersion + `/bin/linux/amd64/kubectl"
curl -fsSLo "$tmp/kubectl" "$url"
echo "$(curl -fsSL "$url.sha256")  $tmp/kubectl" | sha256sum --check --quiet || fail "kubectl does not match its checksum"
sudo install -m 0755 "$tmp/kubectl" /usr/local/bin/kubectl
kubectl version --client
`

// kubeconfigExport passes the KUBECONFIG that shell.Kubeconfig wrote on
// to the following steps.
const kubeconfigExport = `printf 'export KUBECONFIG=%q\n' "$KUBECONFIG" >> "$BASH_ENV"
`

// cosignFunction runs cosign from its release image, with docker's
// registry credentials and the working directory (for the SBOM) mounted
// and the signing identity passed through: SIGSTORE_ID_TOKEN for keyless
// signing, the AWS session for a KMS key. It runs as root in the
// container, which can read the credentials file docker wrote for the
// job's user.
const cosignFunction = `cosign() {
  docker run --rm --user 0:0 \
    -e DOCKER_CONFIG=/docker \
    -v "$HOME/.docker/config.json:/docker/config.json:ro" \
    -v "$PWD:/work:ro" -w /work \
    -e SIGSTORE_ID_TOKEN -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_REGION \
    ` + cosignImage + ` "$@"
}
`

// keylessTokenScript gets an OIDC token with the audience Sigstore's
// Fulcio accepts, for keyless signing.
const keylessTokenScript = `SIGSTORE_ID_TOKEN="$(circleci run oidc get --claims '{"aud": "sigstore"}')" || fail "could not get an OIDC token for Sigstore: run the job in a context"
export SIGSTORE_ID_TOKEN
`

// slackContextScript sets what shell.Slack reads from CircleCI's
// variables, and skips pipelines that are not for the release branch
// RELEASE_BRANCH or a tag: those are pull-request and feature-branch
// pipelines, whose results show on the pull request.
const slackContextScript = `if [ "${CIRCLE_BRANCH:-}" != "$RELEASE_BRANCH" ] && [ -z "${CIRCLE_TAG:-}" ]; then
  echo "not a release-branch or tag pipeline: nothing to announce"
  exit 0
fi
SLACK_WEBHOOK_URL="${!SLACK_WEBHOOK_VARIABLE:-}"
REPOSITORY="$CIRCLE_PROJECT_USERNAME/$CIRCLE_PROJECT_REPONAME"
REF_NAME="${CIRCLE_TAG:-$CIRCLE_BRANCH}"
RUN_URL="$CIRCLE_BUILD_URL"
`
