package circleci

// specs are the real specs the target is tested on: four node services;
// go, java, python and node services over three environments; and an
// adversarial spec whose free-text fields break naive quoting.
var specs = map[string]string{
	"Shop":     "examples/shop",
	"Platform": "examples/platform",
	"Hostile":  "testdata/hostile",
}
