package githubactions

import (
	"slices"

	"release-gen.dev/release-gen/compiler/model"
)

// This file builds model fixtures the way the compiler does, including the
// plan, so that the target is tested on realistic input without CUE.

// svcOpts describes a fixture service.
type svcOpts struct {
	name, lang, path  string
	versions          []string
	dependsOn         []string
	test, build, glob string
	shards            int
	noCanary          bool
	health            string
	port              int
}

// toolchains are the language presets as the compiler fills them in.
var toolchains = map[string]model.Toolchain{
	"node":    {Language: "node", Image: "node", LockFile: "package-lock.json", CachePaths: []string{"~/.npm"}},
	"go":      {Language: "go", Image: "golang", LockFile: "go.sum", CachePaths: []string{"~/go/pkg/mod", "~/.cache/go-build"}},
	"python":  {Language: "python", Image: "python", LockFile: "requirements.txt", CachePaths: []string{"~/.cache/pip"}},
	"java":    {Language: "java", Image: "eclipse-temurin", LockFile: "pom.xml", CachePaths: []string{"~/.m2/repository"}},
	"generic": {Language: "generic"},
}

func newService(o svcOpts, canary *model.Canary, wave int) *model.Service {
	s := &model.Service{
		Name:       o.name,
		Toolchain:  toolchains[o.lang],
		Versions:   o.versions,
		Path:       o.path,
		Port:       o.port,
		Health:     o.health,
		Test:       o.test,
		Build:      o.build,
		Dockerfile: o.path + "/Dockerfile",
		Wave:       wave,
		Canary:     canary,
	}
	if o.path == "." {
		s.Dockerfile = "Dockerfile"
	}
	if s.Port == 0 {
		s.Port = 8080
	}
	if s.Health == "" {
		s.Health = "/health"
	}
	if o.noCanary {
		s.Canary = nil
	}
	if o.glob != "" {
		s.TestSplit = &model.TestSplit{Glob: o.glob, Parallelism: o.shards}
	}
	for _, d := range o.dependsOn {
		s.DependsOn = append(s.DependsOn, model.Ref{Name: d})
	}
	return s
}

// buildPlan computes the plan as the compiler does: drift; test-X; build-X
// (needs test-X, drift); scan-X (needs build-X); sign-X (needs scan-X or
// build-X); then per environment in order: approve-<env> (needs every
// deploy of the previous environment, or every service's last supply-chain
// job) and deploy-X-<env> (needs X's last supply-chain job, the deploys of
// its dependencies in the same environment, the approval, and X's deploy to
// the previous environment).
func buildPlan(m *model.Release) *model.Plan {
	p := &model.Plan{}
	add := func(j *model.Job) { p.Jobs = append(p.Jobs, j) }
	add(&model.Job{ID: "drift", Kind: model.JobDrift, On: model.OnAll})
	for _, s := range m.Services {
		shards := 1
		if s.TestSplit != nil && s.TestSplit.Parallelism > 1 {
			shards = s.TestSplit.Parallelism
		}
		add(&model.Job{ID: "test-" + s.Name, Kind: model.JobTest, Service: s, Versions: s.Versions, Shards: shards, On: model.OnAll})
	}
	last := map[string]string{}
	for _, s := range m.Services {
		add(&model.Job{ID: "build-" + s.Name, Kind: model.JobBuild, Service: s,
			Needs: []string{"test-" + s.Name, "drift"}, On: model.OnPublish})
		last[s.Name] = "build-" + s.Name
	}
	sec := m.Security
	if sec.Scan != nil || sec.SBOM || sec.Licenses != nil {
		for _, s := range m.Services {
			add(&model.Job{ID: "scan-" + s.Name, Kind: model.JobScan, Service: s, Needs: []string{last[s.Name]}, On: model.OnPublish})
			last[s.Name] = "scan-" + s.Name
		}
	}
	if sec.Sign != nil {
		for _, s := range m.Services {
			add(&model.Job{ID: "sign-" + s.Name, Kind: model.JobSign, Service: s, Needs: []string{last[s.Name]}, On: model.OnPublish})
			last[s.Name] = "sign-" + s.Name
		}
	}
	var prev *model.Environment
	for _, e := range m.Environments {
		if e.Approval {
			var needs []string
			for _, s := range m.Services {
				if prev != nil {
					needs = append(needs, "deploy-"+s.Name+"-"+prev.Name)
				} else {
					needs = append(needs, last[s.Name])
				}
			}
			add(&model.Job{ID: "approve-" + e.Name, Kind: model.JobApprove, Env: e, Needs: needs, On: model.OnDeploy})
		}
		for _, s := range m.Services {
			needs := []string{last[s.Name]}
			for _, d := range s.DependsOn {
				needs = append(needs, "deploy-"+d.Name+"-"+e.Name)
			}
			if e.Approval {
				needs = append(needs, "approve-"+e.Name)
			}
			if prev != nil {
				needs = append(needs, "deploy-"+s.Name+"-"+prev.Name)
			}
			add(&model.Job{ID: "deploy-" + s.Name + "-" + e.Name, Kind: model.JobDeploy, Service: s, Env: e, Needs: needs, On: model.OnDeploy})
		}
		prev = e
	}
	waves := map[int][]string{}
	maxWave := 0
	for _, s := range m.Services {
		waves[s.Wave] = append(waves[s.Wave], s.Name)
		maxWave = max(maxWave, s.Wave)
	}
	for w := 0; w <= maxWave; w++ {
		p.Waves = append(p.Waves, slices.Sorted(slices.Values(waves[w])))
	}
	return p
}

