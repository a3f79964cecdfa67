// Package circleci renders a release as a CircleCI 2.1 config,
// .circleci/config.yml, with one workflow, release, that runs the plan
// (model.Plan): every plan job is a workflow job with the plan's id, and
// its requires are the plan's needs.
//
// # Jobs
//
//   - drift runs `go run <drift module> check` in cimg/go.
//   - test-<service> runs in the language's convenience image
//     (cimg/node, cimg/go, cimg/python, cimg/openjdk; cimg/base for generic
//     services), once per toolchain version through a matrix whose runs
//     are named test-<service>-<tag> under the alias test-<service>, which
//     is what other jobs require. A Java version N becomes the tag N.0,
//     the one cimg/openjdk publishes; Check warns about Node.js versions
//     written as a major version whose line cimg/node tags only as
//     major.minor (every line before 22, and 23 and 25). With a testSplit, the job runs in
//     parallelism containers and each runs the share of files
//     shell.Shard assigns to CIRCLE_NODE_INDEX: the same shards as on every
//     other CI, the TEST_FILES contract the test command relies on, and bash
//     globstar semantics for the glob. CircleCI's own `circleci tests run
//     --split-by=timings` would only split better with JUnit timings, which
//     the spec cannot promise, and is not available on CircleCI Server. A
//     test command may write JUnit XML to $TEST_RESULTS_DIR, which the job
//     stores for test insights. Dependencies are cached on
//     {{ checksum "<path>/<lockfile>" }} per service and tag; a lockfile
//     path with characters CircleCI's templating could read as syntax is
//     first copied to a fixed path, so that spec paths never enter a
//     template.
//   - build-<service> runs the build command in the toolchain image, then
//     (build-image) builds the image for every platform with buildx on a
//     remote docker engine (QEMU for non-amd64 platforms), pushes
//     <image>:<commit sha> and, on a vX.Y.Z tag, <image>:<tag>, keeps the
//     layer cache in the registry as <image>:buildcache (caches.docker),
//     and puts the digest in the workspace as digests/<service>.
//   - scan-<service> and sign-<service> run on the machine executor, whose
//     own docker engine lets trivy, syft and cosign run from their images
//     with docker's credentials mounted. The SBOM is stored as an artifact
//     and passed to the sign job in the workspace (sbom/<service>/).
//   - approve-<env> is a workflow job of type approval before the first
//     deploy to an environment with approval: true.
//   - deploy-<service>-<env> runs in cimg/base: it deploys
//     <image>:<sha>@<digest>, waits for the rollout or the canary
//     analysis, probes the health endpoint and only then adds the
//     environment's tags. Deploys of one service to one environment run
//     one at a time (a serial group per project).
//   - notify announces success in Slack when asked; failures are announced
//     by the failing job itself (notify-failure), for release-branch and
//     tag pipelines only.
//
// Steps every job of a kind shares are commands (build-image, scan-image,
// sign-image, deploy-image, verify-and-tag, ...); each job's own values
// (SERVICE, IMAGE, ...) are in its environment.
//
// # Triggers
//
// CircleCI runs a job on a tag only if it and every job it requires has a
// tag filter. Test and drift jobs (model.OnAll) have the release tag
// filter and no branch filter; build, scan and sign (model.OnPublish) run
// on the release branch and on release tags; approvals and deploys
// (model.OnDeploy) only on the release branch.
//
// # Conventions the config relies on
//
//   - Contexts: build, scan, sign and deploy jobs run in the context
//     <name>-release, which holds the registry credentials: the AWS role
//     to assume (AWS_ROLE_ARN) for ECR, otherwise REGISTRY_USERNAME and
//     REGISTRY_PASSWORD (GHCR included); and AWS_REGION when a KMS signing
//     key is used with a registry outside ECR. Running in a context also
//     gives a job CircleCI's OIDC token. Each environment's approval and
//     deploys run in <name>-<env>, which holds its KUBE_CONFIG; restrict
//     that context to a security group to restrict who may approve and
//     deploy. SLACK_WEBHOOK_URL is best a project environment variable, so
//     that every job can announce its failure. The spec may rename every
//     variable (model.Secrets); scripts read them by name, as data.
//   - AWS: the job assumes the role with assume-role-with-web-identity and
//     $CIRCLE_OIDC_TOKEN_V2 (audience: the organization id), through the
//     AWS CLI image, and logs docker in to ECR with the session.
//   - Keyless signing: `circleci run oidc get --claims '{"aud":
//     "sigstore"}'` gives the token cosign exchanges at Fulcio
//     (SIGSTORE_ID_TOKEN); a key from security.sign.key is used instead
//     when given.
//
// # Safety
//
// Spec data reaches scripts only through environment maps, which CircleCI
// does not interpolate. CircleCI does replace "<< ... >>" in every string
// of a 2.1 config, so every string the config holds (spec data and
// release-gen's scripts, whose here-strings are "<<<") is written with
// "<<" escaped as "\<<", CircleCI's escape; Check rejects spec values
// that hold "\<<" themselves, and names CircleCI cannot take as job names.
package circleci
