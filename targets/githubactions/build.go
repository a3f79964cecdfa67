package githubactions

import (
	"strings"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// buildWorkflow builds release-build.yml: it builds a service's image for
// every platform in one multi-platform build and pushes it as
// <image>:<commit sha>, plus <image>:<tag> for a release tag. Its output
// digest identifies the pushed image for the jobs after it, which always
// work by digest. The service's build command, if any, runs first; see
// buildCommandSteps.
func (g *gen) buildWorkflow(pjs []*model.Job) (*called, error) {
	c := newCalled(model.JobBuild, pjs)
	service := c.key("service", "name of the service: its image is <registry>/<service>")
	path := c.key("path", "directory of the service: the build context")
	dockerfile := c.input("dockerfile", "string", "the service's Dockerfile; empty: <path>/Dockerfile")
	command := c.input("build-command", "string", "the service's build command (bash), run before the image build; empty: none")
	buildImage := c.input("build-image", "string", "image the build command runs in; empty: on the runner")
	nodeVersion := c.input("node-version", "string", "Node.js version to set up for the build command; empty: none")
	image, err := g.imageOf(service, pjs)
	if err != nil {
		return nil, err
	}
	var inContainer, setupNode, onRunner = map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, pj := range pjs {
		svc, id := pj.Service, pj.ID
		service.set(id, svc.Name)
		path.set(id, svc.Path)
		if svc.Dockerfile != svc.Path+"/Dockerfile" {
			dockerfile.set(id, svc.Dockerfile)
		}
		b := buildCommand(svc)
		if !b.run {
			continue
		}
		command.set(id, svc.Build)
		switch {
		case b.image != "":
			inContainer[id] = true
			buildImage.set(id, b.image)
		case b.node != "":
			setupNode[id] = true
			nodeVersion.set(id, b.node)
			onRunner[id] = true
		default:
			onRunner[id] = true
		}
	}
	j := &job{
		Timeout:     60,
		Permissions: g.registryPerms(perms{}.with("contents", "read"), true),
		Outputs:     obj("digest", expr("${{ steps.push.outputs.digest }}")),
		Steps:       []step{checkout()},
	}
	if cond, ok := c.when(inContainer, "inputs.build-image != ''"); ok {
		j.Steps = append(j.Steps, step{
			Name: "Build",
			If:   cond,
			Env:  env("BUILD_IMAGE", expr(buildImage.ref()), "SERVICE_PATH", expr(path.ref()), "BUILD_COMMAND", expr(command.ref())),
			Run:  containerBuildScript,
		})
	}
	if cond, ok := c.when(setupNode, "inputs.node-version != ''"); ok {
		j.Steps = append(j.Steps, step{Name: "Set up Node.js", If: cond, Uses: &actSetupNode, With: obj("node-version", expr(nodeVersion.ref()))})
	}
	onRunnerIf := expr("inputs.build-command != ''")
	if buildImage.declared() {
		onRunnerIf += " && inputs.build-image == ''"
	}
	if cond, ok := c.when(onRunner, onRunnerIf); ok {
		j.Steps = append(j.Steps, step{Name: "Build", If: cond, WorkDir: expr(path.ref()), Env: env("BUILD_COMMAND", expr(command.ref())), Run: shell.RunBuild})
	}
	j.Steps = append(j.Steps, g.loginSteps()...)
	if needsQEMU(g.m.Platforms) {
		j.Steps = append(j.Steps, step{Name: "Set up QEMU", Uses: &actSetupQEMU})
	}
	j.Steps = append(j.Steps, setupBuildx(), step{
		Name: "Compute image tags",
		ID:   "tags",
		Env: env(
			"IMAGE", expr(image),
			"SHA", expr("${{ github.sha }}"),
			"REF_TYPE", expr("${{ github.ref_type }}"),
			"REF_NAME", expr("${{ github.ref_name }}"),
		),
		Run: tagsScript,
	})
	file := expr(path.ref() + "/Dockerfile")
	if dockerfile.declared() {
		file = "${{ inputs.dockerfile || format('{0}/Dockerfile', inputs.path) }}"
	}
	with := obj(
		"context", expr(path.ref()),
		"file", file,
		"platforms", strings.Join(g.m.Platforms, ","),
		"push", true,
		"tags", expr("${{ steps.tags.outputs.tags }}"),
	)
	if g.m.Caches.Docker {
		set(with, "cache-from", expr("type=gha,scope="+service.ref()))
		set(with, "cache-to", expr("type=gha,scope="+service.ref()+",mode=max"))
	}
	j.Steps = append(j.Steps, step{Name: "Build and push", ID: "push", Uses: &actBuildPush, With: with})
	c.job = j
	c.outputs = []output{{"digest", "digest of the pushed image (sha256:...)", "${{ jobs.build.outputs.digest }}"}}
	return c, nil
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

// buildCmd says how a service's build command runs before its image is
// built: not at all without a command; otherwise with the newest toolchain
// version the tests use, in the language's official image (image) for go,
// python and java, after actions/setup-node (node) for node, or on the
// runner as it is for generic services.
type buildCmd struct {
	run         bool
	image, node string
}

func buildCommand(svc *model.Service) buildCmd {
	if strings.TrimSpace(svc.Build) == "" {
		return buildCmd{}
	}
	version := ""
	if n := len(svc.Versions); n > 0 {
		version = svc.Versions[n-1]
	}
	t := svc.Toolchain
	if image, suffix, ok := containerImage(t); ok && version != "" {
		return buildCmd{run: true, image: image + ":" + version + suffix}
	}
	if t.Language == "node" && version != "" {
		return buildCmd{run: true, node: version}
	}
	return buildCmd{run: true}
}

// containerBuildScript runs the build command in the toolchain's image,
// with the checkout mounted at the same relative path.
const containerBuildScript = `docker run --rm \
  -v "$GITHUB_WORKSPACE:/workspace" \
  -w "/workspace/$SERVICE_PATH" \
  -e BUILD_COMMAND "$BUILD_IMAGE" bash -eo pipefail -c "$BUILD_COMMAND"
`
