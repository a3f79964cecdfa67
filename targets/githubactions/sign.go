package githubactions

import (
	"fmt"

	"release-gen.dev/release-gen/targets/internal/shell"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
)

// signWorkflow builds release-sign.yml: it signs the image by digest with
// cosign and attests its SBOM. Without a key, signing is keyless: cosign
// gets a short-lived certificate for the workflow's OIDC identity from
// Sigstore (id-token: write). With a key reference (for example
// awskms://...), cosign signs with that key.
func (g *gen) signWorkflow(pjs []*model.Job) (*called, error) {
	sign := g.m.Security.Sign
	if sign == nil {
		return nil, fmt.Errorf("internal error: github: sign job %s has no signing policy", pjs[0].ID)
	}
	c := newCalled(model.JobSign, pjs)
	service, image, digest, err := g.pushedImage(c, pjs, "sign")
	if err != nil {
		return nil, err
	}
	p := g.registryPerms(perms{}, true)
	if sign.Key == "" || g.signNeedsAWS() {
		p = p.with("id-token", "write")
	}
	j := &job{
		Timeout:     15,
		Permissions: p,
		Env:         env("IMAGE", expr(image), "DIGEST", expr(digest.ref())),
		Steps:       g.loginSteps(),
	}
	if g.signNeedsAWS() {
		j.Steps = append(j.Steps, g.awsSteps()...)
	}
	j.Steps = append(j.Steps, step{Name: "Install cosign", Uses: &actCosignInstaller})
	keyEnv := func(e ...any) *yaml.Node {
		if sign.Key != "" {
			e = append(e, "COSIGN_KEY_REF", sign.Key)
		}
		if len(e) == 0 {
			return nil
		}
		return env(e...)
	}
	signStep := step{Name: "Sign image", Env: keyEnv(), Run: `cosign sign --yes "$IMAGE@$DIGEST"` + "\n"}
	if sign.Key != "" {
		signStep.Run = `cosign sign --yes --key "$COSIGN_KEY_REF" "$IMAGE@$DIGEST"` + "\n"
	}
	j.Steps = append(j.Steps, signStep)
	if g.m.Security.SBOM {
		attest := step{
			Name: "Attest SBOM",
			Env:  keyEnv(),
			Run:  `cosign attest --yes --type spdxjson --predicate ` + shell.SBOMFile + ` "$IMAGE@$DIGEST"` + "\n",
		}
		if sign.Key != "" {
			attest.Run = `cosign attest --yes --key "$COSIGN_KEY_REF" --type spdxjson --predicate ` + shell.SBOMFile + ` "$IMAGE@$DIGEST"` + "\n"
		}
		j.Steps = append(j.Steps,
			step{Name: "Download SBOM", Uses: &actDownloadArtifact, With: obj("name", sbomArtifact(service))},
			attest)
	}
	c.job = j
	return c, nil
}
