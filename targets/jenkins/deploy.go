package jenkins

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// approveStage waits for one approval before the first deploy to an
// environment that asks for it. It has no agent, so the waiting build holds
// no executor, and its condition is evaluated before the prompt, so that
// builds that do not deploy ask nobody. The input names no submitter:
// who may approve is set by the job's permissions in Jenkins.
func (g *gen) approveStage(j *model.Job) (*stage, error) {
	e := j.Env
	if e == nil {
		return nil, fmt.Errorf("internal error: jenkins: approve job %s has no environment", j.ID)
	}
	gate := g.gate(j.On)
	if gate != nil {
		gate.beforeInput = true
	}
	return &stage{
		name:    "Approve " + e.Name,
		job:     j.ID,
		when:    gate,
		timeout: timeout{approvalHours, "HOURS"},
		input:   &input{message: "Deploy to " + e.Name + "?", ok: "Deploy"},
		steps:   []step{call("echo(" + quote("deploys to "+e.Name+" were approved") + ")")},
	}, nil
}

// deployStages renders the deploys of one environment, in plan order, as
// one stage per wave: the services of a wave (which do not depend on each
// other) deploy in parallel under "Wave <n> (<env>)", a wave of one
// service is its deploy stage itself.
func (g *gen) deployStages(jobs []*model.Job) ([]*stage, error) {
	var (
		waves  []int
		byWave = map[int][]*stage{}
	)
	for _, j := range jobs {
		s, err := g.deployStage(j)
		if err != nil {
			return nil, err
		}
		w := j.Service.Wave
		if _, ok := byWave[w]; !ok {
			waves = append(waves, w)
		}
		byWave[w] = append(byWave[w], s)
	}
	slices.Sort(waves)
	var out []*stage
	for _, w := range waves {
		list := byWave[w]
		gate := g.gate(jobs[0].On)
		if len(list) == 1 {
			s := list[0]
			if gate != nil {
				gate.beforeAgent = true
			}
			s.when = gate
			out = append(out, s)
			continue
		}
		name := "Wave " + strconv.Itoa(w+1) + " (" + jobs[0].Env.Name + ")"
		out = append(out, &stage{name: name, when: gate, parallel: list})
	}
	return out, nil
}

// deployStage deploys one service to one environment by digest, waits
// until the rollout (or Flagger's canary analysis) is done, probes the
// service's health endpoint, and only then adds the environment's tags.
// It needs no checkout: the image record comes from the build's stash.
func (g *gen) deployStage(j *model.Job) (*stage, error) {
	svc, e := j.Service, j.Env
	if svc == nil || e == nil {
		return nil, fmt.Errorf("internal error: jenkins: deploy job %s has no service or environment", j.ID)
	}
	// Room for the six below, WAIT_SECONDS, ENVIRONMENT_URL and the
	// registry's.
	vars := make([]envVar, 0, 8+len(g.reg.vars))
	vars = append(vars,
		envVar{"SERVICE", svc.Name},
		envVar{"NAMESPACE", e.Namespace},
		envVar{"IMAGE", g.m.Image(svc)},
		envVar{"PORT", strconv.Itoa(svc.Port)},
		envVar{"HEALTH_PATH", svc.Health},
		envVar{"PREFIX", e.TagPrefix})
	wait, waitScript := shell.RolloutTimeout, shell.RolloutWait
	if c := svc.Canary; c != nil {
		d, err := shell.CanaryWaitDuration(c)
		if err != nil {
			return nil, err
		}
		wait, waitScript = d, shell.CanaryWait
		vars = append(vars, envVar{"WAIT_SECONDS", strconv.Itoa(int(d / time.Second))})
	}
	if e.URL != "" {
		vars = append(vars, envVar{"ENVIRONMENT_URL", e.URL})
	}
	vars = append(vars, g.reg.vars...)
	waitMinutes := int((wait + time.Minute - 1) / time.Minute)
	return &stage{
		name:         deployStageName(svc, e),
		job:          j.ID,
		agent:        true,
		timeout:      minutes(waitMinutes + deploySlackMinutes),
		skipCheckout: true,
		env:          []binding{{"KUBECONFIG", g.cred.kubeConfigOf(e)}},
		steps: []step{
			unstash{stashName(svc)},
			withEnv{vars, []step{
				g.shell("Deploy", readImage, shell.Deploy, waitScript),
				g.shell("Check health", shell.Health),
				g.loggedIn(g.shell("Tag image for "+e.Name, readImage, g.reg.login, shell.TagEnvironment, environmentURL).named("Tag image")),
			}},
		},
	}, nil
}

// deployStageName is the stage of deploy-<service>-<env>, named as the
// contract says: "Deploy <service> (<env>)".
func deployStageName(svc *model.Service, e *model.Environment) string {
	return "Deploy " + svc.Name + " (" + e.Name + ")"
}