var allTargets = []string{"github", "gitlab", "jenkins", "circleci", "ecr", "flagger", "renovate"}

func shopCanary() *model.Canary {
	return &model.Canary{
		Provider: "istio", Interval: "1m", Threshold: 5, MaxWeight: 50, StepWeight: 10,
		SuccessRate: 99, MaxLatency: 500,
		LoadTest: &model.LoadTest{URL: "http://flagger-loadtester.test/", Cmd: "hey -z 1m -q 10 http://{service}-canary/", Timeout: "5s"},
	}
}

// shopRelease is the example spec of SPEC.md: four node services on ECR,
// canary deploys (worker rolls out plainly), staging then production
// behind an approval, the full supply chain, Slack on failure.
func shopRelease() *model.Release {
	canary := shopCanary()
	node := func(o svcOpts) svcOpts {
		o.lang, o.versions = "node", []string{"18", "20", "22"}
		o.path = "services/" + o.name
		o.test, o.build = "npm ci && npm test", "npm run build"
		return o
	}
	m := &model.Release{
		SpecFile:  "release.cue",
		Generator: "v0.1.0",
		Name:      "shop",
		Registry: model.Registry{
			Host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", Kind: model.RegistryECR,
			Server: "123456789012.dkr.ecr.us-east-1.amazonaws.com", Region: "us-east-1",
		},
		Branch:  "main",
		Targets: allTargets,
		Services: []*model.Service{
			newService(node(svcOpts{name: "auth", glob: "test/**/*.js", shards: 4}), canary, 0),
			newService(node(svcOpts{name: "api", dependsOn: []string{"auth"}}), canary, 1),
			newService(node(svcOpts{name: "frontend", dependsOn: []string{"api"}}), canary, 2),
			newService(node(svcOpts{name: "worker", dependsOn: []string{"api"}, noCanary: true}), canary, 2),
		},
		Platforms: []string{"linux/amd64", "linux/arm64"},
		Caches:    model.Caches{Dependencies: true, Docker: true},
		Canary:    canary,
		Environments: []*model.Environment{
			{Name: "staging", Namespace: "staging", TagPrefix: "staging-"},
			{Name: "production", Namespace: "production", Approval: true, TagPrefix: "prod-", URL: "https://shop.example.com"},
		},
		Security: model.Security{
			Scan:     &model.Scan{Severity: []string{"HIGH", "CRITICAL"}, FailBuild: true},
			SBOM:     true,
			Sign:     &model.Sign{},
			Licenses: &model.Licenses{Deny: []string{"GPL-3.0", "AGPL-3.0"}},
		},
		Notify: model.Notify{Slack: &model.Slack{Channel: "#releases", On: []string{"failure"}}},
		Secrets: model.Secrets{
			AWSRoleARN: "AWS_ROLE_ARN", AWSRegion: "AWS_REGION", KubeConfig: "KUBE_CONFIG",
			SlackWebhook: "SLACK_WEBHOOK_URL", RegistryUsername: "REGISTRY_USERNAME",
			RegistryPassword: "REGISTRY_PASSWORD", CosignKey: "cosign-key", GitOpsToken: "GITOPS_TOKEN",
		},
		Drift: model.Drift{Install: "release-gen.dev/release-gen/cmd/release-gen@v0.1.0", Dir: "."},
	}
	for _, s := range m.Services {
		s.Retention = m.Retention
	}
	m.Plan = buildPlan(m)
	return m
}

