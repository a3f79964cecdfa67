package githubactions

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
)

// sbomFile is the SBOM's file name, in the artifact and for cosign attest.
const sbomFile = "sbom.spdx.json"

// sbomArtifact is the name of the artifact that keeps a service's SBOM.
func sbomArtifact(svc *model.Service) string { return "sbom-" + svc.Name }

// scanJob scans the pushed image with trivy, writes its SPDX SBOM with
// syft (kept as an artifact) and applies the license gate to it. The tools
// run from their official images with docker's registry credentials
// mounted read-only.
func (g *gen) scanJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil {
		return nil, fmt.Errorf("internal error: github: scan job %s has no service", pj.ID)
	}
	sec := g.m.Security
	j := &job{
		Timeout:     30,
		Permissions: g.registryPerms(perms{}, false),
		Env: env(
			"IMAGE_REF", expr(literal(g.m.Image(svc))+"@"+digestOf(svc)),
			"PLATFORMS", strings.Join(g.m.Platforms, ","),
		),
		Steps: g.loginSteps(),
	}
	if s := sec.Scan; s != nil {
		exit := "0"
		if s.FailBuild {
			exit = "1"
		}
		j.Steps = append(j.Steps, step{
			Name: "Scan for vulnerabilities",
			Env:  env("SEVERITY", strings.Join(s.Severity, ","), "EXIT_CODE", exit),
			Run:  trivyScript,
		})
	}
	if sec.SBOM || sec.Licenses != nil {
		j.Steps = append(j.Steps, step{Name: "Generate SBOM", Run: syftScript})
	}
	if sec.SBOM {
		j.Steps = append(j.Steps, step{
			Name: "Keep SBOM",
			Uses: &actUploadArtifact,
			With: obj("name", sbomArtifact(svc), "path", sbomFile, "if-no-files-found", "error"),
		})
	}
	if l := sec.Licenses; l != nil && len(l.Deny) > 0 {
		j.Steps = append(j.Steps, step{
			Name: "Check licenses",
			Env:  env("DENY", strings.Join(l.Deny, ",")),
			Run:  licenseScript,
		})
	}
	return j, nil
}

// trivyScript scans every platform of the image for the given severities;
// EXIT_CODE 1 fails the job on any finding. The tool containers get
// docker's registry credentials read-only through DOCKER_CONFIG.
const trivyScript = `mkdir -p "$RUNNER_TEMP/trivy"
IFS=, read -ra platforms <<< "$PLATFORMS"
for platform in "${platforms[@]}"; do
  echo "scanning $platform"
  docker run --rm \
    -e DOCKER_CONFIG=/docker \
    -v "$HOME/.docker/config.json:/docker/config.json:ro" \
    -v "$RUNNER_TEMP/trivy:/cache" \
    ` + trivyImage + ` \
    image --cache-dir /cache --no-progress \
    --platform "$platform" \
    --severity "$SEVERITY" \
    --exit-code "$EXIT_CODE" \
    "$IMAGE_REF"
done
`

// syftScript writes the SPDX JSON SBOM of the first platform's image.
const syftScript = `platform="${PLATFORMS%%,*}"
docker run --rm \
  -e DOCKER_CONFIG=/docker \
  -v "$HOME/.docker/config.json:/docker/config.json:ro" \
  ` + syftImage + ` \
  scan --from registry --platform "$platform" -o spdx-json \
  "$IMAGE_REF" > ` + sbomFile + `
`

// licenseScript fails when a package's concluded or declared license
// expression names a denied SPDX license. Ids compare case-insensitively,
// and a denied id also matches its -only, -or-later and + forms ("GPL-3.0"
// denies "GPL-3.0-or-later" but not "LGPL-3.0").
const licenseScript = `IFS=, read -ra deny <<< "$DENY"
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
' --args "${deny[@]}" < ` + sbomFile + ` > "$RUNNER_TEMP/denied.txt"
if [ -s "$RUNNER_TEMP/denied.txt" ]; then
  echo "packages under a denied license:"
  cat "$RUNNER_TEMP/denied.txt"
  echo "::error::the image contains packages under a denied license"
  exit 1
fi
echo "no package under a denied license"
`
