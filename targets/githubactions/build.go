package githubactions

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// buildJob builds the service's image for every platform in one
// multi-platform build and pushes it as <image>:<commit sha>, plus
// <image>:<tag> for a release tag. Its output digest identifies the pushed
// image for the jobs after it, which always work by digest.
func (g *gen) buildJob(pj *model.Job) (*job, error) {
	svc := pj.Service
	if svc == nil {
		return nil, fmt.Errorf("internal error: github: build job %s has no service", pj.ID)
	}
	j := &job{
		Timeout:     60,
		Permissions: g.registryPerms(perms{}.with("contents", "read"), true),
		Outputs:     obj("digest", expr("${{ steps.push.outputs.digest }}")),
		Steps:       []step{checkout()},
	}
	j.Steps = append(j.Steps, g.buildCommandSteps(svc)...)
	j.Steps = append(j.Steps, g.loginSteps()...)
	if needsQEMU(g.m.Platforms) {
		j.Steps = append(j.Steps, step{Name: "Set up QEMU", Uses: &actSetupQEMU})
	}
	j.Steps = append(j.Steps, setupBuildx(), step{
		Name: "Compute image tags",
		ID:   "tags",
		Env: env(
			"IMAGE", g.m.Image(svc),
			"SHA", expr("${{ github.sha }}"),
			"REF_TYPE", expr("${{ github.ref_type }}"),
			"REF_NAME", expr("${{ github.ref_name }}"),
		),
		Run: tagsScript,
	})
	with := obj(
		"context", svc.Path,
		"file", svc.Dockerfile,
		"platforms", strings.Join(g.m.Platforms, ","),
		"push", true,
		"tags", expr("${{ steps.tags.outputs.tags }}"),
	)
	if g.m.Caches.Docker {
		set(with, "cache-from", "type=gha,scope="+svc.Name)
		set(with, "cache-to", "type=gha,scope="+svc.Name+",mode=max")
	}
	j.Steps = append(j.Steps, step{Name: "Build and push", ID: "push", Uses: &actBuildPush, With: with})
	return j, nil
}

// needsQEMU reports whether a platform other than the runner's own
// (linux/amd64) is built, which needs emulation.
func needsQEMU(platforms []string) bool {
	for _, p := range platforms {
		if p != "linux/amd64" {
			return true
		}
	}
	return false
}

// tagsScript writes the tags to push: the commit sha always, the tag name
// as well for a vX.Y.Z release tag. Nothing in it comes from the spec or
// from GitHub except through the environment.
const tagsScript = `tags="$IMAGE:$SHA"
if [ "$REF_TYPE" = tag ]; then
  if [[ $REF_NAME =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    tags="$tags,$IMAGE:$REF_NAME"
  else
    echo "::warning::the tag is not a vX.Y.Z release tag; pushing the commit tag only"
  fi
fi
echo "tags=$tags" >> "$GITHUB_OUTPUT"
`

// buildCommandSteps run the service's build command, if any, in its
// directory before the image is built, with the newest toolchain version
// the tests use: through actions/setup-node for node, in the language's
// official image for go, python and java, on the runner for generic.
func (g *gen) buildCommandSteps(svc *model.Service) []step {
	if strings.TrimSpace(svc.Build) == "" {
		return nil
	}
	version := ""
	if n := len(svc.Versions); n > 0 {
		version = svc.Versions[n-1]
	}
	t := svc.Toolchain
	if image, suffix, ok := containerImage(t); ok && version != "" {
		return []step{{
			Name: "Build",
			Env: env(
				"BUILD_IMAGE", image+":"+version+suffix,
				"SERVICE_PATH", svc.Path,
				"BUILD_COMMAND", svc.Build,
			),
			Run: containerBuildScript,
		}}
	}
	var steps []step
	if t.Language == "node" && version != "" {
		steps = append(steps, step{Name: "Set up Node.js", Uses: &actSetupNode, With: obj("node-version", version)})
	}
	return append(steps, step{Name: "Build", WorkDir: svc.Path, Env: env("BUILD_COMMAND", svc.Build), Run: shell.RunBuild})
}

// containerBuildScript runs the build command in the toolchain's image,
// with the checkout mounted at the same relative path.
const containerBuildScript = `docker run --rm \
  -v "$GITHUB_WORKSPACE:/workspace" \
  -w "/workspace/$SERVICE_PATH" \
  -e BUILD_COMMAND "$BUILD_IMAGE" bash -eo pipefail -c "$BUILD_COMMAND"
`
