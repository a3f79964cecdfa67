package circleci

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// cacheTag is the tag of the BuildKit layer cache each image repository
// keeps (caches.docker): the registry is the cache that survives jobs.
const cacheTag = "buildcache"

// buildJob runs the service's build command in its toolchain image (the
// newest version its tests use), then builds and pushes the image with the
// build-image command.
func (g *gen) buildJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil || len(svc.Versions) == 0 {
		return nil, fmt.Errorf("internal error: circleci: build job %s has no service or no toolchain version", pj.ID)
	}
	tag := imageTag(svc.Toolchain.Language, svc.Versions[len(svc.Versions)-1])
	steps := []*yaml.Node{builtin("checkout")}
	e := env("SERVICE", svc.Name, "IMAGE", g.m.Image(svc))
	if strings.TrimSpace(svc.Build) != "" {
		set(e, "SERVICE_PATH", svc.Path)
		set(e, "BUILD_COMMAND", svc.Build)
		steps = append(steps, run{Name: "Build", Command: `cd -- "$SERVICE_PATH"` + "\n" + shell.RunBuild}.node())
	}
	set(e, "BUILD_CONTEXT", svc.Path)
	set(e, "DOCKERFILE", svc.Dockerfile)
	return &job{
		Executor: g.executor(toolchainExecutor(svc), tag),
		Env:      e,
		Steps:    g.finish(append(steps, g.invoke(cmdBuildImage))...),
	}, nil
}

// buildImageSteps build the image for every platform in one buildx build
// on a remote docker engine and push it as <image>:<commit sha>, plus
// <image>:<tag> for a release tag. The pushed digest goes to the
// workspace, where the scan, sign and deploy jobs read it.
func (g *gen) buildImageSteps() []*yaml.Node {
	steps := append([]*yaml.Node{builtin("setup_remote_docker")}, g.loginSteps()...)
	if needsQEMU(g.m.Platforms) {
		steps = append(steps, run{Name: "Set up QEMU", Command: qemuScript}.node())
	}
	e := env("PLATFORMS", strings.Join(g.m.Platforms, ","))
	if g.m.Caches.Docker {
		set(e, "CACHE_TAG", cacheTag)
	}
	return append(steps,
		run{Name: "Build and push the image", Env: e, Command: shell.Prelude + buildScript}.node(),
		persist("digests"),
	)
}

// needsQEMU reports whether a platform other than the engine's own
// (linux/amd64) is built, which needs emulation.
func needsQEMU(platforms []string) bool {
	for _, p := range platforms {
		if p != "linux/amd64" {
			return true
		}
	}
	return false
}
