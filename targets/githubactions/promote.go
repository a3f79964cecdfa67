package githubactions

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// gitOpsValues is the GitOps values file of an environment, relative to the
// repository root; promote writes <service>.image.tag and
// <service>.image.digest in it.
const gitOpsValues = "deploy/gitops/$TARGET_ENV/values.yaml"

// promote builds promote.yml: a manual workflow that promotes an already
// built image tag to one environment. It tags (and signs) every service's
// image for the environment, in deploy order, then records the new tags in
// the environment's GitOps values file on the release branch.
func (g *gen) promote() (*yaml.Node, error) {
	m := g.m
	if len(m.Environments) == 0 {
		return nil, fmt.Errorf("internal error: github: promote needs at least one environment")
	}
	var names, gated []string
	for _, e := range m.Environments {
		names = append(names, e.Name)
		if e.Approval {
			gated = append(gated, "inputs.target_env == "+exprString(e.Name))
		}
	}
	jobs := yamlenc.Map()
	pj := g.promoteJob()
	if len(gated) > 0 {
		set(jobs, "approve", (&job{
			If:          expr(strings.Join(gated, " || ")),
			Timeout:     5,
			Permissions: perms{},
			Environment: obj("name", expr("${{ inputs.target_env }}-approval"), "deployment", false),
			Steps: []step{{
				Name: "Record approval",
				Env:  env("TARGET_ENV", expr("${{ inputs.target_env }}")),
				Run:  `echo "promotion to $TARGET_ENV was approved"` + "\n",
			}},
		}).node())
		pj.Needs = []string{"approve"}
		pj.If = "${{ !cancelled() && (needs.approve.result == 'success' || needs.approve.result == 'skipped') }}"
	}
	set(jobs, "promote", pj.node())
	return yamlenc.Spaced(obj(
		"name", "promote",
		"on", obj("workflow_dispatch", obj("inputs", obj(
			"image_tag", obj(
				"description", "Image tag to promote (normally the full commit SHA that every build pushes)",
				"required", true,
				"type", "string",
			),
			"target_env", obj(
				"description", "Environment to promote to",
				"required", true,
				"type", "choice",
				"options", yamlenc.Strs(names...),
			),
		))),
		"permissions", obj("contents", "read"),
		"concurrency", obj("group", expr("promote-${{ inputs.target_env }}"), "cancel-in-progress", false),
		"defaults", obj("run", obj("shell", "bash")),
		"jobs", yamlenc.Spaced(jobs),
	)), nil
}

// promoteJob does the promotion in one job, so that services are promoted
// strictly in deploy order.
func (g *gen) promoteJob() *job {
	m := g.m
	p := g.registryPerms(perms{}.with("contents", "write"), true)
	sign := m.Security.Sign
	if sign != nil && (sign.Key == "" || g.signNeedsAWS()) {
		p = p.with("id-token", "write")
	}
	// The input check maps the environment to its tag prefix with a case
	// over data passed in the environment: ENV_<i> -> PREFIX_<i>.
	inputEnv := []any{
		"IMAGE_TAG", expr("${{ inputs.image_tag }}"),
		"TARGET_ENV", expr("${{ inputs.target_env }}"),
	}
	var cases strings.Builder
	for i, e := range m.Environments {
		inputEnv = append(inputEnv, fmt.Sprintf("ENV_%d", i+1), e.Name, fmt.Sprintf("PREFIX_%d", i+1), e.TagPrefix)
		fmt.Fprintf(&cases, "  \"$ENV_%d\") prefix=\"$PREFIX_%d\" ;;\n", i+1, i+1)
	}
	j := &job{
		Timeout:     30,
		Permissions: p,
		Environment: obj("name", expr("${{ inputs.target_env }}")),
		Env:         env("SOURCE_TAG", expr("${{ inputs.image_tag }}")),
		Steps: []step{{
			Name: "Check inputs",
			ID:   "inputs",
			Env:  env(inputEnv...),
			Run:  strings.Replace(inputsScript, "@CASES@\n", cases.String(), 1),
		}},
	}
	j.Steps = append(j.Steps, g.loginSteps()...)
	if sign != nil && g.signNeedsAWS() {
		j.Steps = append(j.Steps, g.awsSteps()...)
	}
	j.Steps = append(j.Steps, setupBuildx())
	if sign != nil {
		j.Steps = append(j.Steps, step{Name: "Install cosign", Uses: &actCosignInstaller})
	}
	values := []any{
		"TAG_PREFIX", prefixExpr,
		"TARGET_ENV", expr("${{ inputs.target_env }}"),
		"BRANCH", m.Branch,
	}
	var updates strings.Builder
	for i, svc := range m.Services {
		id := "promote-" + svc.Name
		e := []any{"IMAGE", m.Image(svc), "TAG_PREFIX", prefixExpr}
		run := promoteScript
		if sign != nil {
			run += `cosign sign --yes "$IMAGE@$digest"` + "\n"
			if sign.Key != "" {
				e = append(e, "COSIGN_KEY_REF", sign.Key)
				run = promoteScript + `cosign sign --yes --key "$COSIGN_KEY_REF" "$IMAGE@$digest"` + "\n"
			}
		}
		j.Steps = append(j.Steps, step{Name: "Promote " + svc.Name, ID: id, Env: env(e...), Run: run})
		values = append(values,
			fmt.Sprintf("SERVICE_%d", i+1), svc.Name,
			fmt.Sprintf("DIGEST_%d", i+1), expr("${{ steps."+id+".outputs.digest }}"))
		fmt.Fprintf(&updates, "SERVICE=\"$SERVICE_%d\" DIGEST=\"$DIGEST_%d\" yq -i \"$update\" \"$values\"\n", i+1, i+1)
	}
	token := expr("${{ secrets." + g.sec.GitOpsToken + " || github.token }}")
	j.Steps = append(j.Steps,
		step{
			Name: "Check out the release branch",
			Uses: &actCheckout,
			// This job pushes the values change, so it keeps the token.
			With: obj("ref", m.Branch, "token", token, "persist-credentials", true),
		},
		step{
			Name: "Update the GitOps values",
			Env:  env(values...),
			Run:  strings.Replace(gitOpsScript, "@UPDATES@\n", updates.String(), 1),
		},
	)
	return j
}

