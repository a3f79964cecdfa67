// Package githubactions renders a release as GitHub Actions workflows:
//
//   - .github/workflows/release.yml runs the plan (model.Plan) on pushes to
//     the release branch, release tags (v*.*.*), pull requests against the
//     branch and manual dispatch. Every plan job becomes one GitHub job with
//     the same id, needs and condition; a final notify job is added when
//     Slack announces the run's result.
//   - .github/workflows/release-<kind>.yml, one per kind of plan job that
//     runs per service (test, build, scan, sign, deploy; only the kinds the
//     plan has): a reusable workflow (on: workflow_call) with that kind's
//     single job. release.yml's jobs of these kinds call it with typed
//     inputs (what differs between services and environments), the
//     secrets it reads and the permissions it needs, so that its steps are
//     written once, not once per service; drift and approve jobs run
//     inline. See called and gen.release.
//   - .github/workflows/promote.yml (manual: image_tag, target_env) promotes
//     an image that was already built to one environment.
//
// # Triggers
//
// Test and drift jobs run on every event. Build, scan and sign jobs
// (model.OnPublish) run on pushes and dispatches of the release branch and
// of release tags; approve and deploy jobs (model.OnDeploy) only on the
// release branch itself. A job whose needs were skipped is skipped too.
//
// # Conventions the workflows rely on
//
//   - Secrets (names from model.Secrets, defaults in parentheses): the AWS
//     role assumed through OIDC for ECR (AWS_ROLE_ARN), the AWS region when
//     the registry is not on ECR but a KMS signing key is (AWS_REGION),
//     a kubeconfig per environment (KUBE_CONFIG, best stored as an
//     environment secret), the Slack webhook (SLACK_WEBHOOK_URL), the
//     username and password of a registry other than ECR or GHCR
//     (REGISTRY_USERNAME, REGISTRY_PASSWORD), and a token that may push to
//     the release branch for promote (GITOPS_TOKEN; the workflow token is
//     used when it is not set). GHCR uses the workflow's own token.
//   - Approval: an environment with approval: true is gated by the GitHub
//     environment "<env>-approval", on which the required reviewers are
//     configured (repository settings, not YAML). One approve-<env> job
//     waits for it before the first deploy; deploy jobs use the
//     environment "<env>" for its secrets and URL without reviewers, so a
//     run asks once, not once per service. promote.yml asks the same
//     environment before promoting to it.
//   - Deploys set the image of deployment/<service>, container <service>,
//     in the environment's namespace to <image>:<sha>@<digest>; for a
//     canary service they then wait until Flagger has promoted it
//     (deployment/<service>-primary runs the image), otherwise for the
//     rollout; then they probe http://<service>:<port><health> through a
//     port-forward to service/<service>. Only then are the environment's
//     tags <prefix><sha> and <prefix>latest added.
//   - Promote adds <prefix><image_tag> and <prefix>latest to every image
//     (by digest, signed again when signing is on), then writes
//     <service>.image.tag and <service>.image.digest into
//     deploy/gitops/<env>/values.yaml on the release branch and pushes the
//     commit as github-actions[bot] with "[skip ci]".
//   - The drift job runs `go run <drift module> check --format github
//     <spec dir>` with the runner's Go, which fetches the toolchain the
//     module asks for.
//   - Tests of go, python and java services run in the official image
//     (golang, python, eclipse-temurin:<version>-jdk), node tests use
//     actions/setup-node; a service's build command runs before the image
//     build with its newest toolchain version, on a fresh checkout.
//
// # Safety
//
// Every action is pinned to a full commit SHA (actions.go). Jobs get only
// the permissions they use; id-token: write only where OIDC is used. A
// calling job grants what its called job uses and passes it exactly the
// secrets it declares, never secrets: inherit.
// Checkouts drop the token, except promote's, which pushes. Spec data and
// GitHub context reach scripts only through env: and "$VAR"; no run:
// script holds an expression, and inputs of called workflows likewise
// reach scripts only through env:. Every spec string passes through literal,
// which turns each "${{" into an expression that evaluates to "${{", so
// GitHub never evaluates spec data; branch filters and names that GitHub
// cannot take are rejected by Check.
package githubactions
