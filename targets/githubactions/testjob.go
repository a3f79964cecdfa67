package githubactions

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"release-gen.dev/release-gen/targets/internal/shell"

	"release-gen.dev/release-gen/compiler/model"
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

// testWorkflow builds release-test.yml: a service's tests, once per
// toolchain version and shard (the matrix input, as JSON). Steps that only
// some services take (Node.js set-up, the dependency cache, a test split)
// run on a condition on the inputs that carry their values; a test
// container is used when the container-image input is set.
func (g *gen) testWorkflow(pjs []*model.Job) (*called, error) {
	c := newCalled(model.JobTest, pjs)
	path := c.key("path", "directory of the service: the tests run in it")
	matrix := c.input("matrix", "string", "the strategy.matrix, as JSON: version (toolchain versions) and, for split tests, shard (0, 1, ...)")
	command := c.input("test-command", "string", "the service's test command (bash)")
	setupNode := c.input("setup-node", "boolean", "set up Node.js in the matrix version")
	image := c.input("container-image", "string", "image the tests run in, tagged with the matrix version; empty: on the runner")
	suffix := c.input("container-tag-suffix", "string", "what the image's tags take after the version")
	cachePaths := c.input("cache-paths", "string", "paths to cache, one a line")
	cacheKey := c.input("cache-key", "string", "start of the cache key; empty: no cache")
	lockFile := c.input("lock-file", "string", "lockfile the cache is keyed on")
	glob := c.input("test-glob", "string", "glob of the test files to split across shards; empty: no split")
	shards := c.input("shards", "number", "number of shards the test files are split into")
	var nodes, containers, caches, splits = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, pj := range pjs {
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
		m, err := matrixJSON(versions, pj.Shards)
		if err != nil {
			return nil, fmt.Errorf("internal error: github: test job %s: %w", pj.ID, err)
		}
		id := pj.ID
		path.set(id, svc.Path)
		matrix.set(id, m)
		command.set(id, svc.Test)
		nodes[id] = svc.Toolchain.Language == "node"
		if img, sfx, ok := containerImage(svc.Toolchain); ok && !nodes[id] {
			containers[id] = true
			image.set(id, img)
			if sfx != "" {
				suffix.set(id, sfx)
			}
		}
		if paths, key, lock, ok := g.cache(svc); ok {
			caches[id] = true
			cachePaths.set(id, paths)
			cacheKey.set(id, key)
			lockFile.set(id, lock)
		}
		if ts := svc.TestSplit; ts != nil && pj.Shards > 1 {
			splits[id] = true
			glob.set(id, ts.Glob)
			shards.set(id, pj.Shards)
		}
	}
	j := &job{
		Timeout:     30,
		Permissions: perms{}.with("contents", "read"),
		Strategy:    obj("fail-fast", false, "matrix", expr("${{ fromJSON(inputs.matrix) }}")),
		Steps:       []step{checkout()},
	}
	if cond, ok := c.when(nodes, "inputs.setup-node"); ok {
		if cond != "" {
			for _, id := range c.callers {
				setupNode.set(id, nodes[id])
			}
		}
		j.Steps = append(j.Steps, step{
			Name: "Set up Node.js",
			If:   cond,
			Uses: &actSetupNode,
			With: obj("node-version", expr("${{ matrix.version }}")),
		})
	}
	if cond, ok := c.when(containers, "inputs.container-image != ''"); ok {
		tag := "inputs.container-image, matrix.version"
		format := "{0}:{1}"
		if suffix.declared() {
			tag += ", inputs.container-tag-suffix"
			format += "{2}"
		}
		ref := expr("${{ format('" + format + "', " + tag + ") }}")
		if cond != "" {
			// An image that evaluates to "" runs the job on the runner.
			ref = expr("${{ inputs.container-image != '' && format('" + format + "', " + tag + ") || '' }}")
		}
		j.Container = obj("image", ref)
	}
	if cond, ok := c.when(caches, "inputs.cache-key != ''"); ok {
		prefix := cacheKey.ref() + "-${{ matrix.version }}-"
		j.Steps = append(j.Steps, step{
			Name: "Cache dependencies",
			If:   cond,
			Uses: &actCache,
			With: obj(
				"path", expr(cachePaths.ref()),
				"key", expr(prefix+"${{ hashFiles(inputs.lock-file) }}"),
				"restore-keys", expr(prefix),
			),
		})
	}
	plain := step{Name: "Test", WorkDir: expr(path.ref()), Env: env("TEST_COMMAND", expr(command.ref())), Run: shell.RunTest}
	split := step{
		Name:    "Test",
		WorkDir: expr(path.ref()),
		Env: env(
			"TEST_COMMAND", expr(command.ref()),
			"TEST_GLOB", expr(glob.ref()),
			"TEST_SHARD", expr("${{ matrix.shard }}"),
			"TEST_SHARDS", expr(shards.ref()),
		),
		Run: shell.Prelude + shell.Shard + shell.RunTest,
	}
	switch cond, ok := c.when(splits, "inputs.test-glob != ''"); {
	case !ok:
		j.Steps = append(j.Steps, plain)
	case cond == "":
		j.Steps = append(j.Steps, split)
	default:
		split.If, plain.If = cond, "inputs.test-glob == ''"
		j.Steps = append(j.Steps, split, plain)
	}
	c.job = j
	return c, nil
}

// matrixJSON is a test job's strategy.matrix as JSON: the toolchain
// versions, and the shard numbers when the tests are split.
func matrixJSON(versions []string, shards int) (string, error) {
	m := struct {
		Version []string `json:"version"`
		Shard   []int    `json:"shard,omitempty"`
	}{Version: versions}
	if shards > 1 {
		for i := range shards {
			m.Shard = append(m.Shard, i)
		}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// cache returns what the dependency cache of a service's tests is made of:
// the package manager's directories and the spec's extra paths (one a
// line), the start of the key (per toolchain version, the key goes on
// with the version and the lockfile's hash) and the lockfile. ok is false
// when the service has no cache.
func (g *gen) cache(svc *model.Service) (paths, key, lock string, ok bool) {
	t := svc.Toolchain
	if !g.m.Caches.Dependencies || len(t.CachePaths) == 0 || t.LockFile == "" {
		return "", "", "", false
	}
	all := append(append([]string{}, t.CachePaths...), g.m.Caches.Paths...)
	return strings.Join(all, "\n") + "\n", svc.Name + "-" + t.Language, path.Join(svc.Path, t.LockFile), true
}