// prefixExpr is the tag prefix of the target environment, as the input
// check found it.
const prefixExpr = expr("${{ steps.inputs.outputs.prefix }}")

// inputsScript validates image_tag and maps target_env to its tag prefix;
// the case arms (@CASES@) compare with quoted variables, so environment
// names are matched as plain text.
const inputsScript = `if [[ ! $IMAGE_TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  echo "::error::image_tag is not a valid image tag"
  exit 1
fi
case "$TARGET_ENV" in
@CASES@
  *)
    echo "::error::target_env is not an environment of this release"
    exit 1
    ;;
esac
if [[ ! $prefix$IMAGE_TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  echo "::error::the promoted tag would not be a valid image tag"
  exit 1
fi
echo "prefix=$prefix" >> "$GITHUB_OUTPUT"
`

// promoteScript adds the environment's tags to the image that SOURCE_TAG
// names, by digest so that all tags name the same image even if
// SOURCE_TAG moves meanwhile, and outputs that digest.
const promoteScript = `digest_of() {
  docker buildx imagetools inspect "$1" --format '{{json .Manifest}}' | jq -r .digest
}
digest="$(digest_of "$IMAGE:$SOURCE_TAG")"
if [[ $digest != sha256:* ]]; then
  echo "::error::no image with the tag to promote"
  exit 1
fi
docker buildx imagetools create -t "$IMAGE:$TAG_PREFIX$SOURCE_TAG" -t "$IMAGE:${TAG_PREFIX}latest" "$IMAGE@$digest"
digest="$(digest_of "$IMAGE:$TAG_PREFIX$SOURCE_TAG")"
echo "digest=$digest" >> "$GITHUB_OUTPUT"
`

// gitOpsScript records the promoted tag and digest of every service in the
// environment's values file and pushes the change to the release branch
// ("[skip ci]": the commit does not start the release workflow again).
const gitOpsScript = `values="` + gitOpsValues + `"
mkdir -p "$(dirname "$values")"
new=false
if [ ! -s "$values" ]; then
  echo '{}' > "$values"
  new=true
fi
export TAG="$TAG_PREFIX$SOURCE_TAG"
update='.[strenv(SERVICE)].image.tag = strenv(TAG) | .[strenv(SERVICE)].image.digest = strenv(DIGEST)'
@UPDATES@
if [ "$new" = true ]; then
  yq -i -P . "$values"
fi
git add "$values"
if git diff --cached --quiet; then
  echo "the values file is up to date"
  exit 0
fi
git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
git commit -m "promote $TAG to $TARGET_ENV [skip ci]"
for attempt in 1 2 3; do
  if git push origin "HEAD:refs/heads/$BRANCH"; then
    exit 0
  fi
  echo "push failed (attempt $attempt); rebasing"
  git pull --rebase origin "$BRANCH"
done
echo "::error::could not push the values change"
exit 1
`
