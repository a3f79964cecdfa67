package gitlabci

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/secret"
	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// approveJob is the one approval per run before the first deploy to an
// environment that asks for it: a manual job whose rules make it blocking
// (allow_failure: false, explicit, since a manual job outside rules would
// default to allow_failure: true and let the deploys run unapproved). The
// deploy jobs need it, so they wait until someone runs it. Its
// environment (action: prepare, no deployment) makes the protection rules
// of the environment decide who may run it.
func (g *gen) approveJob(pj *model.Job) (*job, error) {
	e := pj.Env
	if e == nil {
		return nil, fmt.Errorf("approve job has no environment")
	}
	rules, err := g.rules(pj.On)
	if err != nil {
		return nil, err
	}
	if rules == nil {
		rules = yamlenc.Seq(yamlenc.Map())
	}
	for _, r := range rules.Content {
		yamlenc.Set(r, "when", "manual")
		yamlenc.Set(r, "allow_failure", false)
	}
	return &job{
		Stage:           deployStage(e),
		Own:             []string{"stage"},
		Rules:           rules,
		Environment:     yamlenc.Map("name", e.Name, "action", "prepare", "deployment_tier", deploymentTier(e.Name)),
		Uninterruptible: true,
		Timeout:         "5 minutes",
		Variables:       noCheckout,
		Script:          []string{`echo "deploys to $CI_ENVIRONMENT_NAME approved by $GITLAB_USER_LOGIN"`},
	}, nil
}

// deployJob deploys one service to one environment by digest, waits until
// the rollout (or the Flagger canary analysis) is done, probes the
// service's health endpoint, and only then adds the environment's tags.
// Its resource group lets one deploy of the service to the environment
// run at a time.
func (g *gen) deployJob(pj *model.Job) (*job, error) {
	svc, e := pj.Service, pj.Env
	if svc == nil || e == nil {
		return nil, fmt.Errorf("deploy job has no service or environment")
	}
	env := yamlenc.Map("name", e.Name)
	if e.URL != "" {
		yamlenc.Set(env, "url", e.URL)
	}
	yamlenc.Set(env, "deployment_tier", deploymentTier(e.Name))
	l := g.login()
	vars := own("SERVICE", svc.Name, "NAMESPACE", e.Namespace, "IMAGE", g.m.Image(svc))
	vars = append(vars, ref("SHA", "$CI_COMMIT_SHA"))
	vars = append(vars, own("PORT", strconv.Itoa(svc.Port), "HEALTH_PATH", svc.Health, "PREFIX", e.TagPrefix)...)
	vars = append(vars, noCheckout...)
	vars = append(vars, l.vars...)
	vars = append(vars, passSecret(secret.KubeConfig, g.sec.KubeConfig)...)
	script := shell.Prelude + l.script + requireDigest + kubeconfigFile + shell.Kubeconfig + shell.Deploy
	wait := shell.RolloutTimeout
	if c := svc.Canary; c != nil {
		d, err := shell.CanaryWaitDuration(c)
		if err != nil {
			return nil, err
		}
		wait = d
		vars = append(vars, own("WAIT_SECONDS", strconv.Itoa(int(d/time.Second)))...)
		script += shell.CanaryWait
	} else {
		script += shell.RolloutWait
	}
	script += shell.Health + shell.TagEnvironment
	return &job{
		Stage:           deployStage(e),
		Own:             []string{"stage", "timeout"},
		Environment:     env,
		ResourceGroup:   "deploy-" + e.Name + "-" + svc.Name,
		Uninterruptible: true,
		Timeout:         strconv.Itoa(int((wait+time.Minute-1)/time.Minute)+15) + " minutes",
		IDTokens:        l.tokens,
		Variables:       vars,
		BeforeScript:    []string{apkAdd(append([]string{"bash", "curl", "jq", "kubectl"}, l.pkgs...)...)},
		Script:          []string{inBash(script)},
	}, nil
}

// kubeconfigFile reads KUBE_CONFIG from its file when it is a CI/CD
// variable of type File, which holds the path of a file with the value.
const kubeconfigFile = `if [ -n "${KUBE_CONFIG:-}" ] && [ -f "$KUBE_CONFIG" ]; then
  KUBE_CONFIG="$(cat -- "$KUBE_CONFIG")"
fi
`

// tierPatterns infer an environment's deployment tier from its name, in
// order, as GitLab does for environments that set none.
var tierPatterns = []struct {
	re   *regexp.Regexp
	tier string
}{
	{regexp.MustCompile(`(?i)(dev|review|trunk)`), "development"},
	{regexp.MustCompile(`(?i)(test|tst|int|ac(ce|)pt|qa|qc|control|quality)`), "testing"},
	{regexp.MustCompile(`(?i)(st(a|)g|mod(e|)l|pre|demo|non)`), "staging"},
	{regexp.MustCompile(`(?i)(pr(o|)d|live)`), "production"},
}

// deploymentTier is the environment's deployment_tier, written out so
// that it is visible and does not depend on when GitLab first saw the
// environment.
func deploymentTier(name string) string {
	for _, p := range tierPatterns {
		if p.re.MatchString(name) {
			return p.tier
		}
	}
	return "other"
}
