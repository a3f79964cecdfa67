package compiler

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"
	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"release-gen.dev/release-gen/compiler/internal/specgen"
	"release-gen.dev/release-gen/schema"
)

// compileBoth compiles the spec in dir as Compile does and again with
// every service unified with #Service in CUE, fails the test when the two
// differ in any value, position or diagnostic, and reports whether
// Compile read the services in Go.
func compileBoth(t *testing.T, dir string) (open bool) {
	t.Helper()
	in, err := FindInputs(dir)
	if err != nil {
		t.Fatal(err)
	}
	ev, diags, err := evaluate(in)
	if err != nil || ev == nil {
		t.Fatalf("evaluate: %v %v", err, diags)
	}
	full := *ev
	full.services = nil
	full.spec = ev.user.Unify(ev.def)
	cfg := Config{Dir: dir}
	got, gotErr := compile(cfg, in, ev)
	want, wantErr := compile(cfg, in, &full)
	opts := cmp.Options{
		cmp.Transformer("pos", func(p token.Pos) string { return p.String() }),
		cmp.Exporter(func(reflect.Type) bool { return true }),
	}
	if diff := cmp.Diff(specErrors(wantErr), specErrors(gotErr), opts); diff != "" {
		t.Errorf("errors differ (-#Release +open services):\n%s", diff)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("results differ (-#Release +open services):\n%s", diff)
	}
	return ev.services != nil
}

func specErrors(err error) []string {
	var se *SpecError
	if errors.As(err, &se) {
		var out []string
		for _, d := range se.Diagnostics {
			out = append(out, d.Error())
		}
		return out
	}
	if err != nil {
		return []string{err.Error()}
	}
	return nil
}

// TestOpenServicesSameModel compiles the examples, the generated specs
// and the diagnostic fixtures both ways: reading services in Go must give
// exactly what unifying them with #Service gives.
func TestOpenServicesSameModel(t *testing.T) {
	dirs := map[string]string{}
	for _, ex := range []string{"shop", "platform", "minimal"} {
		dirs["example/"+ex] = filepath.Join("..", "examples", ex)
	}
	for _, n := range []int{4, 100} {
		dir := t.TempDir()
		if err := specgen.Write(dir, n); err != nil {
			t.Fatal(err)
		}
		dirs[fmt.Sprintf("specgen/%d", n)] = dir
	}
	archives, err := filepath.Glob(filepath.Join("testdata", "diag", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range archives {
		ar, err := txtar.ParseFile(name)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for _, f := range ar.Files {
			if f.Name != "want" {
				writeFile(t, filepath.Join(dir, f.Name), string(f.Data))
			}
		}
		dirs["diag/"+strings.TrimSuffix(filepath.Base(name), ".txtar")] = dir
	}
	open := 0
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			if compileBoth(t, dir) {
				open++
			}
		})
	}
	if !t.Failed() && open < len(dirs)/2 {
		t.Errorf("only %d of %d specs read their services in Go", open, len(dirs))
	}
}

