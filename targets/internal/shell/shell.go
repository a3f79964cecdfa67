// Package shell holds the shell scripts that every CI target runs, so that
// GitHub Actions, GitLab CI, Jenkins and CircleCI execute the same logic.
//
// Scripts are bash. They take every value through environment variables,
// never through text pasted into the script, so spec data cannot become
// code. Each script documents the variables it reads. Scripts call fail
// (defined by [Prelude]) to stop with an error that GitHub shows as an
// annotation and other platforms as a log line.
package shell

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"release-gen.dev/release-gen/compiler/model"
)

// Images of the supply-chain tools, pinned. Trivy 0.69.4 to 0.69.6 were
// compromised (CVE-2026-33634); 0.69.3 is pinned by digest.
const (
	TrivyImage = "aquasec/trivy:0.69.3@sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c"
	SyftImage  = "anchore/syft:v1.45.0"
)

// SBOMFile is the SPDX JSON SBOM that scan jobs write and sign jobs attest.
const SBOMFile = "sbom.spdx.json"

// Prelude defines fail and tmp, which the other scripts use. Prepend it
// once to each script a CI step runs.
const Prelude = `fail() {
  if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::error::$*"; else echo "error: $*" >&2; fi
  exit 1
}
# shellcheck disable=SC2034 # not every script uses tmp
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
`

// Shard exports TEST_FILES, this shard's share of the files that TEST_GLOB
// matches (space-separated), for the test command that follows it. Reads
// TEST_GLOB, TEST_SHARD (0-based) and TEST_SHARDS. The glob is expanded
// from the variable, never pasted into the script, so it is only ever a
// pattern; files are sorted bytewise and dealt out round-robin, so every
// shard gets a stable, disjoint share.
const Shard = `TEST_FILES="$(
  shopt -s globstar nullglob
  export LC_ALL=C
  IFS=
  # shellcheck disable=SC2206 # the pattern is expanded on purpose
  matched=($TEST_GLOB)
  if [ "${#matched[@]}" -eq 0 ]; then
    exit 3
  fi
  mapfile -d '' -t all < <(printf '%s\0' "${matched[@]}" | sort -z)
  mine=()
  for i in "${!all[@]}"; do
    if [ $((i % TEST_SHARDS)) -eq "$TEST_SHARD" ]; then
      mine+=("${all[$i]}")
    fi
  done
  IFS=' '
  printf '%s' "${mine[*]}"
)" || fail "the testSplit glob $TEST_GLOB matches no file"
export TEST_FILES
echo "test shard $((TEST_SHARD + 1)) of $TEST_SHARDS"
`

// RunTest runs the service's test command, TEST_COMMAND, as a bash script
// of its own. The command is the user's shell code, carried as data in an
// environment variable: no platform's quoting can change it, and the
// platform's own linters check release-gen's scripts, not the user's.
const RunTest = `bash -eo pipefail -c "$TEST_COMMAND"
`

// RunBuild runs the service's build command, BUILD_COMMAND, like RunTest.
const RunBuild = `bash -eo pipefail -c "$BUILD_COMMAND"
`

// Kubeconfig writes KUBE_CONFIG (the cluster credentials) to a file only
// this job can read and exports KUBECONFIG for the rest of the script.
const Kubeconfig = `if [ -z "${KUBE_CONFIG:-}" ]; then
  fail "the kubeconfig secret is not set for this environment"
fi
umask 077
printf '%s\n' "$KUBE_CONFIG" > "$tmp/kubeconfig"
umask 022
export KUBECONFIG="$tmp/kubeconfig"
`

// Deploy points the service's deployment at the image by digest. Reads
// NAMESPACE, SERVICE, IMAGE, SHA and DIGEST; deploys always use the
// immutable commit tag pinned to its digest.
const Deploy = `kubectl -n "$NAMESPACE" set image "deployment/$SERVICE" "$SERVICE=$IMAGE:$SHA@$DIGEST"
`

// RolloutTimeout bounds a plain rolling deploy.
const RolloutTimeout = 10 * time.Minute

