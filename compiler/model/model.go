// Package model is the typed, immutable form of a compiled release spec.
//
// The compiler builds a *Release from the unified CUE value, with every
// default applied and every semantic check passed; targets read it and
// never see CUE. Slices keep the spec's order (or a documented sorted
// order), so that rendering is deterministic. Nothing in a Release may be
// modified after the compiler returns it.
package model

import "cuelang.org/go/cue/token"

// Positions records where each field of a node was written, keyed by the
// field's name in the spec ("maxWeight", "dependsOn", ...).
type Positions map[string]token.Pos

// Of returns the position of field name, or fallback when the field was not
// written by the user (a default).
func (p Positions) Of(name string, fallback token.Pos) token.Pos {
	if pos, ok := p[name]; ok && pos.IsValid() {
		return pos
	}
	return fallback
}

// Release is a compiled release spec.
type Release struct {
	Pos token.Pos
	// SpecFile is the spec's main file, relative to the spec directory and
	// slash-separated ("release.cue"); generated headers name it.
	SpecFile string
	// Generator is the release-gen version that compiled the spec.
	Generator string

	Name     string
	Registry Registry
	// Branch is the release branch: deploys run only from it.
	Branch string
	// Targets are the selected targets, in the order the spec lists them,
	// narrowed by --target.
	Targets []string
	// SpecTargets are the targets the spec selects, before --target
	// narrows them (an ecr target skipped for a non-ECR registry is left
	// out), for outputs that depend on the whole set of generated files.
	SpecTargets []string

	// Services are in deploy order: by wave, then by name within a wave.
	Services []*Service
	// MatrixVersions is the top-level matrix.versions, nil when unset; each
	// Service carries the versions that apply to it.
	MatrixVersions []string
	// Platforms are the image platforms, e.g. "linux/amd64".
	Platforms []string
	Caches    Caches
	// Retention is the top-level retention list; each Service carries the
	// list that applies to it.
	Retention []*RetentionRule
	// Canary is the top-level canary, nil when the spec has none.
	Canary *Canary
	// Environments are in promotion order: the spec's declaration order.
	Environments []*Environment
	Security     Security
	Renovate     Renovate
	Notify       Notify
	Secrets      Secrets
	// GitAttributes asks build to mark generated files in .gitattributes.
	GitAttributes bool
	// Jenkins describes the Jenkins controller.
	Jenkins Jenkins
	// Drift configures the drift job every CI target carries.
	Drift Drift

	// Plan is the target-neutral pipeline that every CI target renders.
	Plan *Plan

	Fields Positions
}

// HasTarget reports whether the release selects target name.
func (r *Release) HasTarget(name string) bool {
	for _, t := range r.Targets {
		if t == name {
			return true
		}
	}
	return false
}