// ghcrRelease covers the other toolchains and options: GHCR, go, python,
// java and generic services, one platform, plain rolling deploys, a scan
// that only reports, signing with a KMS key, no SBOM, extra cache paths,
// no docker cache, Slack on success and failure, a spec in a subdirectory.
func ghcrRelease() *model.Release {
	m := &model.Release{
		SpecFile:  "release.cue",
		Generator: "v0.1.0",
		Name:      "acme",
		Registry:  model.Registry{Host: "ghcr.io/acme", Kind: model.RegistryGHCR, Server: "ghcr.io"},
		Branch:    "trunk",
		Targets:   []string{"github", "ecr"},
		Services: []*model.Service{
			newService(svcOpts{name: "api", lang: "go", path: ".", versions: []string{"1.24", "1.25"}, test: "go test ./...", build: "go build ./..."}, nil, 0),
			newService(svcOpts{name: "billing", lang: "java", path: "billing", versions: []string{"21"}, test: "./mvnw -B verify", dependsOn: []string{"api"}}, nil, 1),
			newService(svcOpts{name: "tools", lang: "generic", path: "tools", versions: []string{"stable"}, test: "make test"}, nil, 1),
			newService(svcOpts{name: "worker", lang: "python", path: "worker", versions: []string{"3.12", "3.13"}, test: "pip install -r requirements.txt\npytest -q\n", build: "python -m compileall .", port: 9000, health: "/healthz", dependsOn: []string{"api"}}, nil, 1),
		},
		Platforms: []string{"linux/amd64"},
		Caches:    model.Caches{Dependencies: true, Paths: []string{".cache/extra"}},
		Environments: []*model.Environment{
			{Name: "dev", Namespace: "acme-dev", TagPrefix: "dev-"},
			{Name: "prod", Namespace: "acme", Approval: true, TagPrefix: "prod-", URL: "https://acme.example.com"},
		},
		Security: model.Security{
			Scan: &model.Scan{Severity: []string{"CRITICAL"}},
			Sign: &model.Sign{Key: "awskms:///arn:aws:kms:us-east-1:123456789012:alias/cosign"},
		},
		Notify: model.Notify{Slack: &model.Slack{Channel: "#deploys", On: []string{"failure", "success"}}},
		Drift:  model.Drift{Install: "release-gen.dev/release-gen/cmd/release-gen@v0.1.0", Dir: "deploy/spec"},
	}
	m.Plan = buildPlan(m)
	return m
}

