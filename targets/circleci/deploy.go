package circleci

import (
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// deployJob deploys one service to one environment by digest
// (deploy-image), waits until the rollout or the Flagger canary analysis
// is done, then probes the service's health endpoint and only then adds
// the environment's tags (verify-and-tag). It runs in cimg/base with a
// remote docker engine for the registry login and imagetools.
func (g *gen) deployJob(pj *model.Job) (*job, error) {
	svc, e := pj.Service, pj.Env
	if svc == nil || e == nil {
		return nil, fmt.Errorf("internal error: circleci: deploy job %s has no service or environment", pj.ID)
	}
	jobEnv := env(
		"SERVICE", svc.Name,
		"IMAGE", g.m.Image(svc),
		"NAMESPACE", e.Namespace,
		"PORT", strconv.Itoa(svc.Port),
		"HEALTH_PATH", svc.Health,
		"PREFIX", e.TagPrefix,
	)
	wait := run{
		Name:            "Wait for the rollout",
		NoOutputTimeout: minutes(shell.RolloutTimeout + time.Minute),
		Command:         shell.RolloutWait,
	}
	if c := svc.Canary; c != nil {
		d, err := shell.CanaryWaitDuration(c)
		if err != nil {
			return nil, err
		}
		set(jobEnv, "WAIT_SECONDS", strconv.Itoa(int(d/time.Second)))
		wait = run{
			Name:            "Wait for the canary analysis",
			NoOutputTimeout: minutes(d + time.Minute),
			Command:         shell.Prelude + shell.CanaryWait,
		}
	}
	return &job{
		Executor: g.executor(baseExecutor, nil),
		Env:      jobEnv,
		Steps:    g.finish(g.invoke(cmdDeployImage), wait.node(), g.invoke(cmdVerifyDeploy)),
	}, nil
}

// deployImageSteps log in, install kubectl, write the environment's
// kubeconfig and set the deployment's image to <image>:<sha>@<digest>.
func (g *gen) deployImageSteps() []*yaml.Node {
	steps := []*yaml.Node{g.invoke(cmdImageDigest), builtin("setup_remote_docker")}
	steps = append(steps, g.loginSteps()...)
	return append(steps,
		run{Name: "Install kubectl", Command: shell.Prelude + kubectlScript}.node(),
		run{
			Name:    "Write the kubeconfig",
			Env:     env("KUBE_CONFIG_VARIABLE", g.sec.KubeConfig),
			Command: shell.Prelude + `KUBE_CONFIG="${!KUBE_CONFIG_VARIABLE:-}"` + "\n" + shell.Kubeconfig + kubeconfigExport,
		}.node(),
		run{Name: "Deploy", Command: shell.Deploy}.node(),
	)
}

// verifySteps probe the health endpoint and add the environment's tags.
func verifySteps() []*yaml.Node {
	return []*yaml.Node{
		run{Name: "Check health", Command: shell.Prelude + shell.Health}.node(),
		run{Name: "Tag the image for the environment", Command: shell.TagEnvironment}.node(),
	}
}

// minutes formats d, rounded up to whole minutes, as a CircleCI duration.
func minutes(d time.Duration) string {
	return strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + "m"
}
