package renovate

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// dep is one dependency as Renovate's regex manager extracts it.
type dep struct {
	Manager       int // index of the custom manager
	DepName       string
	Datasource    string
	PackageName   string
	Versioning    string
	CurrentValue  string
	ReplaceString string
}

// mustRenovateRegexp compiles a Renovate pattern, "/re/" or a bare
// regular expression, with Go's RE2 engine.
func mustRenovateRegexp(t *testing.T, p string) *regexp.Regexp {
	t.Helper()
	if strings.HasPrefix(p, "/") && strings.HasSuffix(p, "/") {
		p = p[1 : len(p)-1]
	}
	re, err := regexp.Compile(p)
	if err != nil {
		t.Fatalf("pattern %q: %v", p, err)
	}
	return re
}

// extract does what Renovate's regex manager does with the "recursive"
// strategy (lib/modules/manager/custom/regex/strategies.ts): every match of
// the first pattern is searched with the next, groups accumulate, and the
// last match is the text Renovate replaces.
func extract(t *testing.T, managers []customManager, content string) []dep {
	t.Helper()
	var out []dep
	for i, cm := range managers {
		if cm.MatchStringsStrategy != "recursive" {
			t.Fatalf("manager %d: strategy %q", i, cm.MatchStringsStrategy)
		}
		var res []*regexp.Regexp
		for _, s := range cm.MatchStrings {
			res = append(res, mustRenovateRegexp(t, s))
		}
		var walk func(text string, level int, groups map[string]string)
		walk = func(text string, level int, groups map[string]string) {
			if level == len(res) {
				out = append(out, dep{
					Manager: i, DepName: groups["depName"], Datasource: groups["datasource"], PackageName: groups["packageName"],
					Versioning: groups["versioning"], CurrentValue: groups["currentValue"], ReplaceString: text,
				})
				return
			}
			re := res[level]
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				g := map[string]string{}
				for k, v := range groups {
					g[k] = v
				}
				for j, name := range re.SubexpNames() {
					if name != "" && m[j] != "" {
						g[name] = m[j]
					}
				}
				walk(m[0], level+1, g)
			}
		}
		walk(content, 0, map[string]string{})
	}
	return out
}

// update does what Renovate does to move dependency d to newValue
// (lib/workers/repository/update/branch/auto-replace.ts): it replaces an
// occurrence of the matched text, from the first on, with the rendered
// autoReplaceStringTemplate or with the text's currentValue replaced, and
// keeps the first result whose re-extraction shows newValue for d.
func update(t *testing.T, managers []customManager, content string, d dep, newValue string) string {
	t.Helper()
	cm := managers[d.Manager]
	newString := strings.Replace(d.ReplaceString, d.CurrentValue, newValue, 1)
	if cm.AutoReplaceStringTemplate != "" {
		newString = strings.NewReplacer("{{{currentValue}}}", d.CurrentValue, "{{{newValue}}}", newValue).Replace(cm.AutoReplaceStringTemplate)
	}
	index := func(deps []dep) int {
		n := -1
		for _, x := range deps {
			if x.Manager == d.Manager {
				n++
			}
			if x == d {
				return n
			}
		}
		return -1
	}
	want := index(extract(t, managers, content))
	for from := 0; ; {
		i := strings.Index(content[from:], d.ReplaceString)
		if i < 0 {
			t.Fatalf("no replacement of %q confirmed", d.ReplaceString)
		}
		i += from
		candidate := content[:i] + newString + content[i+len(d.ReplaceString):]
		n := -1
		for _, x := range extract(t, managers, candidate) {
			if x.Manager != d.Manager {
				continue
			}
			if n++; n == want && x.DepName == d.DepName && x.CurrentValue == newValue {
				return candidate
			}
		}
		from = i + 1
	}
}

// annotate inserts a renovate comment, with the line's indentation, before
// each line that contains one of the keys.
func annotate(t *testing.T, src, comment string, notes map[string]string) string {
	t.Helper()
	lines := strings.Split(src, "\n")
	var out []string
	used := 0
	for _, l := range lines {
		for key, note := range notes {
			if strings.Contains(l, key) {
				indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
				out = append(out, indent+comment+" renovate: "+note)
				used++
			}
		}
		out = append(out, l)
	}
	if used != len(notes) {
		t.Fatalf("annotated %d of %d lines", used, len(notes))
	}
	return strings.Join(out, "\n")
}

// compileText compiles spec text written to file in a fresh directory.
func compileText(t *testing.T, file, text string) *model.Release {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		t.Fatalf("compile updated spec: %v\n%s", err, text)
	}
	return res.Release
}

func versionsOf(m *model.Release) map[string][]string {
	out := map[string][]string{}
	for _, s := range m.Services {
		out[s.Name] = s.Versions
	}
	return out
}

