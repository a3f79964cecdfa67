package githubactions

import (
	"fmt"
	"path"
	"strings"

	"release-gen.dev/release-gen/targets/internal/shell"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// containerImage returns the official image tests of a service run in, for
// the languages that have no pinned setup action here, and the suffix its
// tags take after the version ("golang:1.24", "eclipse-temurin:21-jdk").
// Node uses actions/setup-node; generic services use the runner as it is.
func containerImage(t model.Toolchain) (image, suffix string, ok bool) {
	defaults := map[string]string{"go": "golang", "python": "python", "java": "eclipse-temurin"}
	def, known := defaults[t.Language]
	if !known {
		return "", "", false
	}
	image = t.Image
	if image == "" {
		image = def
	}
	if image == "eclipse-temurin" {
		suffix = "-jdk"
	}
	return image, suffix, true
}

// testJob runs a service's tests once per toolchain version and shard.
func (g *gen) testJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil {
		return nil, fmt.Errorf("internal error: github: test job %s has no service", pj.ID)
	}
	versions := pj.Versions
	if len(versions) == 0 {
		versions = svc.Versions
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("internal error: github: test job %s has no toolchain version", pj.ID)
	}
	matrix := obj("version", flowStrs(versions...))
	if pj.Shards > 1 {
		shards := yamlenc.Seq()
		for i := range pj.Shards {
			shards.Content = append(shards.Content, yamlenc.Int(i))
		}
		set(matrix, "shard", yamlenc.Flow(shards))
	}
	j := &job{
		Timeout:     30,
		Permissions: perms{}.with("contents", "read"),
		Strategy:    obj("fail-fast", false, "matrix", matrix),
		Steps:       []step{checkout()},
	}
	lang := svc.Toolchain.Language
	if lang == "node" {
		j.Steps = append(j.Steps, step{
			Name: "Set up Node.js",
			Uses: &actSetupNode,
			With: obj("node-version", expr("${{ matrix.version }}")),
		})
	} else if image, suffix, ok := containerImage(svc.Toolchain); ok {
		j.Container = obj("image", expr(literal(image)+":${{ matrix.version }}"+suffix))
	}
	if c := g.cacheStep(svc); c != nil {
		j.Steps = append(j.Steps, *c)
	}
	j.Steps = append(j.Steps, testStep(svc, pj.Shards))
	return j, nil
}

// cacheStep caches the package manager's directories (and the spec's extra
// paths), keyed on the service's lockfile, per toolchain version.
func (g *gen) cacheStep(svc *model.Service) *step {
	t := svc.Toolchain
	if !g.m.Caches.Dependencies || len(t.CachePaths) == 0 || t.LockFile == "" {
		return nil
	}
	paths := append(append([]string{}, t.CachePaths...), g.m.Caches.Paths...)
	prefix := literal(svc.Name+"-"+t.Language) + "-${{ matrix.version }}-"
	lock := path.Join(svc.Path, t.LockFile)
	return &step{
		Name: "Cache dependencies",
		Uses: &actCache,
		With: obj(
			"path", strings.Join(paths, "\n")+"\n",
			"key", expr(prefix+"${{ hashFiles("+exprString(lock)+") }}"),
			"restore-keys", expr(prefix),
		),
	}
}

// testStep runs the service's test command in its directory. With a test
// split, it first selects this shard's files; see shell.Shard.
func testStep(svc *model.Service, shards int) step {
	s := step{Name: "Test", WorkDir: svc.Path, Env: env("TEST_COMMAND", svc.Test), Run: shell.RunTest}
	if ts := svc.TestSplit; ts != nil && shards > 1 {
		s.Env = env(
			"TEST_COMMAND", svc.Test,
			"TEST_GLOB", ts.Glob,
			"TEST_SHARD", expr("${{ matrix.shard }}"),
			"TEST_SHARDS", itoa(shards),
		)
		s.Run = shell.Prelude + shell.Shard + shell.RunTest
	}
	return s
}
