package gitlabci

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets"
)

// maxExtends is how many levels of extends GitLab follows (eleven, the
// job's own included: doc/ci/yaml, extends).
const maxExtends = 11

// resolveJobs returns every job of a pipeline as GitLab sees it once
// extends is applied, by name; hidden jobs (names starting with ".") and
// the global keys are not jobs. A job's extends names one template or a
// list of them, applied in order; each template may extend others. The
// job's own keys are merged over them the way GitLab does: hashes merge
// key by key, at any depth, and anything else (arrays, strings, numbers)
// replaces what the template has.
func resolveJobs(doc map[string]any) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for name := range doc {
		if slices.Contains(globalKeys, name) || strings.HasPrefix(name, ".") {
			continue
		}
		j, err := resolveJob(doc, name, 1)
		if err != nil {
			return nil, err
		}
		out[name] = j
	}
	return out, nil
}

func resolveJob(doc map[string]any, name string, level int) (map[string]any, error) {
	if level > maxExtends {
		return nil, fmt.Errorf("%s: more than %d levels of extends", name, maxExtends)
	}
	j, ok := doc[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("extends names %q, which is not a job or template", name)
	}
	var parents []string
	switch e := j["extends"].(type) {
	case nil:
	case string:
		parents = []string{e}
	case []any:
		for _, p := range e {
			parents = append(parents, p.(string))
		}
	default:
		return nil, fmt.Errorf("%s: extends is a %T", name, e)
	}
	merged := map[string]any{}
	for _, p := range parents {
		base, err := resolveJob(doc, p, level+1)
		if err != nil {
			return nil, err
		}
		merged = deepMerge(merged, base)
	}
	own := maps.Clone(j)
	delete(own, "extends")
	return deepMerge(merged, own), nil
}

// deepMerge returns base with over merged into it: a key that holds a hash
// in both is merged again, any other key of over replaces base's.
func deepMerge(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range over {
		bm, bok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			out[k] = deepMerge(bm, om)
			continue
		}
		out[k] = v
	}
	return out
}

// resolvedFile is the pipeline as GitLab sees it after extends: the
// global keys and every job with its templates merged in, keys sorted.
func resolvedFile(t *testing.T, p pipelineFile) targets.File {
	t.Helper()
	doc := map[string]any{}
	for k, v := range p.doc {
		if slices.Contains(globalKeys, k) {
			doc[k] = v
		}
	}
	for name, j := range p.jobs() {
		doc[name] = j
	}
	var b bytes.Buffer
	b.WriteString("# " + Path + " with extends applied, as GitLab sees it (written by TestResolved).\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return targets.File{Path: "resolved.yml", Data: b.Bytes(), Target: name}
}

// TestResolved compares each fixture's pipeline, once its templates are
// merged into its jobs, with testdata/TestResolved/<fixture>/resolved.yml.
// The golden files were first written from the pipeline that spelled out
// every job in full, so that they pin every job's keys and values to what
// they were before templates.
func TestResolved(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			golden(t, resolvedFile(t, parse(t, fx.m(t))))
		})
	}
}
