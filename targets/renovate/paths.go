package renovate

import (
	"path"
	"slices"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
)

// ManifestGlob matches release-gen's bookkeeping, which every build writes.
const ManifestGlob = ".release-gen/**"

// outputGlobs returns the files target writes, relative to the output
// directory, as the globs Renovate matches: each target's Outputs() with
// "<service>" written as "*". It is the one place that knows every target's
// path conventions; a test holds it equal to the registered targets.
func outputGlobs(target string) []string {
	switch target {
	case "github":
		return []string{".github/workflows/promote.yml", ".github/workflows/release-build.yml",
			".github/workflows/release-deploy.yml", ".github/workflows/release-scan.yml",
			".github/workflows/release-sign.yml", ".github/workflows/release-test.yml",
			".github/workflows/release.yml"}
	case "gitlab":
		return []string{".gitlab-ci.yml"}
	case "jenkins":
		return []string{"Jenkinsfile"}
	case "circleci":
		return []string{".circleci/config.yml"}
	case "ecr":
		return []string{"deploy/ecr/*.json"}
	case "flagger":
		return []string{"deploy/flagger/*.yaml"}
	case "renovate":
		return []string{Path}
	}
	return nil
}

// generatedPaths returns every file the release's selected targets
// generate, plus the manifest, as globs relative to the repository root,
// sorted.
func generatedPaths(m *model.Release) []string {
	out := []string{inOut(m, ManifestGlob)}
	for _, t := range m.SpecTargets {
		for _, g := range outputGlobs(t) {
			out = append(out, inOut(m, g))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// inOut returns glob g, relative to the output directory, relative to the
// repository root. The directory's name is matched literally.
func inOut(m *model.Release, g string) string {
	if m.Drift.Out == "" || m.Drift.Out == "." {
		return g
	}
	return globQuote(m.Drift.Out) + "/" + g
}

// globQuote escapes the characters minimatch gives a meaning to.
func globQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\*?[]{}()!+@`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// recommendedIgnorePaths is the ignorePaths of config:recommended (its
// :ignoreModulesAndTests preset). A repository's ignorePaths replaces the
// preset's instead of adding to it, so the generated list repeats it.
var recommendedIgnorePaths = []string{
	"**/node_modules/**",
	"**/bower_components/**",
	"**/vendor/**",
	"**/examples/**",
	"**/__tests__/**",
	"**/test/**",
	"**/tests/**",
	"**/__fixtures__/**",
}

// ignorePaths returns config:recommended's ignorePaths followed by every
// generated file. With specVisible set, a preset pattern that would hide
// the spec's own directory from Renovate (a spec under examples/ or test/)
// is left out, so that the custom managers can read the spec.
func ignorePaths(m *model.Release, specVisible bool) []string {
	specDir := strings.Split(path.Dir(m.SpecFile), "/")
	var out []string
	for _, p := range recommendedIgnorePaths {
		dir := strings.TrimSuffix(strings.TrimPrefix(p, "**/"), "/**")
		if !specVisible || !slices.Contains(specDir, dir) {
			out = append(out, p)
		}
	}
	return append(out, generatedPaths(m)...)
}
