package compiler

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// The JSON Schema is draft 2020-12 (the only draft CUE generates), which
// github.com/xeipuuv/gojsonschema does not support (it stops at draft 7);
// the tests validate with github.com/santhosh-tekuri/jsonschema/v6.

const committedSchema = "../schema/release.schema.json"

// TestJSONSchemaIsCommitted keeps schema/release.schema.json, the file
// editors point at, equal to what `release-gen schema` prints.
func TestJSONSchemaIsCommitted(t *testing.T) {
	got, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("RELEASE_GEN_UPDATE") != "" {
		if err := os.WriteFile(committedSchema, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(committedSchema)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run RELEASE_GEN_UPDATE=1 go test ./compiler/", committedSchema)
	}
}

func compileJSONSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("release.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("release.schema.json")
	if err != nil {
		t.Fatalf("the generated schema does not compile: %v", err)
	}
	return s
}

// instance decodes a YAML or JSON spec into the generic form validators take.
func instance(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestJSONSchemaAcceptsDataSpecs(t *testing.T) {
	s := compileJSONSchema(t)
	specs, _ := filepath.Glob("../examples/*/release.yaml")
	jsonSpecs, _ := filepath.Glob("../examples/*/release.json")
	specs = append(specs, jsonSpecs...)
	if len(specs) == 0 {
		t.Fatal("no YAML or JSON example specs")
	}
	for _, p := range specs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(instance(t, data)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if _, err := Compile(Config{Dir: filepath.Dir(p)}); err != nil {
			t.Errorf("%s: the CUE schema rejects what the JSON Schema accepts: %v", p, err)
		}
	}
}

func TestJSONSchemaRejectsBadSpecs(t *testing.T) {
	s := compileJSONSchema(t)
	for name, spec := range map[string]string{
		"missing registry": "name: shop\n",
		"unknown field":    "name: shop\nregistry: ghcr.io/a\nregisty: x\n",
		"bad name":         "name: Shop\nregistry: ghcr.io/a\n",
		"bad language":     "name: shop\nregistry: ghcr.io/a\nservices: {api: {language: rust}}\n",
		"port as string":   "name: shop\nregistry: ghcr.io/a\nservices: {api: {port: \"80\"}}\n",
		"bad target":       "name: shop\nregistry: ghcr.io/a\ntargets: [bitbucket]\n",
		"bad interval":     "name: shop\nregistry: ghcr.io/a\ncanary: {interval: 1h}\n",
		"unknown in rule":  "name: shop\nregistry: ghcr.io/a\nretention: [{keep: 1, any: true, forever: true}]\n",
	} {
		err := s.Validate(instance(t, []byte(spec)))
		if err == nil {
			t.Errorf("%s: the JSON Schema accepts %q", name, spec)
		} else if testing.Verbose() {
			t.Logf("%s: %s", name, strings.SplitN(err.Error(), "\n", 2)[0])
		}
	}
}
