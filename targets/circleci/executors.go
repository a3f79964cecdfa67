package circleci

import (
	"regexp"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// Images and tool versions the config uses. cimg/* are CircleCI's
// convenience images; the machine image tag "current" is the one CircleCI
// updates every quarter.
const (
	baseImage    = "cimg/base:stable"
	machineImage = "ubuntu-2404:current"
	// driftGo is the Go the drift job starts with; GOTOOLCHAIN=auto
	// fetches the toolchain release-gen's module asks for.
	driftGo = "1.26"
)

// Executor names.
const (
	baseExecutor    = "base"    // cimg/base: bash, curl, jq, git, the docker CLI
	machineExecutor = "machine" // a Linux VM with its own docker engine
)

// cimg is the CircleCI convenience image of each language with a version.
var cimg = map[string]string{
	"node":   "cimg/node",
	"go":     "cimg/go",
	"python": "cimg/python",
	"java":   "cimg/openjdk",
}

// toolchainExecutor returns the executor name tests and builds of svc run
// in: the language's convenience image, or base for generic services.
func toolchainExecutor(svc *model.Service) string {
	if _, ok := cimg[svc.Toolchain.Language]; ok {
		return svc.Toolchain.Language
	}
	return baseExecutor
}

var bareMajor = regexp.MustCompile(`^[0-9]+$`)

// imageTag maps a spec version to the convenience image's tag. cimg/openjdk
// tags a Java release N as "N.0" (its feature-release line), never "N";
// other languages' tags are the versions as written ("22", "1.26", "3.13").
func imageTag(lang, version string) string {
	if lang == "java" && bareMajor.MatchString(version) {
		return version + ".0"
	}
	return version
}

// imageTags maps every version of svc to its image tag.
func imageTags(svc *model.Service, versions []string) []string {
	out := make([]string, len(versions))
	for i, v := range versions {
		out[i] = imageTag(svc.Toolchain.Language, v)
	}
	return out
}

// executors defines the executors the jobs use: the convenience image of
// each language, parameterized by the image tag, cimg/base and the
// machine.
func (g *gen) executors() *yaml.Node {
	n := yamlenc.Map()
	for _, lang := range []string{"node", "go", "python", "java"} {
		if !g.used["executor "+lang] {
			continue
		}
		set(n, lang, obj(
			"parameters", obj("version", obj("type", "string")),
			"docker", yamlenc.Seq(obj("image", tmpl(cimg[lang]+":<< parameters.version >>"))),
		))
	}
	if g.used["executor "+baseExecutor] {
		set(n, baseExecutor, obj("docker", yamlenc.Seq(obj("image", baseImage))))
	}
	if g.used["executor "+machineExecutor] {
		set(n, machineExecutor, obj("machine", obj("image", machineImage)))
	}
	return n
}

// executor is a job's executor, which the config then defines: name, with
// the image tag for the language executors.
func (g *gen) executor(name string, tag any) *yaml.Node {
	g.used["executor "+name] = true
	if name == baseExecutor || name == machineExecutor {
		return yamlenc.Str(name)
	}
	return obj("name", name, "version", tag)
}
