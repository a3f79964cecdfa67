package gitlabci

import (
	"fmt"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// sigstoreIDToken is the ID token cosign reads for keyless signing.
const sigstoreIDToken = "SIGSTORE_ID_TOKEN"

// signJob signs the image by digest with cosign and attests its SBOM,
// fetched from the scan job. Without a key, signing is keyless: cosign
// exchanges the job's GitLab ID token (audience sigstore) for a
// short-lived Sigstore certificate. With a key reference (for example
// awskms://...), cosign signs with that key, with the AWS role's
// credentials for a KMS key.
func (g *gen) signJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	sign := g.m.Security.Sign
	if svc == nil || sign == nil {
		return nil, fmt.Errorf("sign job has no service or no signing policy")
	}
	l := g.login()
	vars := append(own("IMAGE", g.m.Image(svc)), noCheckout...)
	vars = append(vars, l.vars...)
	tokens := l.tokens
	pkgs := append([]string{"bash", "cosign"}, l.pkgs...)
	script := shell.Prelude + l.script
	if g.signNeedsAWS() {
		a := g.awsLogin("")
		vars = append(vars, a.vars...)
		tokens = append(tokens, a.tokens...)
		pkgs = append(pkgs, a.pkgs...)
		script += a.script
	}
	if sign.Key == "" {
		tokens = append(tokens, idToken{sigstoreIDToken, "sigstore"})
	} else {
		vars = append(vars, data("COSIGN_KEY_REF", sign.Key)...)
	}
	if g.m.Security.SBOM {
		vars = append(vars, data("ATTEST", "true")...)
	}
	return &job{
		Stage:        stageSign,
		Timeout:      "15 minutes",
		IDTokens:     tokens,
		Variables:    vars,
		BeforeScript: []string{apkAdd(pkgs...)},
		Script:       []string{inBash(script + requireDigest + shell.Sign)},
	}, nil
}
