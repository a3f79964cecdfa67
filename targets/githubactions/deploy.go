package githubactions

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

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

// rolloutTimeout bounds a plain rolling deploy.
const rolloutTimeout = "10m"

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
			Env:  env("KUBE_CONFIG", secret(g.sec.KubeConfig)),
			Run:  kubeconfigScript,
		},
		step{
			Name: "Deploy",
			Run:  `kubectl -n "$NAMESPACE" set image "deployment/$SERVICE" "$SERVICE=$IMAGE:$SHA@$DIGEST"` + "\n",
		},
	)
	waitMinutes := 10
	if c := svc.Canary; c != nil {
		wait, err := canaryWait(c)
		if err != nil {
			return nil, err
		}
		waitMinutes = int((wait + time.Minute - 1) / time.Minute)
		j.Steps = append(j.Steps, step{
			Name: "Wait for the canary analysis",
			Env:  env("WAIT_SECONDS", itoa(int(wait/time.Second))),
			Run:  canaryWaitScript,
		})
	} else {
		j.Steps = append(j.Steps, step{
			Name: "Wait for the rollout",
			Run:  `kubectl -n "$NAMESPACE" rollout status "deployment/$SERVICE" --timeout=` + rolloutTimeout + "\n",
		})
	}
	j.Timeout = waitMinutes + 15
	j.Steps = append(j.Steps,
		step{
			Name: "Check health",
			Env:  env("PORT", itoa(svc.Port), "HEALTH_PATH", svc.Health),
			Run:  healthScript,
		},
		step{
			Name: "Tag image for " + e.Name,
			Env:  env("PREFIX", e.TagPrefix),
			Run:  `docker buildx imagetools create -t "$IMAGE:$PREFIX$SHA" -t "$IMAGE:${PREFIX}latest" "$IMAGE@$DIGEST"` + "\n",
		},
	)
	return j, nil
}

var intervalRe = regexp.MustCompile(`^([0-9]+)(s|m)$`)

// canaryWait is how long a deploy waits for Flagger: the analysis takes one
// interval per traffic step, plus up to threshold failed checks, plus the
// intervals Flagger needs to detect the new revision, promote and finalise
// (3), plus 5 minutes of slack.
func canaryWait(c *model.Canary) (time.Duration, error) {
	m := intervalRe.FindStringSubmatch(c.Interval)
	if m == nil {
		return 0, fmt.Errorf("canary interval %q does not match ^[0-9]+(s|m)$", c.Interval)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("canary interval %q must be positive", c.Interval)
	}
	unit := time.Second
	if m[2] == "m" {
		unit = time.Minute
	}
	interval := time.Duration(n) * unit
	return interval*time.Duration(c.Steps()+c.Threshold+3) + 5*time.Minute, nil
}

// kubeconfigScript writes the cluster credentials where only this job can
// read them and points kubectl at them.
const kubeconfigScript = `if [ -z "$KUBE_CONFIG" ]; then
  echo "::error::the kubeconfig secret is not set for this environment"
  exit 1
fi
umask 077
printf '%s\n' "$KUBE_CONFIG" > "$RUNNER_TEMP/kubeconfig"
echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"
`

// canaryWaitScript waits until Flagger has promoted this image: the primary
// deployment runs it and the canary is Succeeded (or Initialized, on the
// first deploy). A Failed phase counts only once the analysis of this
// revision has been seen, since a previous run may have left it.
const canaryWaitScript = `want="$IMAGE:$SHA@$DIGEST"
deadline=$((SECONDS + WAIT_SECONDS))
started=false
while :; do
  phase="$(kubectl -n "$NAMESPACE" get "canary/$SERVICE" -o jsonpath='{.status.phase}' 2>/dev/null || true)"
  primary="$(kubectl -n "$NAMESPACE" get "deployment/$SERVICE-primary" -o json 2>/dev/null \
    | jq -r --arg c "$SERVICE" '.spec.template.spec.containers[] | select(.name == $c) | .image' || true)"
  case "$phase" in
    Progressing | Promoting | Finalising | Waiting | WaitingPromotion) started=true ;;
  esac
  if [ "$primary" = "$want" ] && { [ "$phase" = Succeeded ] || [ "$phase" = Initialized ]; }; then
    echo "canary promoted"
    exit 0
  fi
  if [ "$phase" = Failed ] && [ "$started" = true ]; then
    kubectl -n "$NAMESPACE" describe "canary/$SERVICE" || true
    echo "::error::the canary analysis failed and Flagger rolled back"
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "::error::timed out waiting for the canary analysis (phase: ${phase:-unknown})"
    exit 1
  fi
  sleep 10
done
`

// healthScript probes the service's health endpoint through a port-forward
// to its Kubernetes service.
const healthScript = `kubectl -n "$NAMESPACE" port-forward "service/$SERVICE" "18080:$PORT" > "$RUNNER_TEMP/port-forward.log" 2>&1 &
forward=$!
trap 'kill "$forward" 2>/dev/null || true' EXIT
if ! curl -fsS --retry 10 --retry-connrefused --retry-delay 3 -o /dev/null -w 'HTTP %{http_code}\n' "http://127.0.0.1:18080$HEALTH_PATH"; then
  cat "$RUNNER_TEMP/port-forward.log" >&2
  echo "::error::the health check failed"
  exit 1
fi
`
