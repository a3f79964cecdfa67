package compiler

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const specDoc = "../docs/spec.md"

// schemaFields lists every field path of the JSON Schema: "name",
// "services.<name>.path", "retention[].keep". Fields under a service's
// canary and retention repeat the top-level ones and are documented there.
func schemaFields(t *testing.T) []string {
	t.Helper()
	b, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	defs, _ := doc["$defs"].(map[string]any)
	seen := map[string]bool{}
	var walk func(n any, path string, depth int)
	walk = func(n any, path string, depth int) {
		m, ok := n.(map[string]any)
		if !ok || depth > 12 {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			walk(defs[strings.TrimPrefix(ref, "#/$defs/")], path, depth+1)
		}
		for _, k := range []string{"anyOf", "allOf", "oneOf"} {
			if alts, ok := m[k].([]any); ok {
				for _, a := range alts {
					walk(a, path, depth+1)
				}
			}
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k, v := range props {
				p := k
				if path != "" {
					p = path + "." + k
				}
				seen[p] = true
				walk(v, p, depth+1)
			}
		}
		if ap, ok := m["additionalProperties"].(map[string]any); ok {
			walk(ap, path+".<name>", depth+1)
		}
		if items, ok := m["items"].(map[string]any); ok {
			walk(items, path+"[]", depth+1)
		}
	}
	walk(doc, "", 0)
	var out []string
	for p := range seen {
		if strings.HasPrefix(p, "services.<name>.canary.") || strings.HasPrefix(p, "services.<name>.retention[]") {
			continue
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// documentedFields are the paths in the first column of docs/spec.md's tables.
func documentedFields(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(specDoc)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-zA-Z<>\\[\\].-]+)` \\|").FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	return out
}

// TestSpecDocCoversTheSchema keeps docs/spec.md in step with the schema:
// every field has a row, and every row is a field.
func TestSpecDocCoversTheSchema(t *testing.T) {
	fields := schemaFields(t)
	if len(fields) < 50 {
		t.Fatalf("only %d fields found in the schema", len(fields))
	}
	documented := documentedFields(t)
	for _, f := range fields {
		if !slices.Contains(documented, f) {
			t.Errorf("docs/spec.md does not document %s", f)
		}
	}
	for _, d := range documented {
		if !slices.Contains(fields, d) && !slices.Contains(append(checkNames(), "schema", "ecr-registry"), d) {
			t.Errorf("docs/spec.md documents %s, which is not a field of the schema", d)
		}
	}
}

// TestSpecDocListsEveryCheck requires a row for every semantic check.
func TestSpecDocListsEveryCheck(t *testing.T) {
	documented := documentedFields(t)
	for _, name := range append(checkNames(), "schema", "ecr-registry") {
		if !slices.Contains(documented, name) {
			t.Errorf("docs/spec.md does not list the check %s", name)
		}
	}
}

func checkNames() []string {
	var out []string
	for _, c := range checks {
		out = append(out, c.Name())
	}
	return out
}
