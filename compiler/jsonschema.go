package compiler

import (
	"encoding/json"
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/encoding/jsonschema"

	"release-gen.dev/release-gen/schema"
)

// virtualRoot is where the embedded schema is loaded from when no spec
// directory is involved; it exists only in the load overlay.
const virtualRoot = "/release-gen.dev/embedded"

// JSONSchema returns the JSON Schema (draft 2020-12) of a release spec,
// generated from the embedded CUE schema, for editors and YAML specs.
func JSONSchema() ([]byte, error) {
	ov, err := overlay(virtualRoot, false)
	if err != nil {
		return nil, err
	}
	insts := load.Instances([]string{schema.ImportPath}, &load.Config{Dir: virtualRoot, Overlay: ov})
	if len(insts) != 1 || insts[0].Err != nil {
		return nil, fmt.Errorf("internal error: loading the embedded schema: %v", instErr(insts))
	}
	ctx := cuecontext.New()
	sv := ctx.BuildInstance(insts[0])
	def := sv.LookupPath(cue.ParsePath(schema.Definition))
	expr, err := jsonschema.Generate(def, &jsonschema.GenerateConfig{})
	if err != nil {
		return nil, fmt.Errorf("internal error: generating the JSON Schema: %w", err)
	}
	v := ctx.BuildExpr(expr)
	raw, err := v.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("internal error: encoding the JSON Schema: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	dropDefaultedRequired(doc)
	openRefSiblings(doc)
	doc["$id"] = "https://release-gen.dev/schema/release.json"
	doc["title"] = "release-gen release spec"
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// defaultedFields are fields that #Release fills in through a pattern
// constraint (services.<name>.path, environments.<name>.namespace, ...),
// so that the definitions alone list them as required. A spec may omit them.
var defaultedFields = map[string]bool{"path": true, "dockerfile": true, "namespace": true, "tagPrefix": true}

// dropDefaultedRequired removes defaultedFields from every "required" list.
func dropDefaultedRequired(n any) {
	switch n := n.(type) {
	case map[string]any:
		if req, ok := n["required"].([]any); ok {
			var keep []any
			for _, r := range req {
				if name, _ := r.(string); !defaultedFields[name] {
					keep = append(keep, r)
				}
			}
			if len(keep) == 0 {
				delete(n, "required")
			} else {
				n["required"] = keep
			}
		}
		for _, v := range n {
			dropDefaultedRequired(v)
		}
	case []any:
		for _, v := range n {
			dropDefaultedRequired(v)
		}
	}
}

// openRefSiblings fixes objects that combine "$ref" with
// "additionalProperties": false, as the generator writes for a definition
// refined in place (#Service & {path: ...}): in draft 2020-12 the sibling
// keyword sees only the sibling properties and would reject every field of
// the referenced definition, which closes itself.
func openRefSiblings(n any) {
	switch n := n.(type) {
	case map[string]any:
		if _, ok := n["$ref"]; ok && n["additionalProperties"] == false {
			delete(n, "additionalProperties")
		}
		for _, v := range n {
			openRefSiblings(v)
		}
	case []any:
		for _, v := range n {
			openRefSiblings(v)
		}
	}
}