// RolloutWait waits for a plain rolling deploy. Reads NAMESPACE, SERVICE.
const RolloutWait = `kubectl -n "$NAMESPACE" rollout status "deployment/$SERVICE" --timeout=10m
`

// CanaryWait waits until Flagger has promoted this image: the primary
// deployment runs it and the canary is Succeeded (or Initialized, on the
// first deploy). A Failed phase counts only once the analysis of this
// revision has been seen, since a previous run may have left it. Reads
// NAMESPACE, SERVICE, IMAGE, SHA, DIGEST and WAIT_SECONDS.
const CanaryWait = `want="$IMAGE:$SHA@$DIGEST"
deadline=$((SECONDS + WAIT_SECONDS))
started=false
while :; do
  phase="$(kubectl -n "$NAMESPACE" get "canary/$SERVICE" -o jsonpath='{.status.phase}' 2>/dev/null || true)"
  primary="$(kubectl -n "$NAMESPACE" get "deployment/$SERVICE-primary" -o json 2>/dev/null \
    | jq -r --arg c "$SERVICE" '.spec.template.spec.containers[] | select(.name == $c) | .image' || true)"
  case "$phase" in
    Progressing | Promoting | Finalising | Waiting | WaitingPromotion) started=true ;;
  esac
  if [ "$primary" = "$want" ] && { [ "$phase" = Succeeded ] || [ "$phase" = Initialized ]; }; then
    echo "canary promoted"
    break
  fi
  if [ "$phase" = Failed ] && [ "$started" = true ]; then
    kubectl -n "$NAMESPACE" describe "canary/$SERVICE" || true
    fail "the canary analysis failed and Flagger rolled back"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail "timed out waiting for the canary analysis (phase: ${phase:-unknown})"
  fi
  sleep 10
done
`

// Health probes the service's health endpoint through a port-forward to
// its Kubernetes service. Reads NAMESPACE, SERVICE, PORT and HEALTH_PATH.
const Health = `kubectl -n "$NAMESPACE" port-forward "service/$SERVICE" "18080:$PORT" > "$tmp/port-forward.log" 2>&1 &
forward=$!
trap 'kill "$forward" 2>/dev/null || true' EXIT
if ! curl -fsS --retry 10 --retry-connrefused --retry-delay 3 -o /dev/null -w 'HTTP %{http_code}\n' "http://127.0.0.1:18080$HEALTH_PATH"; then
  cat "$tmp/port-forward.log" >&2
  fail "the health check failed"
fi
`

// TagEnvironment adds the environment's tags to the deployed image without
// pulling it, once the deploy is verified. Reads IMAGE, SHA, DIGEST and
// PREFIX; needs docker buildx and a registry login.
const TagEnvironment = `docker buildx imagetools create -t "$IMAGE:$PREFIX$SHA" -t "$IMAGE:${PREFIX}latest" "$IMAGE@$DIGEST"
`

// Trivy scans every platform of IMAGE_REF for SEVERITY (comma-separated);
// EXIT_CODE 1 fails on any finding. Reads IMAGE_REF, PLATFORMS, SEVERITY
// and EXIT_CODE. The tool container gets docker's registry credentials
// read-only.
const Trivy = `mkdir -p "$tmp/trivy"
IFS=, read -ra platforms <<< "$PLATFORMS"
for platform in "${platforms[@]}"; do
  echo "scanning $platform"
  docker run --rm \
    -e DOCKER_CONFIG=/docker \
    -v "$HOME/.docker/config.json:/docker/config.json:ro" \
    -v "$tmp/trivy:/cache" \
    ` + TrivyImage + ` \
    image --cache-dir /cache --no-progress \
    --platform "$platform" \
    --severity "$SEVERITY" \
    --exit-code "$EXIT_CODE" \
    "$IMAGE_REF"
done
`

