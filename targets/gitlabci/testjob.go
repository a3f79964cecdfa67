package gitlabci

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// toolchainImage returns the official image a service's tests and build
// command run in, and the suffix its tags take after the version
// ("golang:1.26", "eclipse-temurin:21-jdk").
func toolchainImage(t model.Toolchain) (image, suffix string) {
	image = t.Image
	if image == "" {
		image = map[string]string{"node": "node", "go": "golang", "python": "python", "java": "eclipse-temurin"}[t.Language]
	}
	if image == "" {
		image = "debian"
	}
	if image == "eclipse-temurin" {
		suffix = "-jdk"
	}
	return image, suffix
}

// testJob runs a service's tests once per toolchain version and shard.
// GitLab takes either parallel: N or parallel:matrix, so the shards are a
// second matrix variable, TEST_SHARD, beside VERSION; a job with a single
// run has no matrix and sets VERSION itself.
func (g *gen) testJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil {
		return nil, fmt.Errorf("test job has no service")
	}
	versions := pj.Versions
	if len(versions) == 0 {
		versions = svc.Versions
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("test job has no toolchain version")
	}
	image, suffix := toolchainImage(svc.Toolchain)
	j := &job{
		Stage:   stageTest,
		Image:   image + ":${VERSION}" + suffix,
		Timeout: "30 minutes",
		Script:  []string{`cd -- "$SERVICE_PATH"`},
		Artifacts: yamlenc.Map(
			"when", "always",
			"reports", yamlenc.Map("junit", junitReport(svc.Path)),
		),
		Own: []string{"artifacts"},
	}
	split := svc.TestSplit != nil && pj.Shards > 1
	if pj.Runs() > 1 {
		entry := yamlenc.Map("VERSION", yamlenc.Flow(yamlenc.Strs(versions...)))
		if split {
			shards := make([]string, pj.Shards)
			for i := range shards {
				shards[i] = strconv.Itoa(i)
			}
			yamlenc.Set(entry, "TEST_SHARD", yamlenc.Flow(yamlenc.Strs(shards...)))
		}
		j.Matrix = yamlenc.Seq(entry)
	} else {
		j.Variables = own("VERSION", versions[0])
	}
	j.Variables = append(j.Variables, own("SERVICE_PATH", svc.Path, "TEST_COMMAND", svc.Test)...)
	if split {
		j.Variables = append(j.Variables, own("TEST_GLOB", svc.TestSplit.Glob, "TEST_SHARDS", strconv.Itoa(pj.Shards))...)
		j.Script = append(j.Script, shell.Prelude+shell.Shard)
	}
	j.Script = append(j.Script, shell.RunTest)
	if cache, vars := g.dependencyCache(svc); cache != nil {
		j.Cache = cache
		j.Variables = append(j.Variables, vars...)
	}
	return j, nil
}

// globFree matches paths that GitLab's globs (cache:key:files, artifact
// paths) and variable expansion read as themselves.
var globFree = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// junitReport is where test jobs pick up JUnit XML: any junit*.xml below
// the service's directory. For a path that a glob cannot name literally,
// the pattern covers the whole checkout, where only this job's tests ran.
func junitReport(dir string) string {
	const pattern = "**/junit*.xml"
	if dir == "." || !globFree.MatchString(dir) {
		return pattern
	}
	return strings.TrimSuffix(dir, "/") + "/" + pattern
}

// cacheDirs are the package manager caches a test job keeps, moved inside
// the project directory (GitLab caches only paths there) by the variables
// that point the package manager at them.
var cacheDirs = map[string]struct {
	paths []string
	vars  variables
}{
	"node":   {[]string{".cache/npm"}, variables{ref("npm_config_cache", "$CI_PROJECT_DIR/.cache/npm")}},
	"go":     {[]string{".cache/go/mod", ".cache/go/build"}, variables{ref("GOMODCACHE", "$CI_PROJECT_DIR/.cache/go/mod"), ref("GOCACHE", "$CI_PROJECT_DIR/.cache/go/build")}},
	"python": {[]string{".cache/pip"}, variables{ref("PIP_CACHE_DIR", "$CI_PROJECT_DIR/.cache/pip")}},
	"java":   {[]string{".cache/m2"}, variables{ref("MAVEN_OPTS", "-Dmaven.repo.local=$CI_PROJECT_DIR/.cache/m2")}},
}

// dependencyCache caches the package manager's downloads (and the spec's
// extra paths) per service and toolchain version, keyed on the service's
// lockfile. A lockfile path that GitLab would read as a glob keys the
// cache on the service and version alone.
func (g *gen) dependencyCache(svc *model.Service) (*yaml.Node, variables) {
	t := svc.Toolchain
	dirs, ok := cacheDirs[t.Language]
	if !g.m.Caches.Dependencies || !ok || t.LockFile == "" {
		return nil, nil
	}
	prefix := svc.Name + "-" + t.Language + "-${VERSION}"
	var key *yaml.Node = yamlenc.Str(prefix)
	if lock := path.Join(svc.Path, t.LockFile); globFree.MatchString(lock) {
		key = yamlenc.Map("files", yamlenc.Flow(yamlenc.Strs(lock)), "prefix", prefix)
	}
	paths := append(append([]string{}, dirs.paths...), g.m.Caches.Paths...)
	return yamlenc.Map("key", key, "paths", yamlenc.Strs(paths...)), dirs.vars
}

// driftJob fails when the committed pipeline files are not what the spec
// compiles to, running the release-gen version that generated them.
func (g *gen) driftJob() (*job, error) {
	d := g.m.Drift
	if d.Install == "" {
		return nil, fmt.Errorf("the drift job has no release-gen module to run")
	}
	dir, out := d.Dirs()
	return &job{
		Stage:     stageTest,
		Image:     driftImage,
		Timeout:   "15 minutes",
		Variables: data("RELEASE_GEN", d.Install, "SPEC_DIR", dir, "OUT_DIR", out, "GOTOOLCHAIN", "auto"),
		Script:    []string{`go run "$RELEASE_GEN" check --out="$OUT_DIR" -- "$SPEC_DIR"`},
	}, nil
}