// Service returns the service called name, or nil.
func (r *Release) Service(name string) *Service {
	for _, s := range r.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Image returns the image repository of a service: registry + "/" + name.
func (r *Release) Image(s *Service) string { return r.Registry.Host + "/" + s.Name }

// RegistryKind classifies the registry host, which decides how CI logs in.
type RegistryKind string

// Registry kinds.
const (
	RegistryECR   RegistryKind = "ecr"   // <account>.dkr.ecr.<region>.amazonaws.com
	RegistryGHCR  RegistryKind = "ghcr"  // ghcr.io/<owner>
	RegistryOther RegistryKind = "other" // any other OCI registry, login with username/password secrets
)

// Registry is where images are pushed.
type Registry struct {
	Pos token.Pos
	// Host is the image repository prefix as written, e.g.
	// "123456789012.dkr.ecr.us-east-1.amazonaws.com" or "ghcr.io/acme".
	Host string
	Kind RegistryKind
	// Server is the registry's host name without any path.
	Server string
	// Region is the AWS region of an ECR registry.
	Region string
}

// Toolchain is what a language preset contributes to a service.
type Toolchain struct {
	// Language is node, go, python, java or generic.
	Language string
	// Image is the container image family tests run in ("node", "golang").
	Image string
	// LockFile is the file the dependency cache is keyed on, relative to
	// the service path; empty for generic.
	LockFile string
	// CachePaths are the package manager's cache directories (may start with "~/").
	CachePaths []string
}

// Service is one deployable service.
type Service struct {
	Pos       token.Pos
	Name      string
	Toolchain Toolchain
	// Versions are the toolchain versions tests run on, at least one.
	Versions []string
	// Path is the build context and working directory, relative to the repo
	// root, slash-separated, "." for the root.
	Path   string
	Port   int
	Health string
	// Test and Build are shell commands run in Path.
	Test  string
	Build string
	// Dockerfile is the Dockerfile path relative to the repo root.
	Dockerfile string
	TestSplit  *TestSplit
	// DependsOn lists the services that must be deployed first, sorted.
	DependsOn []Ref
	// Wave is the deploy wave: 0 for services without dependencies.
	Wave int
	// Canary is the service's effective canary (top-level merged with the
	// service's override), nil for a plain rolling deploy.
	Canary *Canary
	// Retention is the service's effective retention list.
	Retention []*RetentionRule
	Fields    Positions
}

// Ref is a reference to another named node, with the position where it was written.
type Ref struct {
	Name string
	Pos  token.Pos
}

// TestSplit splits a service's tests across parallel workers.
type TestSplit struct {
	Pos token.Pos
	// Glob selects the test files, relative to the service path.
	Glob        string
	Parallelism int
}

// Caches configures build caches.
type Caches struct {
	Dependencies bool
	Docker       bool
	// Paths are extra paths to cache, keyed on the lockfile.
	Paths []string
}

// RetentionRule is one image retention rule. Exactly one selector
// (TagPatterns, TagPrefixes, Untagged, Any) and one action field is set.
type RetentionRule struct {
	Pos         token.Pos
	Description string

	TagPatterns []string
	TagPrefixes []string
	Untagged    bool
	Any         bool

	Keep                     int
	ExpireAfterDays          int
	ArchiveAfterUnpulledDays int
	ExpireArchivedAfterDays  int

	Fields Positions
}

// Canary configures progressive delivery with Flagger.
type Canary struct {
	Pos      token.Pos
	Provider string
	// Interval is the analysis interval, e.g. "1m".
	Interval    string
	Threshold   int
	MaxWeight   int
	StepWeight  int
	SuccessRate float64
	// MaxLatency is the p99 request duration limit in milliseconds.
	MaxLatency int
	LoadTest   *LoadTest
	Fields     Positions
}

// Steps returns the number of traffic steps, MaxWeight / StepWeight.
func (c *Canary) Steps() int {
	if c.StepWeight <= 0 {
		return 0
	}
	return c.MaxWeight / c.StepWeight
}

// LoadTest is the Flagger load-tester webhook.
type LoadTest struct {
	Pos token.Pos
	URL string
	// Cmd may contain "{service}", replaced by the service name.
	Cmd     string
	Timeout string
	Fields  Positions
}

// Environment is a deploy target; environments are promoted through in order.
type Environment struct {
	Pos       token.Pos
	Name      string
	Namespace string
	// Approval gates the environment behind one human approval per run.
	Approval bool
	// TagPrefix prefixes the tags added when an image is deployed here.
	TagPrefix string
	// URL, when set, is shown on the platform's deployment page.
	URL    string
	Fields Positions
}

// Security is the supply-chain policy applied to every image.
type Security struct {
	Scan     *Scan     // nil: no scan
	SBOM     bool      // syft SPDX JSON, kept as an artifact
	Sign     *Sign     // nil: images are not signed
	Licenses *Licenses // nil: no license gate
}

// Scan is the trivy image scan.
type Scan struct {
	Pos token.Pos
	// Severity is the exact list of severities that are reported (and fail
	// the build when FailBuild is set), e.g. ["HIGH", "CRITICAL"].
	Severity  []string
	FailBuild bool
}

// Sign configures cosign. An empty Key means keyless signing where the CI
// has an OIDC identity and the "cosign-key" credential elsewhere.
type Sign struct {
	Pos token.Pos
	Key string
}

// Licenses is the SBOM license gate.
type Licenses struct {
	Pos  token.Pos
	Deny []string
}

// Renovate configures dependency updates.
type Renovate struct {
	Pos                      token.Pos
	Automerge                []string
	AutomergeDevDependencies bool
	Schedule                 []string
	Timezone                 string
	PRConcurrentLimit        int
	Fields                   Positions
}

// Jenkins describes the Jenkins controller that runs the Jenkinsfile.
type Jenkins struct {
	// ScriptSplitting is set when the controller splits the pipeline
	// block into several methods (SCRIPT_SPLITTING_TRANSFORMATION).
	ScriptSplitting bool
}

// Notify configures failure announcements.
type Notify struct {
	Slack *Slack
}

// Slack announces pipeline events in a channel.
type Slack struct {
	Pos     token.Pos
	Channel string
	// On lists the events announced: "failure", "success".
	On []string
}

// Announces reports whether event is announced.
func (s *Slack) Announces(event string) bool {
	if s == nil {
		return false
	}
	for _, e := range s.On {
		if e == event {
			return true
		}
	}
	return false
}

// Secrets are the names under which each platform's secret store holds the
// credentials; the spec may rename them.
type Secrets struct {
	// AWSRoleARN is the IAM role assumed through OIDC (ECR, GitHub/GitLab/CircleCI).
	AWSRoleARN string
	// AWSRegion overrides the region parsed from an ECR registry.
	AWSRegion string
	// KubeConfig holds a kubeconfig for the cluster of each environment.
	KubeConfig string
	// SlackWebhook is the Slack incoming-webhook URL.
	SlackWebhook string
	// RegistryUsername and RegistryPassword log in to a non-ECR, non-GHCR registry.
	RegistryUsername string
	RegistryPassword string
	// CosignKey is the credential holding a cosign private key where no
	// keyless identity exists (Jenkins).
	CosignKey string
	// GitOpsToken may push to the GitOps repository from promote jobs.
	GitOpsToken string
}

// Drift configures the drift job.
type Drift struct {
	// Install is the `go run` module path and version of release-gen used
	// by the drift job, e.g. "release-gen.dev/release-gen/cmd/release-gen@v0.1.0".
	Install string
	// Dir is the spec directory relative to the repo root.
	Dir string
	// Out is the output directory relative to the repo root.
	Out string
}

// Dirs returns the spec and output directories as the drift job passes
// them to release-gen: "." for the repository root, and the output
// directory the spec's own when it is not set.
func (d Drift) Dirs() (spec, out string) {
	spec, out = d.Dir, d.Out
	if spec == "" {
		spec = "."
	}
	if out == "" {
		out = spec
	}
	return spec, out
}
