package ecr

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/ecr/lifecycle"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// compile compiles a spec directory and requires it to be free of ECR
// warnings.
func compile(t *testing.T, dir string) *model.Release {
	t.Helper()
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		t.Fatalf("compile %s: %v", dir, err)
	}
	for _, d := range res.Warnings {
		if strings.HasPrefix(d.Check, "retention-") || strings.HasPrefix(d.Check, "ecr-") {
			t.Errorf("compile %s: %v", dir, d)
		}
	}
	return res.Release
}

var pathRe = regexp.MustCompile(`^deploy/ecr/[a-z0-9-]+\.json$`)

// render renders m twice, requires byte-identical results, and checks the
// file contract: sorted paths in deploy/ecr, one per service with rules,
// the ecr target, valid JSON, LF endings and a final newline.
func render(t *testing.T, m *model.Release) []targets.File {
	t.Helper()
	files, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	again, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("second Render: %v", err)
	}
	if diff := cmp.Diff(files, again); diff != "" {
		t.Fatalf("two renders differ (-first +second):\n%s", diff)
	}
	var paths, want []string
	for _, s := range m.Services {
		if len(s.Retention) > 0 {
			want = append(want, strings.Replace(Target{}.Outputs()[0], "<service>", s.Name, 1))
		}
	}
	slices.Sort(want)
	for _, f := range files {
		paths = append(paths, f.Path)
		if f.Target != "ecr" || !pathRe.MatchString(f.Path) {
			t.Errorf("%s: Target = %q", f.Path, f.Target)
		}
		if !json.Valid(f.Data) {
			t.Errorf("%s: not valid JSON", f.Path)
		}
		if !bytes.HasSuffix(f.Data, []byte("}\n")) || bytes.Contains(f.Data, []byte("\r")) {
			t.Errorf("%s: must use LF line endings and end in a newline", f.Path)
		}
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	return files
}

func TestShop(t *testing.T) {
	files := render(t, compile(t, "../../examples/shop"))
	if len(files) != 4 {
		t.Errorf("shop: %d policies, want 4", len(files))
	}
	targettest.Golden(t, files...)
	targettest.Validate(t, "ecr", files...)
}

func TestPlatform(t *testing.T) {
	files := render(t, compile(t, "../../examples/platform"))
	targettest.Golden(t, files...)
	targettest.Validate(t, "ecr", files...)
}

func TestHostile(t *testing.T) {
	m := compile(t, "../../testdata/hostile")
	files := render(t, m)
	targettest.Golden(t, files...)
	targettest.Validate(t, "ecr", files...)
}

// TestHostileRoundTrip decodes the hostile policies with encoding/json and
// with a YAML parser (JSON is YAML) and requires every description to come
// back exactly as the spec wrote it.
func TestHostileRoundTrip(t *testing.T) {
	m := compile(t, "../../testdata/hostile")
	files := render(t, m)
	if len(files) == 0 {
		t.Fatal("no policies")
	}
	for _, f := range files {
		s := m.Service(strings.TrimSuffix(strings.TrimPrefix(f.Path, Dir), ".json"))
		var want []string
		for _, r := range s.Retention {
			want = append(want, r.Description)
		}
		type doc struct {
			Rules []struct {
				Description string `json:"description" yaml:"description"`
			} `json:"rules" yaml:"rules"`
		}
		var viaJSON, viaYAML doc
		if err := json.Unmarshal(f.Data, &viaJSON); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if err := yaml.Unmarshal(f.Data, &viaYAML); err != nil {
			t.Fatalf("%s: yaml: %v", f.Path, err)
		}
		for name, d := range map[string]doc{"encoding/json": viaJSON, "yaml.v3": viaYAML} {
			var got []string
			for _, r := range d.Rules {
				got = append(got, r.Description)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s via %s: descriptions (-spec +decoded):\n%s", f.Path, name, diff)
			}
		}
	}
	hostile := m.Retention[0].Description
	for _, s := range []string{`"`, `\u0027`, "</script>", "\u2028", "$(id)", "${{ x }}"} {
		if !strings.Contains(hostile, s) {
			t.Errorf("the hostile spec's description lost %q: %q", s, hostile)
		}
	}
}

