package circleci

import (
	"testing"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/model"
)

// specs are the real specs the target is tested on: four node services;
// go, java, python and node services over three environments; and an
// adversarial spec whose free-text fields break naive quoting.
var specs = map[string]string{
	"Shop":     "../../examples/shop",
	"Platform": "../../examples/platform",
	"Hostile":  "../../testdata/hostile",
}

// compile compiles the spec in dir, as the CLI does.
func compile(t *testing.T, dir string) *model.Release {
	t.Helper()
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		t.Fatalf("compile %s: %v", dir, err)
	}
	return res.Release
}