func readSpec(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(targettest.Root(t), filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestVersionsPlatform annotates the platform example's four versions
// lists, extracts them as Renovate would, applies an update to each and
// compiles the result.
func TestVersionsPlatform(t *testing.T) {
	m := targettest.Compile(t, "examples/platform")
	managers := customManagers(m)
	src := annotate(t, readSpec(t, "examples/platform/release.cue"), "//", map[string]string{
		`versions: ["1.25", "1.26"]`: "datasource=docker depName=golang",
		`versions: ["21"]`:           "datasource=docker depName=eclipse-temurin",
		`versions: ["3.12", "3.13"]`: "datasource=docker depName=python",
		`versions: ["22"]`:           "datasource=node-version depName=node versioning=node",
	})
	got := extract(t, managers, src)
	want := []dep{
		{Manager: 0, DepName: "eclipse-temurin", Datasource: "docker", CurrentValue: "21", ReplaceString: `"21"]`},
		{Manager: 0, DepName: "node", Datasource: "node-version", Versioning: "node", CurrentValue: "22", ReplaceString: `"22"]`},
		{Manager: 1, DepName: "golang", Datasource: "docker", CurrentValue: "1.26", ReplaceString: `"1.26"]`},
		{Manager: 1, DepName: "python", Datasource: "docker", CurrentValue: "3.13", ReplaceString: `"3.13"]`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("extracted (-want +got):\n%s", diff)
	}
	next := map[string]string{"eclipse-temurin": "25", "node": "24", "golang": "1.27", "python": "3.14"}
	for _, d := range want {
		src = update(t, managers, src, extractOne(t, managers, src, d.DepName), next[d.DepName])
	}
	wantVersions := map[string][]string{
		"gateway":     {"1.25", "1.26", "1.27"},
		"billing":     {"25"},
		"recommender": {"3.12", "3.13", "3.14"},
		"web":         {"24"},
	}
	if diff := cmp.Diff(wantVersions, versionsOf(compileText(t, "release.cue", src))); diff != "" {
		t.Errorf("versions after the updates (-want +got):\n%s", diff)
	}
	for _, d := range extract(t, managers, src) {
		if d.CurrentValue != next[d.DepName] {
			t.Errorf("%s: Renovate would now read %q", d.DepName, d.CurrentValue)
		}
	}
}

// extractOne returns the one dependency called name.
func extractOne(t *testing.T, managers []customManager, src, name string) dep {
	t.Helper()
	var found []dep
	for _, d := range extract(t, managers, src) {
		if d.DepName == name {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: extracted %+v", name, found)
	}
	return found[0]
}

// TestVersionsShop: the shop's matrix (18, 20, 22) gains 24, for every
// service, and nothing else in the spec changes.
func TestVersionsShop(t *testing.T) {
	m := targettest.Compile(t, "examples/shop")
	managers := customManagers(m)
	orig := readSpec(t, "examples/shop/release.cue")
	src := annotate(t, orig, "//", map[string]string{`versions: ["18", "20", "22"]`: "datasource=node-version depName=node"})
	updated := update(t, managers, src, extractOne(t, managers, src, "node"), "24")
	if want := strings.Replace(src, `"22"]`, `"22", "24"]`, 1); updated != want {
		t.Errorf("update changed more than the list:\n%s", updated)
	}
	for name, v := range versionsOf(compileText(t, "release.cue", updated)) {
		if !slices.Equal(v, []string{"18", "20", "22", "24"}) {
			t.Errorf("%s: versions %q", name, v)
		}
	}
	if got := extract(t, managers, orig); len(got) != 0 {
		t.Errorf("an unannotated spec yields %+v", got)
	}
}

// TestVersionsYAML: the same comments work in a YAML spec, with a trailing
// comma and a packageName.
func TestVersionsYAML(t *testing.T) {
	const spec = `name: notes
registry: ghcr.io/acme/notes
targets: [github, renovate]
services:
  api:
    language: go
    path: api
    # renovate: datasource=docker depName=go packageName=golang
    versions: ["1.25", "1.26",]
  web:
    language: node
    path: web
    #renovate: datasource=node-version depName=node
    "versions": [ "22" ]
`
	m := compileText(t, "release.yaml", spec)
	managers := customManagers(m)
	if managers == nil {
		t.Fatal("no custom managers for a YAML spec with versions")
	}
	if !mustRenovateRegexp(t, managers[0].ManagerFilePatterns[0]).MatchString(m.SpecFile) {
		t.Fatalf("%s does not match %s", managers[0].ManagerFilePatterns[0], m.SpecFile)
	}
	src := update(t, managers, spec, extractOne(t, managers, spec, "go"), "1.27")
	src = update(t, managers, src, extractOne(t, managers, src, "node"), "24")
	want := map[string][]string{"api": {"1.25", "1.26", "1.27"}, "web": {"24"}}
	if diff := cmp.Diff(want, versionsOf(compileText(t, "release.yaml", src))); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if d := extractOne(t, managers, spec, "go"); d.PackageName != "golang" {
		t.Errorf("packageName %q", d.PackageName)
	}
}

// TestVersionsNotMatched lists what the annotation does not cover.
func TestVersionsNotMatched(t *testing.T) {
	managers := customManagers(&model.Release{SpecFile: "release.cue", MatrixVersions: []string{"1"}})
	for name, src := range map[string]string{
		"no comment":          "versions: [\"22\"]\n",
		"blank line between":  "// renovate: datasource=docker depName=node\n\nversions: [\"22\"]\n",
		"other key":           "// renovate: datasource=docker depName=node\nplatforms: [\"22\"]\n",
		"key with suffix":     "// renovate: datasource=docker depName=node\nversionsx: [\"22\"]\n",
		"single quotes":       "# renovate: datasource=docker depName=node\nversions: ['22']\n",
		"block list":          "# renovate: datasource=docker depName=node\nversions:\n  - \"22\"\n",
		"list before the key": "// renovate: datasource=docker depName=node\na: [\"1\"], versions: [\"22\"]\n",
		"no depName":          "// renovate: datasource=docker\nversions: [\"22\"]\n",
		"empty list":          "// renovate: datasource=docker depName=node\nversions: []\n",
	} {
		if got := extract(t, managers, src); len(got) != 0 {
			t.Errorf("%s: extracted %+v", name, got)
		}
	}
}