// TestShapes compiles a spec whose rules use every selector, every count
// type and both actions, each storage class and default descriptions, and
// validates the policies with the kit (the archive ones only advisorily
// with CDK, which cannot express archive rules).
func TestShapes(t *testing.T) {
	dir := t.TempDir()
	spec := `package release

name:     "shapes"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
targets: ["ecr"]

services: {
	classic: retention: [
		{description: "Keep production", tagPrefixes: ["prod-"], keep: 10},
		{tagPatterns: ["v*.*.*"], keep: 1},
		{tagPrefixes: ["staging-", "v"], expireAfterDays: 30},
		{untagged: true, keep: 3},
		{any: true, keep: 500},
	]
	archive: retention: [
		{tagPrefixes: ["prod-"], keep: 5},
		{tagPatterns: ["v*"], archiveAfterUnpulledDays: 90},
		{tagPatterns: ["v*"], expireArchivedAfterDays: 365},
		{untagged: true, expireAfterDays: 1},
		{untagged: true, expireArchivedAfterDays: 90},
		{any: true, archiveAfterUnpulledDays: 180},
	]
	patterns: retention: [
		{tagPatterns: ["prod-*"], keep: 3},
		{tagPatterns: ["staging-*", "v*-rc.*"], keep: 2},
		{tagPatterns: ["*0*1*2*3"], expireAfterDays: 400},
		{any: true, expireAfterDays: 1000},
	]
	none: {}
}
retention: []
`
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var checks []string
	for _, d := range res.Warnings {
		checks = append(checks, d.Check)
	}
	if diff := cmp.Diff([]string{"ecr-policy"}, checks); diff != "" {
		t.Errorf("warnings (-want +got):\n%s\n%v", diff, res.Warnings)
	}
	files := render(t, res.Release)
	targettest.Golden(t, files...)
	targettest.Validate(t, "ecr", files...)
}

// TestSharedRetention: services that share a retention list share its
// rendered policy; every other service, including one whose list is a
// shorter slice of the same rules, gets the policy of its own list.
func TestSharedRetention(t *testing.T) {
	top := []*model.RetentionRule{{TagPrefixes: []string{"prod-"}, Keep: 10}, {Untagged: true, ExpireAfterDays: 7}}
	own := []*model.RetentionRule{{Description: "Keep <all> & more", Any: true, Keep: 100}}
	m := &model.Release{Targets: []string{"ecr"}, Retention: top, Services: []*model.Service{
		{Name: "a", Retention: top},
		{Name: "b", Retention: own},
		{Name: "c", Retention: top[:1]},
		{Name: "d", Retention: top},
		{Name: "e", Retention: slices.Clone(top)},
	}}
	files, err := (Target{}).Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(m.Services) {
		t.Fatalf("%d files for %d services", len(files), len(m.Services))
	}
	for i, s := range m.Services {
		want, err := lifecycle.Render(s.Retention)
		if err != nil {
			t.Fatal(err)
		}
		if f := files[i]; f.Path != Dir+s.Name+".json" || !bytes.Equal(f.Data, want) {
			t.Errorf("%s: got %s:\n%s\nwant the policy of its own rules:\n%s", s.Name, f.Path, f.Data, want)
		}
	}
}

func TestNotSelected(t *testing.T) {
	m := compile(t, "../../examples/shop")
	m.Targets = []string{"github"}
	if files, err := (Target{}).Render(m); err != nil || files != nil {
		t.Errorf("Render = %v, %v; want nothing", files, err)
	}
}

func TestNameAndOutputs(t *testing.T) {
	if got := (Target{}).Name(); got != "ecr" {
		t.Errorf("Name() = %q", got)
	}
	if diff := cmp.Diff([]string{"deploy/ecr/<service>.json"}, Target{}.Outputs()); diff != "" {
		t.Errorf("Outputs() (-want +got):\n%s", diff)
	}
}

// TestLimitsAreInternalErrors: the compiler rejects policies beyond ECR's
// limits, so Render meeting one is an internal error, never a bad file.
func TestLimitsAreInternalErrors(t *testing.T) {
	many := make([]*model.RetentionRule, 51)
	for i := range many {
		many[i] = &model.RetentionRule{TagPrefixes: []string{strings.Repeat("p", i+1)}, Keep: 1}
	}
	long := []*model.RetentionRule{{Description: strings.Repeat("x", 31000), Any: true, Keep: 1}}
	bad := []*model.RetentionRule{{Keep: 1}}
	for name, rules := range map[string][]*model.RetentionRule{"51 rules": many, "long": long, "malformed": bad} {
		m := &model.Release{Targets: []string{"ecr"}, Services: []*model.Service{{Name: "api", Retention: rules}}}
		if _, err := (Target{}).Render(m); err == nil || !strings.HasPrefix(err.Error(), "internal error: ecr: ") {
			t.Errorf("%s: Render error = %v", name, err)
		}
	}
}