// Hostile values: each holds shell, YAML and GitHub expression syntax that
// must reach its destination as plain data. Commands are valid shell that
// shellcheck accepts, since they are run as written.
const (
	hostileTest = "printf '%s\\n' \"it's\" 'say \"hi\"' \"\\$VAR\" \"\\$(id)\" \"\\`id\\`\" '\\u0027' '# not a comment' 'key: value' '${{ github.token }}' '{{ .x }}' '*' '&' '!' '- item'\n" +
		"echo \"second line: ${HOME}\" # a real comment\n"
	hostileBuild  = "echo \"build ${{ secrets.GITHUB_TOKEN }}\" > 'out put.txt'\n"
	hostilePath   = "svc/it's \"x\" $(id) `id` #a: b ${{ github.token }} {{ .y }} & * !"
	hostileGlob   = "test/**/*'$(id)'`id`${{ github.token }}.js"
	hostileHealth = "/health?a='1'&b=\"$(id)\"#${{ github.token }}"
	hostileNS     = "ns-$(id)-'x'-${{ github.token }}"
	hostileURL    = "https://example.com/?q=${{ github.token }}&x='\"$(id)\""
	hostileSlack  = "#rel'eases \"$(id)\" ${{ secrets.SLACK_WEBHOOK_URL }}\nline2"
	hostileKey    = "awskms:///arn'$(id)\"${{ github.token }}"
	hostileDeny   = "GPL-3.0-$(id)'\"${{ github.token }}"
	hostileCache  = "~/.cache/it's $(id) ${{ github.token }}"
	hostileDrift  = "example.com/x/cmd/y@v1 $(id) '${{ github.token }}'"
	hostileDir    = "spec dir/'$(id)' ${{ github.token }}"
	hostileBranch = "release/it's-\"x\"-+!-$(id)-{{x}}}}-$"
	hostileSev    = "HIGH'$(id)${{ github.token }}"
	hostilePlat   = "linux/amd64'$(id)${{ github.token }}"
	hostileVer    = "20'$(id)\"${{ github.token }}"
	hostileReg    = "registry.example.com/te'am${{ github.token }}"
)

// hostileRelease puts hostile data everywhere the spec reaches the
// workflows, with a registry that logs in with username and password.
func hostileRelease() *model.Release {
	m := &model.Release{
		SpecFile:  "release.cue",
		Generator: "v0.1.0",
		Name:      "evil",
		Registry:  model.Registry{Host: hostileReg, Kind: model.RegistryOther, Server: "registry.example.com"},
		Branch:    hostileBranch,
		Targets:   []string{"github"},
		Services: []*model.Service{
			newService(svcOpts{name: "web", lang: "node", path: hostilePath, versions: []string{hostileVer},
				test: hostileTest, build: hostileBuild, glob: hostileGlob, shards: 2, health: hostileHealth, port: 3000}, nil, 0),
			newService(svcOpts{name: "jobs", lang: "python", path: hostilePath, versions: []string{hostileVer},
				test: hostileTest, build: hostileBuild, health: hostileHealth, dependsOn: []string{"web"}}, nil, 1),
		},
		Platforms: []string{hostilePlat},
		Caches:    model.Caches{Dependencies: true, Docker: true, Paths: []string{hostileCache}},
		Environments: []*model.Environment{
			{Name: "live", Namespace: hostileNS, Approval: true, TagPrefix: "live-", URL: hostileURL},
		},
		Security: model.Security{
			Scan:     &model.Scan{Severity: []string{hostileSev}, FailBuild: true},
			SBOM:     true,
			Sign:     &model.Sign{Key: hostileKey},
			Licenses: &model.Licenses{Deny: []string{hostileDeny}},
		},
		Notify: model.Notify{Slack: &model.Slack{Channel: hostileSlack, On: []string{"failure"}}},
		Drift:  model.Drift{Install: hostileDrift, Dir: hostileDir},
	}
	m.Services[1].Canary = &model.Canary{Interval: "30s", Threshold: 2, MaxWeight: 20, StepWeight: 10}
	m.Plan = buildPlan(m)
	return m
}
