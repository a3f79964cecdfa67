package githubactions

import (
	"strings"

	"release-gen.dev/release-gen/targets/internal/shell"

	"release-gen.dev/release-gen/compiler/model"
)

// shell.SBOMFile is the SBOM's file name, in the artifact and for cosign attest.

// sbomArtifact is the name of the artifact that keeps the SBOM of the
// service the input service names.
func sbomArtifact(service *param) expr { return expr("sbom-" + service.ref()) }

// scanWorkflow builds release-scan.yml: it scans the pushed image with
// trivy, writes its SPDX SBOM with syft (kept as an artifact) and applies
// the license gate to it. The tools run from their official images with
// docker's registry credentials mounted read-only.
func (g *gen) scanWorkflow(pjs []*model.Job) (*called, error) {
	c := newCalled(model.JobScan, pjs)
	service, image, digest, err := g.pushedImage(c, pjs, "scan")
	if err != nil {
		return nil, err
	}
	sec := g.m.Security
	j := &job{
		Timeout:     30,
		Permissions: g.registryPerms(perms{}, false),
		Env: env(
			"IMAGE_REF", expr(image+"@"+digest.ref()),
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
			With: obj("name", sbomArtifact(service), "path", shell.SBOMFile, "if-no-files-found", "error"),
		})
	}
	if l := sec.Licenses; l != nil && len(l.Deny) > 0 {
		j.Steps = append(j.Steps, step{
			Name: "Check licenses",
			Env:  env("DENY", strings.Join(l.Deny, ",")),
			Run:  shell.Prelude + shell.LicenseGate,
		})
	}
	c.job = j
	return c, nil
}