// Syft writes the SPDX JSON SBOM of the first platform's image to
// SBOMFile. Reads IMAGE_REF and PLATFORMS.
const Syft = `platform="${PLATFORMS%%,*}"
docker run --rm \
  -e DOCKER_CONFIG=/docker \
  -v "$HOME/.docker/config.json:/docker/config.json:ro" \
  ` + SyftImage + ` \
  scan --from registry --platform "$platform" -o spdx-json \
  "$IMAGE_REF" > ` + SBOMFile + `
`

// LicenseGate fails when a package's concluded or declared license
// expression names a denied SPDX license. Reads DENY (comma-separated) and
// SBOMFile. Ids compare case-insensitively, and a denied id also matches
// its -only, -or-later and + forms ("GPL-3.0" denies "GPL-3.0-or-later"
// but not "LGPL-3.0").
const LicenseGate = `IFS=, read -ra deny <<< "$DENY"
# shellcheck disable=SC2016 # $vars below are jq's, not the shell's
jq -r '
  ($ARGS.positional | map(ascii_downcase)) as $deny
  | .packages[]?
  | . as $p
  | [ $p.licenseConcluded, $p.licenseDeclared ]
  | map(select(type == "string") | ascii_downcase | [splits("[()\\s]+")] | .[])
  | map(select(. as $t | $deny | any(. as $d | $t == $d or $t == $d + "-only" or $t == $d + "-or-later" or $t == $d + "+")))
  | unique
  | select(length > 0)
  | "\($p.name // "?") \($p.versionInfo // ""): \(join(", "))"
' --args "${deny[@]}" < ` + SBOMFile + ` > "$tmp/denied.txt"
if [ -s "$tmp/denied.txt" ]; then
  echo "packages under a denied license:"
  cat "$tmp/denied.txt"
  fail "the image contains packages under a denied license"
fi
echo "no package under a denied license"
`

// Sign signs IMAGE@DIGEST with cosign: keyless when COSIGN_KEY_REF is
// empty, else with that key (a KMS URI or a key file path). When ATTEST is
// "true", it also attests SBOMFile.
const Sign = `key=()
if [ -n "${COSIGN_KEY_REF:-}" ]; then key=(--key "$COSIGN_KEY_REF"); fi
cosign sign --yes "${key[@]}" "$IMAGE@$DIGEST"
if [ "${ATTEST:-false}" = true ]; then
  cosign attest --yes "${key[@]}" --type spdxjson --predicate ` + SBOMFile + ` "$IMAGE@$DIGEST"
fi
`

// Slack posts "release STATUS: REPOSITORY (REF_NAME) RUN_URL" to
// SLACK_CHANNEL through SLACK_WEBHOOK_URL. jq builds the JSON, so no value
// can break out of its string.
const Slack = `if [ -z "$SLACK_WEBHOOK_URL" ]; then
  echo "warning: the Slack webhook secret is not set; nothing was sent"
  exit 0
fi
payload="$(jq -n \
  --arg channel "$SLACK_CHANNEL" \
  --arg status "$STATUS" \
  --arg repo "$REPOSITORY" \
  --arg ref "$REF_NAME" \
  --arg url "$RUN_URL" \
  '{channel: $channel, text: "release \($status): \($repo) (\($ref)) \($url)"}')"
curl -fsS -X POST -H 'Content-Type: application/json' --data-binary "$payload" "$SLACK_WEBHOOK_URL"
`

var intervalPattern = regexp.MustCompile(`^([0-9]+)(s|m)$`)

// CanaryWaitDuration is how long a deploy waits for Flagger: one interval
// per traffic step, plus up to threshold failed checks, plus the intervals
// Flagger needs to detect the new revision, promote and finalise (3), plus
// 5 minutes of slack.
func CanaryWaitDuration(c *model.Canary) (time.Duration, error) {
	m := intervalPattern.FindStringSubmatch(c.Interval)
	if m == nil {
		return 0, fmt.Errorf("canary interval %q does not match ^[0-9]+(s|m)$", c.Interval)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("canary interval %q must be positive", c.Interval)
	}
	unit := time.Second
	if m[2] == "m" {
		unit = time.Minute
	}
	return time.Duration(n)*unit*time.Duration(c.Steps()+c.Threshold+3) + 5*time.Minute, nil
}
