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

// deployJob deploys one service to one environment by digest, waits until
// the rollout (or the Flagger canary analysis) is done, probes the
// service's health endpoint, and only then adds the environment's tags.
func (g *gen) deployJob(pj *model.Job) (*job, error) {
	svc, e := pj.Service, pj.Env
	if svc == nil || e == nil {
		return nil, fmt.Errorf("internal error: github: deploy job %s has no service or environment", pj.ID)
	}
	envNode := obj("name", e.Name)
	if e.URL != "" {
		set(envNode, "url", e.URL)
	}
	j := &job{
		Permissions: g.registryPerms(perms{}, true),
		Environment: envNode,
		Concurrency: obj("group", "deploy-"+e.Name+"-"+svc.Name, "cancel-in-progress", false),
		Env: env(
			"SERVICE", svc.Name,
			"NAMESPACE", e.Namespace,
			"IMAGE", g.m.Image(svc),
			"SHA", expr("${{ github.sha }}"),
			"DIGEST", expr(digestOf(svc)),
		),
	}
	j.Steps = append(g.loginSteps(), setupBuildx(),
		step{
			Name: "Write kubeconfig",
			Env:  env("KUBE_CONFIG", secretExpr(g.sec.KubeConfig)),
			Run:  shell.Prelude + shell.Kubeconfig + `echo "KUBECONFIG=$KUBECONFIG" >> "$GITHUB_ENV"` + "\n",
		},
		step{
			Name: "Deploy",
			Run:  shell.Deploy,
		},
	)
	waitMinutes := 10
	if c := svc.Canary; c != nil {
		wait, err := shell.CanaryWaitDuration(c)
		if err != nil {
			return nil, err
		}
		waitMinutes = int((wait + time.Minute - 1) / time.Minute)
		j.Steps = append(j.Steps, step{
			Name: "Wait for the canary analysis",
			Env:  env("WAIT_SECONDS", itoa(int(wait/time.Second))),
			Run:  shell.Prelude + shell.CanaryWait,
		})
	} else {
		j.Steps = append(j.Steps, step{
			Name: "Wait for the rollout",
			Run:  shell.RolloutWait,
		})
	}
	j.Timeout = waitMinutes + 15
	j.Steps = append(j.Steps,
		step{
			Name: "Check health",
			Env:  env("PORT", itoa(svc.Port), "HEALTH_PATH", svc.Health),
			Run:  shell.Prelude + shell.Health,
		},
		step{
			Name: "Tag image for " + e.Name,
			Env:  env("PREFIX", e.TagPrefix),
			Run:  shell.TagEnvironment,
		},
	)
	return j, nil
}
