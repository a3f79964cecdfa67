package gitlabci

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// requireDigest stops a job whose build job passed no digest (DIGEST comes
// from the build's dotenv report).
const requireDigest = `case "${DIGEST:-}" in
  sha256:*) ;;
  *) fail "no image digest from the build job: DIGEST is not set" ;;
esac
`

// sharedHome keeps docker's credentials in the builds directory, which
// docker:dind shares: the trivy and syft containers mount them from
// $HOME/.docker/config.json, a path the daemon resolves in its own file
// system. The scan job's after_script removes them.
const sharedHome = `export HOME="$CI_PROJECT_DIR/.home"
`

// noCheckout skips the git checkout in jobs that do not read the sources.
var noCheckout = data("GIT_STRATEGY", "none")

// scanJob scans the pushed image with trivy, writes its SPDX SBOM with
// syft (kept as an artifact) and applies the license gate to it. The tools
// run from their pinned images on docker:dind.
func (g *gen) scanJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil {
		return nil, fmt.Errorf("scan job has no service")
	}
	sec := g.m.Security
	l := g.login()
	vars := append(own("IMAGE", g.m.Image(svc)), data("PLATFORMS", strings.Join(g.m.Platforms, ","))...)
	vars = append(vars, noCheckout...)
	script := shell.Prelude + sharedHome + l.script + requireDigest + `IMAGE_REF="$IMAGE@$DIGEST"` + "\n"
	if s := sec.Scan; s != nil {
		exit := "0"
		if s.FailBuild {
			exit = "1"
		}
		vars = append(vars, data("SEVERITY", strings.Join(s.Severity, ","), "EXIT_CODE", exit)...)
		script += shell.Trivy
	}
	if sec.SBOM || sec.Licenses != nil {
		script += shell.Syft
	}
	if lic := sec.Licenses; lic != nil && len(lic.Deny) > 0 {
		vars = append(vars, data("DENY", strings.Join(lic.Deny, ","))...)
		script += shell.LicenseGate
	}
	j := &job{
		Stage:        stageScan,
		DinD:         true,
		Timeout:      "30 minutes",
		IDTokens:     l.tokens,
		Variables:    append(vars, l.vars...),
		BeforeScript: []string{apkAdd(append([]string{"bash", "jq"}, l.pkgs...)...)},
		Script:       []string{inBash(script)},
		AfterScript:  []string{`rm -rf -- "$CI_PROJECT_DIR/.home"`},
	}
	if sec.SBOM {
		j.Artifacts = yamlenc.Map(
			"name", "sbom-"+svc.Name,
			"paths", yamlenc.Strs(shell.SBOMFile),
		)
		j.Own = []string{"artifacts"}
	}
	return j, nil
}
