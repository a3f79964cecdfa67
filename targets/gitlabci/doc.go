// Package gitlabci renders a release as a GitLab CI pipeline,
// .gitlab-ci.yml.
//
// Every plan job (model.Plan) becomes one GitLab job with the plan's id
// (deploy jobs are named deploy:<service>:<env>) and the plan's needs, so
// that the pipeline runs as the plan's graph rather than stage by stage;
// the stages (test, build, scan, sign, deploy-<env>) group the jobs for
// display in an order the needs allow. When Slack announces results,
// notify-failure and notify-success run in the .post stage, which waits
// for every other job.
//
// # Templates
//
// Each job extends a hidden template job, .release-<kind> (.release-test,
// .release-build, ..., .release-notify), that holds what jobs of its kind
// share: stage, image, services, timeout, id_tokens, rules, the variables
// that do not depend on the service or environment, the scripts and
// constant artifacts. The job itself holds its own keys: needs,
// environment, resource_group, parallel:matrix, cache, artifacts that name
// its service, a deploy's stage and timeout, a Slack job's rules, and the
// variables of its service and environment. Both may have variables:
// GitLab merges hashes when it applies extends, so the job gets both sets;
// no other key is in both, since GitLab replaces arrays and scalars.
// Templates are deduplicated by content; a kind whose jobs differ in what
// the template would hold (a build command or none, a canary or a rolling
// deploy, a toolchain image) gets .release-<kind>-2 and so on, numbered in
// plan order. Jobs extend one template, which extends none.
//
// GitLab checks its size limit, max_yaml_size_bytes (2 MiB by default),
// on the file as written, before extends: on its bytes and on the memory
// of the parsed YAML, which is several times larger for the many short
// values a job holds (see nodeSize). Templates count once, so a service
// adds its own keys alone: about 9 KB of parsed YAML with one
// environment.
//
// # Pipelines and triggers
//
// workflow:rules admit merge request pipelines, pipelines of the release
// branch (pushes and manual runs) and release tags (vX.Y.Z, with an
// optional pre-release suffix). Other branches get no branch pipeline, so
// a branch with an open merge request never runs twice; a merge request
// from the release branch itself is covered by the branch's pipeline.
// Test and drift jobs run in every pipeline; build, scan and sign jobs
// (model.OnPublish) on the release branch and release tags; approve and
// deploy jobs (model.OnDeploy) only on the release branch. Jobs use rules:,
// never only/except.
//
// # Jobs
//
//   - test-<svc> runs in the toolchain's official image
//     (node:<v>, golang:<v>, python:<v>, eclipse-temurin:<v>-jdk). Its
//     parallel:matrix has VERSION and, with a test split, TEST_SHARD
//     (0-based): GitLab takes parallel: N or parallel:matrix, not both.
//     JUnit XML written as junit*.xml anywhere below the service's path is
//     reported (artifacts:reports:junit, also when tests fail); for a path
//     that a glob cannot name literally, the pattern is **/junit*.xml. The
//     package manager's cache moves into .cache/ in the project directory
//     (npm_config_cache, GOMODCACHE and GOCACHE, PIP_CACHE_DIR,
//     MAVEN_OPTS=-Dmaven.repo.local) and is cached per service and
//     version, keyed on the lockfile (cache:key:files with a prefix).
//   - build-<svc> builds every platform in one docker buildx build with a
//     docker-container builder on docker:dind, with QEMU from
//     tonistiigi/binfmt when a platform other than linux/amd64 is listed,
//     and the layer cache in the registry as <image>:buildcache. The
//     service's build command runs first in the toolchain image. The job
//     reports the pushed digest as DIGEST in a dotenv report; scan, sign
//     and deploy jobs need the build job with artifacts: true and read
//     $DIGEST. Every other need fetches no artifacts.
//   - scan-<svc> runs trivy and syft (pinned images, on docker:dind) and
//     the license gate; the SBOM is kept as an artifact and attested by
//     sign-<svc> with cosign.
//   - approve-<env> is a manual job in rules (when: manual, with
//     allow_failure: false written out): the pipeline is blocked until
//     someone runs it, once per pipeline, and the deploys of the
//     environment need it. It needs the jobs it follows in the plan;
//     when they are more than the 50 a GitLab job may need, it has no
//     needs: and waits for every job of the earlier stages, which are
//     exactly those jobs (the deploys of the earlier environments and
//     the image jobs before them). Its environment (action: prepare) lets a
//     protected environment decide who may run it; do not also require
//     deployment approvals on the environment, or every deploy job asks
//     again.
//   - deploy:<svc>:<env> has environment {name, url, deployment_tier}
//     (the tier GitLab infers from the name), resource_group
//     deploy-<env>-<svc> and interruptible: false; it deploys by
//     <image>:<sha>@<digest>, waits for the rollout or the Flagger canary,
//     probes the health endpoint and only then adds <prefix><sha> and
//     <prefix>latest.
//
// default: sets the docker image, interruptible: true (deploys and
// approvals are not) and retries on runner failures.
//
// # CI/CD variables
//
// Credentials are CI/CD variables (names from model.Secrets, defaults in
// parentheses); make them protected (and protect the release branch and
// v* tags) and masked where GitLab allows:
//
//   - ECR: the IAM role to assume (AWS_ROLE_ARN). Jobs get a GitLab ID
//     token (id_tokens, audience sts.amazonaws.com) and exchange it with
//     aws sts assume-role-with-web-identity; the role's trust policy names
//     the GitLab instance as OIDC provider. The region is the registry's.
//   - other registries, GHCR included: REGISTRY_USERNAME and
//     REGISTRY_PASSWORD.
//   - signing: keyless through an ID token with audience sigstore; with an
//     awskms:// key outside ECR, the role above and its region
//     (AWS_REGION).
//   - the cluster: KUBE_CONFIG, a variable or a file variable holding a
//     kubeconfig, best scoped to each environment.
//   - Slack: SLACK_WEBHOOK_URL.
//
// A renamed variable reaches the scripts under the default name through a
// job variable that refers to it. Project and group variables take
// precedence over the variables jobs define, so none may reuse the names
// the jobs use (VERSION, IMAGE, DIGEST, SERVICE, NAMESPACE, ...).
//
// # Runners
//
// Build and scan jobs use docker:dind: the runner must be privileged and
// share /certs/client between the job and its services (the docker
// executor's documented TLS setup); the builds directory, which the
// runner shares with services, holds what the nested containers mount.
// Jobs in the docker image add bash, jq, curl, kubectl, cosign and the
// aws CLI with apk, from the Alpine release of the pinned image.
//
// # Quoting
//
// Spec data reaches scripts only through job variables; scripts are
// release-gen's own text. GitLab Runner expands "$" in variable values, so
// a value holding one is written as {value: ..., expand: false}. GitLab
// expands variables in environment:url too, which has no such escape:
// check rejects URLs that name a variable. Branch names appear in
// rules:if only as quoted literals.
package gitlabci
