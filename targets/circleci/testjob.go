package circleci

import (
	"fmt"
	"path"
	"regexp"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// testResults is where a test command may write JUnit XML
// ($TEST_RESULTS_DIR); CircleCI stores it for test insights and timings.
const testResults = "/tmp/test-results"

// versionParam is the test job's parameter that the workflow's matrix
// sets: the toolchain image tag.
const versionParam = tmpl("<< parameters.version >>")

// testJob runs a service's tests in its toolchain image, once per version
// (the workflow's matrix) and, with a test split, in Shards parallel
// containers. Shards are cut by shell.Shard, as on every other CI, from
// CIRCLE_NODE_INDEX and CIRCLE_NODE_TOTAL.
func (g *gen) testJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil {
		return nil, fmt.Errorf("internal error: circleci: test job %s has no service", pj.ID)
	}
	j := &job{
		Params:      obj("version", obj("type", "string", "description", "The "+svc.Toolchain.Language+" image tag")),
		Executor:    g.executor(toolchainExecutor(svc), versionParam),
		Parallelism: pj.Shards,
		Steps:       []*yaml.Node{builtin("checkout")},
	}
	cache := g.cache(svc)
	j.Steps = append(j.Steps, cache.restore...)
	j.Steps = append(j.Steps, testStep(svc, pj.Shards))
	j.Steps = append(j.Steps, cache.save...)
	j.Steps = append(j.Steps, obj("store_test_results", obj("path", testResults)))
	j.Steps = g.finish(j.Steps...)
	return j, nil
}

// testStep runs the test command in the service's directory. With a test
// split it first selects this container's files; see shell.Shard.
func testStep(svc *model.Service, shards int) *yaml.Node {
	e := env("SERVICE_PATH", svc.Path, "TEST_COMMAND", svc.Test, "TEST_RESULTS_DIR", testResults)
	cmd := `cd -- "$SERVICE_PATH"
mkdir -p "$TEST_RESULTS_DIR"
`
	if ts := svc.TestSplit; ts != nil && shards > 1 {
		set(e, "TEST_GLOB", ts.Glob)
		cmd = shell.Prelude + cmd + `export TEST_SHARD="$CIRCLE_NODE_INDEX" TEST_SHARDS="$CIRCLE_NODE_TOTAL"
` + shell.Shard
	}
	return run{Name: "Test", Env: e, Command: cmd + shell.RunTest}.node()
}

// cacheSteps restore a service's dependency cache before its tests and
// save it after them, even when they fail.
type cacheSteps struct{ restore, save []*yaml.Node }

// plainPath is what may stand inside a cache key's checksum template as
// it is: no quote, backslash, brace or "<" that CircleCI's templating
// could read as syntax.
var plainPath = regexp.MustCompile(`^[A-Za-z0-9._/+@-]+$`)

// stagedLockfile is where a lockfile whose path is not plain is copied, so
// that the cache key names only a fixed path.
const stagedLockfile = "/tmp/release-gen-lockfile"

// cache keys the package manager's directories (and the spec's extra
// paths) on the service's lockfile, per service and image tag:
// v1-<service>-<language>-<tag>-{{ checksum "<lockfile>" }}, falling back
// to the newest cache of the same prefix.
func (g *gen) cache(svc *model.Service) cacheSteps {
	t := svc.Toolchain
	if !g.m.Caches.Dependencies || len(t.CachePaths) == 0 || t.LockFile == "" {
		return cacheSteps{}
	}
	lock := path.Join(svc.Path, t.LockFile)
	var c cacheSteps
	if !plainPath.MatchString(lock) {
		c.restore = append(c.restore, run{
			Name:    "Stage the lockfile for the cache key",
			Env:     env("LOCKFILE", lock),
			Command: shell.Prelude + `cp -- "$LOCKFILE" ` + stagedLockfile + ` || fail "the lockfile $LOCKFILE is missing"` + "\n",
		}.node())
		lock = stagedLockfile
	}
	prefix := "v1-" + svc.Name + "-" + t.Language + "-<< parameters.version >>-"
	key := tmpl(prefix + `{{ checksum "` + lock + `" }}`)
	c.restore = append(c.restore, obj("restore_cache", obj("keys", yamlenc.Seq(yamlenc.Str(string(key)), yamlenc.Str(prefix)))))
	paths := append(append([]string{}, t.CachePaths...), g.m.Caches.Paths...)
	c.save = []*yaml.Node{obj("save_cache", obj("key", key, "paths", paths, "when", "always"))}
	return c
}