// TestOpenServices covers what reading services in Go accepts, and that
// anything else is left to #Release with the same result.
func TestOpenServices(t *testing.T) {
	const head = "package release\n\nimport \"release-gen.dev/stdlib/retain\"\n\nname: \"shop\"\nregistry: \"123456789012.dkr.ecr.us-east-1.amazonaws.com\"\n_retain: retain\n"
	const canary = "canary: {provider: \"istio\", loadTest: {url: \"http://t/\", cmd: \"hey\"}}\n"
	for _, tc := range []struct {
		name, spec string
		open       bool
	}{
		{"empty service", `services: api: {}`, true},
		{"no services", ``, true},
		{"every field", `services: {
	api: {language: "python", path: "apps/api", dockerfile: "build/Dockerfile", port: 9000, health: "/healthz",
		test: "pytest", build: "make", versions: ["3.12", "3.13"], testSplit: {glob: "t/*.py", parallelism: 3},
		canary: false, retention: [{tagPrefixes: ["prod-"], keep: 3}, {untagged: true, expireAfterDays: 2}]}
	web: {language: "node", dependsOn: ["api"], canary: true, retention: []}
}`, true},
		{"root path", `services: api: path: "."`, true},
		{"pattern", `services: [Name=string]: {path: "apps/\(Name)"}
services: api: {}
services: web: dependsOn: ["api"]`, true},
		{"presets", `services: {a: language: "go", b: {language: "java", build: "mvn"}, c: language: "generic"}`, true},
		{"matrix versions", "matrix: versions: [\"22\"]\nservices: {a: language: \"node\", b: {language: \"node\", versions: [\"20\"]}}", true},
		{"override without top-level canary", `services: api: canary: {maxWeight: 30, stepWeight: 5, successRate: 99.5}`, true},
		{"override", canary + `services: {api: canary: {maxWeight: 30, stepWeight: 5}, web: canary: {interval: "30s", provider: "linkerd", threshold: 3, maxLatency: 200}}`, true},
		{"override load test", canary + `services: api: canary: loadTest: {url: "https://x/", cmd: "run {service}"}`, true},
		{"override load test timeout", `services: api: canary: loadTest: {url: "https://x/", cmd: "run", timeout: "10s"}`, true},
		{"empty override", canary + `services: api: canary: {}`, true},
		{"stdlib rules", `services: api: retention: [retain.#KeepLast & {#prefix: "prod-", #count: 3}, retain.#ExpireUntagged & {#days: 2}]`, true},
		{"user defaults elsewhere", `services: api: {dependsOn: *[] | [...string], versions: *["1"] | [...string]}`, true},
		{"hidden field in spec", "_port: 9000\nservices: api: port: _port", true},
		{"yaml", "", true},
		{"optional field at the top level", "canary?: {maxWeight: 20}\nservices: api: {}", true},
		{"top level built by a comprehension", "for k, v in {branch: \"release\"} {(k): v}\nservices: api: {}", true},

		{"reads a default", `services: {api: {}, web: port: services.api.port + 1}`, false},
		{"reads through an alias", `services: {A=api: {}, web: test: A.test + " --ci"}`, false},
		{"reads a sibling", `services: api: {path: "x", dockerfile: path + "/D"}`, false},
		{"user default on a defaulted field", `services: [string]: port: *9090 | int
services: api: {}`, false},
		{"user default on canary", `services: api: canary: *false | bool`, false},
		{"default service", `services: api: *{port: 1} | {port: 2}`, false},
		{"unknown field", `services: api: {prot: 80}`, false},
		{"optional field", `services: api: {port?: 80}`, false},
		{"hidden field", `services: api: {_x: 1}`, false},
		{"definition", `services: api: {#x: 1}`, false},
		{"pattern in a service", `services: api: {[string]: _}`, false},
		{"bad port", `services: api: port: 0`, false},
		{"float port", `services: api: port: 80.0`, false},
		{"bad language", `services: api: language: "rust"`, false},
		{"empty path", `services: api: path: ""`, false},
		{"bad health", `services: api: health: "health"`, false},
		{"empty versions", `services: api: versions: []`, false},
		{"incomplete test split", `services: api: testSplit: glob: "x"`, false},
		{"bad parallelism", `services: api: testSplit: {glob: "x", parallelism: 65}`, false},
		{"non-string dependency", `services: api: dependsOn: [1]`, false},
		{"bad override", `services: api: canary: {maxWeight: 101}`, false},
		{"bad interval", `services: api: canary: {interval: "1h"}`, false},
		{"load test without cmd", `services: api: canary: loadTest: url: "http://x/"`, false},
		{"bad rule", `services: api: retention: [{untagged: false, keep: 1}]`, false},
		{"unknown rule field", `services: api: retention: [{keep: 1, tagPrefix: ["a"]}]`, false},
		{"services not a struct", `services: 1`, false},
		{"incomplete", `services: api: port: int`, false},
		{"incomplete list element", `services: api: dependsOn: [string]`, false},
		{"pattern for a string", `services: api: path: =~"^apps/"`, false},
		{"unknown top-level field", "extra: 1\nservices: api: {}", false},
		{"schema error elsewhere", "branch: \"\"\nservices: api: {}", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.name == "yaml" {
				writeFile(t, filepath.Join(dir, "release.yaml"), "name: shop\nregistry: ghcr.io/acme\nservices:\n  api: {port: 81, canary: {maxWeight: 20}}\n  web: {dependsOn: [api]}\n")
			} else {
				writeFile(t, filepath.Join(dir, "release.cue"), head+tc.spec+"\n")
			}
			if open := compileBoth(t, dir); open != tc.open {
				t.Errorf("services read in Go: %v, want %v", open, tc.open)
			}
		})
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenServicesConstraints keeps the enumerations and patterns that
// services are checked against in Go equal to the schema's.
func TestOpenServicesConstraints(t *testing.T) {
	in, err := FindInputs(filepath.Join("..", "examples", "shop"))
	if err != nil {
		t.Fatal(err)
	}
	ev, _, err := evaluate(in)
	if err != nil || ev == nil {
		t.Fatal(err)
	}
	for def, want := range map[string][]string{"#Language": languages, "#Provider": providers} {
		var got []string
		_, args := ev.schema.LookupPath(cue.ParsePath(def)).Expr()
		for _, a := range args {
			s, err := a.String()
			if err != nil {
				t.Fatalf("%s: %v", def, err)
			}
			got = append(got, s)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-Go +schema):\n%s", def, diff)
		}
	}
	src, err := fs.ReadFile(schema.FS, "release.cue")
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []*regexp.Regexp{durationPattern, loadTestURL, healthPrefix} {
		if !strings.Contains(string(src), `=~"`+re.String()+`"`) {
			t.Errorf("the schema has no pattern %q", re)
		}
	}
}
