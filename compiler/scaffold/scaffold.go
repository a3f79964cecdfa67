// Package scaffold detects the services in a repository and writes a
// starter release spec for them, for `release-gen init`.
package scaffold

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Service is a detected service.
type Service struct {
	Name     string // DNS-1123 label derived from the directory name
	Path     string // slash-separated, relative to the repository root
	Language string // node, go, python or java
	Marker   string // the file that revealed it, e.g. "package.json"
}

// markers map a build file to its language, in the order they are tried.
var markers = []struct{ file, language string }{
	{"package.json", "node"},
	{"go.mod", "go"},
	{"pyproject.toml", "python"},
	{"requirements.txt", "python"},
	{"pom.xml", "java"},
	{"build.gradle", "java"},
	{"build.gradle.kts", "java"},
}

// skipDirs are never searched.
var skipDirs = map[string]bool{
	"node_modules": true, "vendor": true, "testdata": true, "dist": true, "build": true,
	"target": true, "venv": true, "__pycache__": true, "examples": true, "docs": true,
}

// maxDepth bounds the search below the root.
const maxDepth = 4

// Detect finds services below root: every directory holding a marker file.
// A root that holds a marker is a service only when no subdirectory is one
// (in a monorepo, the root go.mod or package.json belongs to the tooling).
// Services inside another service's directory are not listed.
func Detect(root string) ([]Service, error) {
	var found []Service
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if rel != "." && (strings.HasPrefix(name, ".") || skipDirs[name] || strings.Count(rel, "/") >= maxDepth) {
			return filepath.SkipDir
		}
		for _, m := range markers {
			if fi, err := os.Stat(filepath.Join(p, m.file)); err == nil && !fi.IsDir() {
				found = append(found, Service{Path: rel, Language: m.language, Marker: m.file})
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(found) > 1 && found[0].Path == "." {
		found = found[1:]
	}
	var out []Service
	for _, s := range found {
		nested := slices.ContainsFunc(out, func(o Service) bool {
			return o.Path != "." && strings.HasPrefix(s.Path, o.Path+"/")
		})
		if !nested {
			out = append(out, s)
		}
	}
	repo := Label(filepath.Base(root))
	used := map[string]bool{}
	for i := range out {
		base := repo
		if out[i].Path != "." {
			base = Label(path.Base(out[i].Path))
		}
		n := base
		for k := 2; used[n]; k++ {
			n = base + "-" + strconv.Itoa(k)
		}
		used[n] = true
		out[i].Name = n
	}
	return out, nil
}

var nonLabel = regexp.MustCompile(`[^a-z0-9]+`)

// Label turns a directory name into a DNS-1123 label.
func Label(s string) string {
	l := strings.Trim(nonLabel.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(l) > 63 {
		l = strings.TrimRight(l[:63], "-")
	}
	if l == "" || (l[0] >= '0' && l[0] <= '9') {
		l = "svc-" + l
		l = strings.TrimRight(l, "-")
	}
	return l
}

// Options describe the repository around the services.
type Options struct {
	// Name is the release name; it defaults to the repository directory's name.
	Name string
	// Registry is the image repository prefix.
	Registry string
	// Targets are the CI targets found in the repository.
	Targets []string
}

// DetectTargets lists the targets whose platform files already exist in
// root, or github when none do.
func DetectTargets(root string) []string {
	var out []string
	for _, c := range []struct{ path, target string }{
		{".github", "github"},
		{".gitlab-ci.yml", "gitlab"},
		{"Jenkinsfile", "jenkins"},
		{".circleci", "circleci"},
	} {
		if _, err := os.Stat(filepath.Join(root, c.path)); err == nil {
			out = append(out, c.target)
		}
	}
	if len(out) == 0 {
		out = []string{"github"}
	}
	return append(out, "renovate")
}

// RegistryFromGit guesses a registry from the repository's origin: a
// GitHub remote gives ghcr.io/<owner>. It returns "" when it cannot tell.
func RegistryFromGit(root string) string {
	cfg, err := os.ReadFile(filepath.Join(root, ".git", "config"))
	if err != nil {
		return ""
	}
	m := regexp.MustCompile(`url\s*=\s*(?:https://|git@|ssh://git@)github\.com[:/]([A-Za-z0-9-]+)/`).FindSubmatch(cfg)
	if m == nil {
		return ""
	}
	return "ghcr.io/" + strings.ToLower(string(m[1]))
}

// CUE renders a commented release.cue for the services.
func CUE(services []Service, o Options) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Release spec for %s, written by release-gen init. Edit freely:
// release-gen vet checks it, release-gen build writes the pipelines.
// Every field and its default: release-gen schema, or docs/spec.md.
package release

name:     %s
registry: %s // images are <registry>/<service>
targets: [%s]

services: {
`, o.Name, strconv.Quote(o.Name), strconv.Quote(o.Registry), quoteList(o.Targets))
	if len(services) == 0 {
		b.WriteString("\t// No service found (package.json, go.mod, pyproject.toml, requirements.txt,\n\t// pom.xml, build.gradle). Describe one:\n\tapp: {\n\t\tpath: \".\"\n\t}\n")
	}
	for _, s := range services {
		fmt.Fprintf(&b, "\t%s: {\n\t\tlanguage: %s // found %s\n\t\tpath:     %s\n\t\t// dependsOn: [...] lists services to deploy first\n\t}\n",
			cueLabel(s.Name), strconv.Quote(s.Language), path.Join(s.Path, s.Marker), strconv.Quote(s.Path))
	}
	b.WriteString(`}

// Image retention, first rule first.
retention: [
	{description: "Keep the last 10 production images", tagPrefixes: ["prod-"], keep: 10},
	{description: "Remove untagged images after 7 days", untagged: true, expireAfterDays: 7},
]

// staging deploys on every push to main; production waits for one approval.
environments: {
	staging: {}
	production: {approval: true}
}
`)
	if slices.Contains(o.Targets, "jenkins") {
		b.WriteString(`
// A Jenkins controller with default settings loads a declarative pipeline
// of about 6 to 10 services. Started with
// -Dorg.jenkinsci.plugins.pipeline.modeldefinition.parser.RuntimeASTTransformer.SCRIPT_SPLITTING_TRANSFORMATION=true
// it takes more: then set scriptSplitting to true.
jenkins: scriptSplitting: false
`)
	}
	return b.Bytes()
}

// YAML renders the same starter spec as release.yaml, pointing editors at
// the JSON Schema in schemaFile.
func YAML(services []Service, o Options, schemaFile string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# yaml-language-server: $schema=%s\n# Release spec for %s, written by release-gen init. Edit freely:\n# release-gen vet checks it, release-gen build writes the pipelines.\nname: %s\nregistry: %s\ntargets: [%s]\n\nservices:\n",
		schemaFile, o.Name, strconv.Quote(o.Name), strconv.Quote(o.Registry), quoteList(o.Targets))
	if len(services) == 0 {
		b.WriteString("  app:\n    path: \".\"\n")
	}
	for _, s := range services {
		fmt.Fprintf(&b, "  %s:\n    language: %s # found %s\n    path: %s\n", s.Name, s.Language, path.Join(s.Path, s.Marker), strconv.Quote(s.Path))
	}
	b.WriteString(`
retention:
  - {description: "Keep the last 10 production images", tagPrefixes: ["prod-"], keep: 10}
  - {description: "Remove untagged images after 7 days", untagged: true, expireAfterDays: 7}

environments:
  staging: {}
  production: {approval: true}
`)
	if slices.Contains(o.Targets, "jenkins") {
		b.WriteString(`
# A Jenkins controller with default settings loads a declarative pipeline
# of about 6 to 10 services. Started with
# -Dorg.jenkinsci.plugins.pipeline.modeldefinition.parser.RuntimeASTTransformer.SCRIPT_SPLITTING_TRANSFORMATION=true
# it takes more: then set scriptSplitting to true.
jenkins:
  scriptSplitting: false
`)
	}
	return b.Bytes()
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// cueLabel quotes a label that is not a plain identifier (names with '-').
func cueLabel(s string) string {
	if regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`).MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}
