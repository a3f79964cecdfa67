package jenkins

import (
	"fmt"
	"strconv"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
)

// Stage time limits in minutes, as in the other CI targets.
const (
	driftMinutes = 15
	testMinutes  = 30
	buildMinutes = 60
	scanMinutes  = 30
	signMinutes  = 15
	// deploySlackMinutes is added to the rollout or canary wait.
	deploySlackMinutes = 15
	// approvalHours is how long an approval may wait; the build is
	// aborted when nobody answers in time.
	approvalHours = 24
)

// driftGoVersion is the golang image the drift stage runs release-gen
// with; GOTOOLCHAIN=auto fetches a newer Go when the module needs one.
const driftGoVersion = "1.26"

// toolchainImage returns the official image family a service's tests and
// build command run in, and the suffix its tags take after the version
// ("node:22", "golang:1.26", "eclipse-temurin:21-jdk"). Generic services
// have none: their commands run on the agent.
func toolchainImage(t model.Toolchain) (image, suffix string, ok bool) {
	var def string
	switch t.Language {
	case "node":
		def = "node"
	case "go":
		def = "golang"
	case "python":
		def = "python"
	case "java":
		def = "eclipse-temurin"
	default:
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

// maxToolchainVars is the most variables runInToolchain adds.
const maxToolchainVars = 4

// runInToolchain returns the script part that runs inner, a shared
// script, in the service's toolchain image (or on the agent for a generic
// service), and adds the variables it reads to vars. An empty version
// leaves VERSION to the matrix axis.
func (g *gen) runInToolchain(t model.Toolchain, version string, vars *[]envVar, inner string) string {
	image, suffix, ok := toolchainImage(t)
	if !ok {
		return onAgent(inner)
	}
	*vars = append(*vars, envVar{"TOOLCHAIN", image})
	if suffix != "" {
		*vars = append(*vars, envVar{"TOOLCHAIN_TAG_SUFFIX", suffix})
	}
	if version != "" {
		*vars = append(*vars, envVar{"VERSION", version})
	}
	if t.Language == "java" {
		*vars = append(*vars, envVar{"JAVA_TOOL_OPTIONS", "-Duser.home=/home/ci"})
	}
	return g.inToolchain(inner)
}

// inToolchain returns inToolchain(inner, ...) with the release's
// dependency cache setting, built once per inner script.
func (g *gen) inToolchain(inner string) string {
	if part, ok := g.inToolchainParts[inner]; ok {
		return part
	}
	if g.inToolchainParts == nil {
		g.inToolchainParts = make(map[string]string)
	}
	part := inToolchain(inner, g.m.Caches.Dependencies)
	g.inToolchainParts[inner] = part
	return part
}

// driftStage fails the build when the committed pipeline files are not
// what the spec compiles to, running release-gen's check in the golang
// image.
func (g *gen) driftStage(j *model.Job) (*stage, error) {
	d := g.m.Drift
	if d.Install == "" {
		return nil, fmt.Errorf("internal error: jenkins: the drift job has no release-gen module to run")
	}
	dir, out := d.Dirs()
	vars := []envVar{{"RELEASE_GEN", d.Install}, {"SPEC_DIR", dir}, {"OUT_DIR", out}, {"GOTOOLCHAIN", "auto"}}
	run := g.runInToolchain(model.Toolchain{Language: "go"}, driftGoVersion, &vars, driftCheck)
	return &stage{
		name:    "Drift",
		job:     j.ID,
		agent:   true,
		timeout: minutes(driftMinutes),
		steps: []step{withEnv{vars, []step{
			g.shell("Check that the generated files are up to date", run),
		}}},
	}, nil
}

// testStage runs a service's tests in a matrix: one cell per toolchain
// version (axis VERSION) and, with a test split, per shard (axis SHARD,
// 0-based), each on its own agent. Each cell publishes the JUnit reports
// the tests wrote into TEST_REPORTS.
func (g *gen) testStage(j *model.Job) (*stage, error) {
	svc := j.Service
	if svc == nil {
		return nil, fmt.Errorf("internal error: jenkins: test job %s has no service", j.ID)
	}
	versions := j.Versions
	if len(versions) == 0 {
		versions = svc.Versions
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("internal error: jenkins: test job %s has no toolchain version", j.ID)
	}
	axes := []axis{{"VERSION", versions}}
	vars := make([]envVar, 0, 4+maxToolchainVars)
	vars = append(vars, envVar{"SERVICE_PATH", svc.Path}, envVar{"TEST_COMMAND", svc.Test})
	parts := make([]string, 0, 5)
	parts = append(parts, testReportsDir, serviceDir)
	if ts := svc.TestSplit; ts != nil && j.Shards > 1 {
		shards := make([]string, j.Shards)
		for i := range shards {
			shards[i] = strconv.Itoa(i)
		}
		axes = append(axes, axis{"SHARD", shards})
		vars = append(vars, envVar{"TEST_GLOB", ts.Glob}, envVar{"TEST_SHARDS", strconv.Itoa(j.Shards)})
		parts = append(parts, shardFromAxis, shell.Shard)
	}
	parts = append(parts, g.runInToolchain(svc.Toolchain, "", &vars, shell.RunTest))
	cell := &stage{
		name:    "Run " + svc.Name + " tests",
		timeout: minutes(testMinutes),
		steps:   []step{withEnv{vars, []step{g.shell("Test", parts...)}}},
		always: []step{
			junit{testReportGlob},
		},
	}
	return &stage{name: "Test " + svc.Name, job: j.ID, matrix: &matrix{axes: axes, stages: []*stage{cell}}}, nil
}
