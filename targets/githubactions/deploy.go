package githubactions

import (
	"fmt"
	"time"

	"release-gen.dev/release-gen/targets/internal/shell"

	"release-gen.dev/release-gen/compiler/model"
)

// approvalEnvironment is the GitHub environment whose required reviewers
// gate env. Deploy jobs use env itself (its secrets and URL) without
// reviewers, so a run asks for approval once, not once per service.
func approvalEnvironment(env *model.Environment) string { return env.Name + "-approval" }

// approveJob waits for one approval before the first deploy to an
// environment that asks for it. The wait happens before the job starts:
// GitHub holds it until a required reviewer of <env>-approval approves.
func (g *gen) approveJob(pj *model.Job) (*job, error) {
	e := pj.Env
	if e == nil {
		return nil, fmt.Errorf("internal error: github: approve job %s has no environment", pj.ID)
	}
	return &job{
		Timeout:     5,
		Permissions: perms{},
		// deployment: false: reviewers still apply, but GitHub records no
		// deployment for the approval environment.
		Environment: obj("name", approvalEnvironment(e), "deployment", false),
		Steps: []step{{
			Name: "Record approval",
			Env:  env("ENVIRONMENT", e.Name),
			Run:  `echo "deploys to $ENVIRONMENT were approved"` + "\n",
		}},
	}, nil
}

// deployWorkflow builds release-deploy.yml: it deploys one service to one
// environment by digest, waits until the rollout (or the Flagger canary
// analysis) is done, probes the service's health endpoint, and only then
// adds the environment's tags. The job runs in the GitHub environment, so
// that the environment's secrets and protection rules apply to it.
func (g *gen) deployWorkflow(pjs []*model.Job) (*called, error) {
	c := newCalled(model.JobDeploy, pjs)
	service := c.key("service", "name of the service: its deployment, container and Kubernetes service, and its image <registry>/<service>")
	environment := c.key("environment", "the GitHub environment the job runs in")
	url := c.input("environment-url", "string", "URL of the environment, shown on the deployment")
	namespace := c.input("namespace", "string", "Kubernetes namespace of the environment")
	prefix := c.input("tag-prefix", "string", "prefix of the environment's image tags: <prefix><sha> and <prefix>latest")
	digest := c.input("digest", "string", "digest of the image to deploy (sha256:...)")
	port := c.input("port", "number", "port of the service's health endpoint")
	health := c.input("health-path", "string", "HTTP path of the service's health endpoint")
	waitSeconds := c.input("canary-wait-seconds", "number", "how long to wait for the canary analysis; 0: not a canary, wait for the rollout")
	timeout := c.input("timeout-minutes", "number", "timeout of the job: the longest wait plus 15 minutes")
	image, err := g.imageOf(service, pjs)
	if err != nil {
		return nil, err
	}
	canaries := map[string]bool{}
	for _, pj := range pjs {
		svc, e, id := pj.Service, pj.Env, pj.ID
		if svc == nil || e == nil {
			return nil, fmt.Errorf("internal error: github: deploy job %s has no service or environment", id)
		}
		service.set(id, svc.Name)
		environment.set(id, e.Name)
		if e.URL != "" {
			url.set(id, e.URL)
		}
		namespace.set(id, e.Namespace)
		prefix.set(id, e.TagPrefix)
		digest.set(id, expr(digestOf(svc)))
		port.set(id, svc.Port)
		health.set(id, svc.Health)
		waitMinutes := 10
		if cn := svc.Canary; cn != nil {
			wait, err := shell.CanaryWaitDuration(cn)
			if err != nil {
				return nil, err
			}
			waitMinutes = int((wait + time.Minute - 1) / time.Minute)
			canaries[id] = true
			waitSeconds.set(id, int(wait/time.Second))
		}
		timeout.set(id, waitMinutes+15)
	}
	envNode := obj("name", expr(environment.ref()))
	if url.declared() {
		set(envNode, "url", expr(url.ref()))
	}
	j := &job{
		TimeoutExpr: expr(timeout.ref()),
		Permissions: g.registryPerms(perms{}, true),
		Environment: envNode,
		// One deploy of a service to an environment at a time; a newer
		// one waits rather than cancel a deploy half done.
		Concurrency: obj("group", expr("deploy-"+environment.ref()+"-"+service.ref()), "cancel-in-progress", false),
		Env: env(
			"SERVICE", expr(service.ref()),
			"NAMESPACE", expr(namespace.ref()),
			"IMAGE", expr(image),
			"SHA", expr("${{ github.sha }}"),
			"DIGEST", expr(digest.ref()),
		),
	}
	j.Steps = append(g.loginSteps(), setupBuildx(),
		step{
			Name: "Write kubeconfig",
			Env:  env("KUBE_CONFIG", g.secret(g.sec.KubeConfig)),
			Run:  shell.Prelude + shell.Kubeconfig + `echo "KUBECONFIG=$KUBECONFIG" >> "$GITHUB_ENV"` + "\n",
		},
		step{
			Name: "Deploy",
			Run:  shell.Deploy,
		},
	)
	canary := step{
		Name: "Wait for the canary analysis",
		Env:  env("WAIT_SECONDS", expr(waitSeconds.ref())),
		Run:  shell.Prelude + shell.CanaryWait,
	}
	rollout := step{Name: "Wait for the rollout", Run: shell.RolloutWait}
	switch cond, ok := c.when(canaries, "inputs.canary-wait-seconds > 0"); {
	case !ok:
		j.Steps = append(j.Steps, rollout)
	case cond == "":
		j.Steps = append(j.Steps, canary)
	default:
		canary.If, rollout.If = cond, "inputs.canary-wait-seconds == 0"
		j.Steps = append(j.Steps, canary, rollout)
	}
	j.Steps = append(j.Steps,
		step{
			Name: "Check health",
			Env:  env("PORT", expr(port.ref()), "HEALTH_PATH", expr(health.ref())),
			Run:  shell.Prelude + shell.Health,
		},
		step{
			NameExpr: expr("Tag image for " + environment.ref()),
			Env:      env("PREFIX", expr(prefix.ref())),
			Run:      shell.TagEnvironment,
		},
	)
	c.job = j
	return c, nil
}
