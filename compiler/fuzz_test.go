package compiler_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/targets/all"
)

// fuzzCompile compiles data as the spec file name and checks the
// invariants every input must keep: no panic; an invalid spec yields
// diagnostics, each positioned in the spec file; a valid one renders the
// same bytes twice, and every YAML output parses back.
func fuzzCompile(t *testing.T, name string, data []byte) {
	dir := t.TempDir()
	done := make(chan error, 1)
	go func() { done <- fuzzCompileOnce(dir, name, data) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hangLimit):
		t.Fatalf("compiling %s took longer than %s: %q", name, hangLimit, data)
	}
}

// hangLimit is how long one input may take before it counts as a hang.
const hangLimit = 10 * time.Second

func fuzzCompileOnce(dir, name string, data []byte) error {
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		return err
	}
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	var specErr *compiler.SpecError
	switch {
	case errors.As(err, &specErr):
		if len(specErr.Diagnostics) == 0 {
			return errors.New("SpecError without diagnostics")
		}
		for _, d := range specErr.Diagnostics {
			if !d.Pos.IsValid() {
				return fmt.Errorf("diagnostic without a position: %s", d.Error())
			}
		}
		return nil
	case err != nil:
		var usage *compiler.UsageError
		if !errors.As(err, &usage) {
			return fmt.Errorf("Compile: unexpected error type %T: %v", err, err)
		}
		return nil
	}
	first, diags, err := all.Render(res.Release)
	if err != nil {
		return fmt.Errorf("render: %v", err)
	}
	if diags.HasErrors(false) {
		return nil
	}
	second, _, _ := all.Render(res.Release)
	if len(first) != len(second) {
		return errors.New("rendering twice gave different file sets")
	}
	for i, f := range first {
		if f.Path != second[i].Path || !bytes.Equal(f.Data, second[i].Data) {
			return fmt.Errorf("%s is not deterministic", f.Path)
		}
		if ext := filepath.Ext(f.Path); ext == ".yml" || ext == ".yaml" || ext == ".json" {
			var v any
			if err := yaml.Unmarshal(f.Data, &v); err != nil {
				return fmt.Errorf("%s does not parse back: %v", f.Path, err)
			}
		}
	}
	return nil
}

const seedSpec = `package release

name:     "shop"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
services: {
	auth: {language: "node", testSplit: {glob: "test/**/*.js", parallelism: 2}}
	api: {language: "go", dependsOn: ["auth"], canary: {maxWeight: 30}}
}
canary: {provider: "istio", loadTest: {url: "http://lt/", cmd: "hey {service}"}}
retention: [{tagPrefixes: ["prod-"], keep: 10}, {untagged: true, expireAfterDays: 7}]
notify: slack: channel: "#rel"
`

func FuzzCompileCUE(f *testing.F) {
	f.Add([]byte(seedSpec))
	f.Add([]byte("package release\nname: \"x\"\nregistry: \"ghcr.io/a\"\nservices: a: dependsOn: [\"a\"]\n"))
	f.Add([]byte("package release\nimport \"release-gen.dev/stdlib/retain\"\nretention: [retain.#ExpireUntagged & {#days: 1}]\n"))
	f.Add([]byte("package release\nx: [for i in list.Range(0, 100000, 1) {i}]\n"))
	f.Add([]byte("package other\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzCompile(t, "release.cue", data) })
}

func FuzzCompileYAML(f *testing.F) {
	f.Add([]byte("name: shop\nregistry: ghcr.io/a\nservices: {api: {test: \"echo '${{ x }}' $(id)\"}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("name: !!binary AAAA\n"))
	f.Add([]byte("? [a]\n: b\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzCompile(t, "release.yaml", data) })
}

func FuzzCompileJSON(f *testing.F) {
	f.Add([]byte(`{"name": "shop", "registry": "ghcr.io/a", "services": {"api": {"port": 1e400}}}`))
	f.Add([]byte(`{"name": "shop", "name": "dup"}`))
	f.Add([]byte(`[1, 2`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzCompile(t, "release.json", data) })
}
