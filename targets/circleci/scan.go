package circleci

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// sbomDir is the workspace directory of the SBOMs, one directory per
// service.
const sbomDir = "sbom"

// scanJob runs the scan-image command for one service. The tools run from
// their images with docker's credentials mounted, which needs a docker
// engine of the job's own: the machine executor.
func (g *gen) scanJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil {
		return nil, fmt.Errorf("internal error: circleci: scan job %s has no service", pj.ID)
	}
	return &job{
		Executor: g.executor(machineExecutor, nil),
		Env:      env("SERVICE", svc.Name, "IMAGE", g.m.Image(svc)),
		Steps:    g.finish(g.invoke(cmdScanImage)),
	}, nil
}

// scanDescription says what scan-image does for this release.
func (g *gen) scanDescription() string {
	sec := g.m.Security
	var parts []string
	if sec.Scan != nil {
		parts = append(parts, "scan the pushed image for vulnerabilities")
	}
	if sec.SBOM {
		parts = append(parts, "write its SBOM")
	}
	if l := sec.Licenses; l != nil && len(l.Deny) > 0 {
		parts = append(parts, "apply the license gate to its SBOM")
	}
	if len(parts) == 0 {
		return "Check the pushed image."
	}
	d := parts[0]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			d += " and " + p
		} else {
			d += ", " + p
		}
	}
	return strings.ToUpper(d[:1]) + d[1:] + "."
}

// scanImageSteps scan the pushed image with trivy, write its SPDX SBOM
// with syft (kept as an artifact and passed to the sign job in the
// workspace) and apply the license gate to it.
func (g *gen) scanImageSteps() []*yaml.Node {
	sec := g.m.Security
	platforms := strings.Join(g.m.Platforms, ",")
	steps := append([]*yaml.Node{g.invoke(cmdImageDigest)}, g.loginSteps()...)
	if s := sec.Scan; s != nil {
		exit := "0"
		if s.FailBuild {
			exit = "1"
		}
		steps = append(steps, run{
			Name:    "Scan for vulnerabilities",
			Env:     env("PLATFORMS", platforms, "SEVERITY", strings.Join(s.Severity, ","), "EXIT_CODE", exit),
			Command: shell.Prelude + shell.Trivy,
		}.node())
	}
	if sec.SBOM || sec.Licenses != nil {
		steps = append(steps, run{Name: "Generate the SBOM", Env: env("PLATFORMS", platforms), Command: shell.Prelude + shell.Syft}.node())
	}
	if sec.SBOM {
		dir := workspace + "/" + sbomDir + `/$SERVICE`
		steps = append(steps,
			obj("store_artifacts", obj("path", shell.SBOMFile)),
			run{
				Name:    "Keep the SBOM for signing",
				Command: `mkdir -p "` + dir + `"` + "\n" + `cp ` + shell.SBOMFile + ` "` + dir + `/"` + "\n",
			}.node(),
			persist(sbomDir),
		)
	}
	if l := sec.Licenses; l != nil && len(l.Deny) > 0 {
		steps = append(steps, run{
			Name:    "Check licenses",
			Env:     env("DENY", strings.Join(l.Deny, ",")),
			Command: shell.Prelude + shell.LicenseGate,
		}.node())
	}
	return steps
}
