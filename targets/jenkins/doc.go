// Package jenkins renders a release as a declarative Jenkinsfile for a
// Multibranch Pipeline (or Organization Folder) job.
//
// # Stages
//
// Declarative Pipeline has no job graph, so the Jenkinsfile runs the plan
// (model.Plan) as stages in an order the plan allows, each plan job as one
// stage named after it:
//
//   - "Drift" runs `release-gen check` in the golang image;
//   - "Test <service>" is a matrix with the axes VERSION (the toolchain
//     versions) and, with a test split, SHARD (0 to n-1); each cell runs on
//     its own agent and publishes the JUnit reports the tests write to
//     $TEST_REPORTS. A matrix cannot run inside parallel, so the services'
//     test matrices run one after the other;
//   - "Publish" runs, in parallel per service, "Publish <service>": the
//     stages "Build <service>", "Scan <service>" and "Sign <service>" in
//     sequence on one agent and workspace;
//   - per environment, "Approve <env>" when it asks for approval, then the
//     deploys "Deploy <service> (<env>)" wave by wave; the services of a
//     wave deploy in parallel under "Wave <n> (<env>)".
//
// The pipeline has no agent of its own (agent none): every working stage
// asks for an agent, and the approval stage holds no executor while it
// waits. Options: an overall timeout (the sum of the stage limits along
// the longest path, approvals included), disableConcurrentBuilds(),
// timestamps(), a build discarder, preserveStashes() (so that a deploy can
// be restarted from its stage) and skipStagesAfterUnstable(). An approval
// waits up to 24 hours; meanwhile newer builds of the branch wait in the
// queue, since builds of a branch do not run concurrently (aborting the
// waiting build instead could also abort a deploy half done).
//
// # Triggers
//
// Drift and tests run for every build. The Publish stage runs for builds
// of the release branch (branch, compared for equality, not as a glob) and
// of release tags (tag, REGEXP v1.2.3 or v1.2.3-rc.1); approvals and
// deploys only for the release branch. Pull request builds (BRANCH_NAME
// "PR-<n>") match neither. The branch and tag conditions need a
// multibranch job; tag builds also need the job to discover tags (and a
// build strategy that builds them). Conditions are evaluated before an
// agent is allocated or the approval is asked.
//
// # Agents
//
// Every stage runs on an agent matching the label expression
// 'linux && docker'. Such agents need bash 4.4 or later, git, curl, jq and
// docker with the buildx plugin; for images of other platforms than the
// agent's, QEMU registered with binfmt_misc (for example once with
// `docker run --privileged --rm tonistiigi/binfmt --install all`); the AWS
// CLI v2 for ECR and AWS KMS; kubectl for deploys; cosign for signing.
// Tests and build commands run in the toolchain's official image
// (node:<version>, golang:<version>, python:<version>,
// eclipse-temurin:<version>-jdk) with `docker run`, as the agent's user,
// the workspace mounted at its own path; generic services run them on the
// agent itself. The dependency cache is the containers' home directory,
// kept beside the workspace between builds of the job on an agent; extra
// cache paths live in the workspace, which Jenkins keeps between builds.
// The image build uses a persistent "release-gen" buildx builder
// (docker-container driver), whose layer cache stays on the agent.
//
// # Plugins
//
// Pipeline (workflow-aggregator), whose Declarative Pipeline must be 1.5
// or later (matrix); a branch source for multibranch jobs (Git, GitHub,
// GitLab or Bitbucket); Credentials Binding; Timestamper; JUnit; and Slack
// Notification when the spec announces results in Slack.
//
// # Credentials
//
// Jenkins has no OIDC identity that AWS or Sigstore trusts. The pipeline
// reads these credentials (ids from model.Secrets, defaults shown):
//
//   - KUBE_CONFIG-<env>: secret file, the kubeconfig of each environment,
//     bound only in that environment's deploy stages;
//   - REGISTRY_USERNAME and REGISTRY_PASSWORD: secret text, to log in to
//     GHCR (a token with write:packages) or any registry other than ECR;
//     bound only around the steps that log in;
//   - cosign-key (secret file) and cosign-key-password (secret text):
//     the cosign key pair's private key and its password, when the spec
//     signs without a key reference; with a reference (sign: {key:
//     "awskms://..."}) cosign uses that key with the agent's credentials;
//   - AWS_REGION: secret text, only for an AWS KMS key when the registry is
//     not on ECR.
//
// ECR is reached with the agent's own AWS credentials (an EC2 instance
// profile, EKS IRSA or an ECS task role), which the AWS CLI finds by
// itself: no long-lived key is stored in Jenkins. That role needs ECR push
// (and kms:Sign and kms:GetPublicKey for a KMS signing key); run the
// builds of untrusted pull requests on agents without it. AWS_ROLE_ARN,
// SLACK_WEBHOOK_URL and GITOPS_TOKEN are not used: slackSend uses the
// workspace and token of the Slack plugin's global configuration.
// Registry logins go to a docker configuration private to the step and
// removed when it ends, never to the agent user's ~/.docker.
//
// # Passing images between stages
//
// "Build <service>" pushes <image>:<commit sha> (and <image>:<tag> for a
// release tag) and writes the pushed digest and the commit to
// .release-gen-ci/image/<service>/ in the workspace; scan and sign read the
// files there, and the build stashes them for the deploy stages, which
// unstash them instead of checking the repository out. Scripts read the
// files into DIGEST and SHA themselves: no value passes through Groovy.
// Deploys use <image>:<sha>@<digest> and add the environment's tags after
// the rollout (or Flagger's analysis) and the health check. SBOMs are
// archived as .release-gen-ci/sbom/<service>/sbom.spdx.json.
//
// # Safety
//
// Every string in the Jenkinsfile is a single-quoted Groovy literal (see
// quote): nothing is interpolated, and \u escapes in data stay text. No
// spec data is written into a comment. Shell steps run only constant
// scripts (those of targets/internal/shell and this package's, run by
// bash); spec values reach them through withEnv entries and credentials
// only, and the scripts quote every expansion.
//
// Each distinct script is written once, after the pipeline block, as a
// field of the script class (@Field final String deployScript = ...), and
// steps run it by name: sh(label: 'Deploy', script: deployScript). The
// names come from the step labels. A service's stages differ only in
// their withEnv entries, so the file grows by a few KB per service rather
// than by the scripts' length, and the scripts stay out of the method the
// pipeline block compiles into.
//
// # Limits
//
// Unless the controller enables script splitting, Declarative Pipeline
// compiles the whole pipeline block into one JVM method, which may not
// exceed 64 KB of bytecode ("Method too large"); every stage, matrix cell,
// step and withEnv entry adds to it, and a controller with default
// settings loads pipelines of about 6 to 10 services. The target estimates
// the method's size construct by construct (methodsize.go) and refuses a
// Jenkinsfile whose estimate, plus a 15% margin, is over the limit, with an
// output-size error naming the controller's system property
// org.jenkinsci.plugins.pipeline.modeldefinition.parser.RuntimeASTTransformer.SCRIPT_SPLITTING_TRANSFORMATION=true,
// which lifts the limit; a spec whose controller sets it says so with
// jenkins: {scriptSplitting: true}. The estimate assumes Declarative
// Pipeline 1.8 or later, which builds a matrix's stages once instead of
// once per cell. The Jenkinsfile declares no local variables (its scripts
// are @Field fields), as that mode requires.
//
// Whatever the controller's settings, the script is one class, whose
// constant pool holds at most 65,535 entries ("Class too large"), two per
// distinct string literal at least: a Jenkinsfile whose literals need more
// is refused with an output-size error (see classlimit.go), at about 2,000
// services.
package jenkins
