package githubactions

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/targets/internal/shell"

	"release-gen.dev/release-gen/compiler/model"
)

// shell.SBOMFile is the SBOM's file name, in the artifact and for cosign attest.

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
			Run:  shell.Prelude + shell.Trivy,
		})
	}
	if sec.SBOM || sec.Licenses != nil {
		j.Steps = append(j.Steps, step{Name: "Generate SBOM", Run: shell.Prelude + shell.Syft})
	}
	if sec.SBOM {
		j.Steps = append(j.Steps, step{
			Name: "Keep SBOM",
			Uses: &actUploadArtifact,
			With: obj("name", sbomArtifact(svc), "path", shell.SBOMFile, "if-no-files-found", "error"),
		})
	}
	if l := sec.Licenses; l != nil && len(l.Deny) > 0 {
		j.Steps = append(j.Steps, step{
			Name: "Check licenses",
			Env:  env("DENY", strings.Join(l.Deny, ",")),
			Run:  shell.Prelude + shell.LicenseGate,
		})
	}
	return j, nil
}
