package all_test

import (
	"strings"
	"testing"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/targets/all"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// TestDirectYAML renders the examples and the adversarial spec one target
// at a time and requires yamlenc to write every YAML document with its
// direct emitter: none may fall back to yaml.v3, whose encoder costs
// several times as much. (The bytes are the same either way; yamlenc's
// tests hold the emitter to yaml.v3's.)
func TestDirectYAML(t *testing.T) {
	documents := 0
	for _, dir := range specs {
		res, err := compiler.Compile(compiler.Config{Dir: dir})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, target := range all.Targets {
			if !res.Release.HasTarget(target.Name()) {
				continue
			}
			before := yamlenc.Fallbacks()
			files, err := target.Render(res.Release)
			if err != nil {
				t.Fatalf("%s: %s: %v", dir, target.Name(), err)
			}
			if n := yamlenc.Fallbacks() - before; n > 0 {
				t.Errorf("%s: %s: %d documents were left to yaml.v3", dir, target.Name(), n)
			}
			for _, f := range files {
				if strings.HasSuffix(f.Path, ".yml") || strings.HasSuffix(f.Path, ".yaml") {
					documents++
				}
			}
		}
	}
	if documents < 20 {
		t.Errorf("rendered only %d YAML files", documents)
	}
	t.Logf("%d YAML files rendered", documents)
}
