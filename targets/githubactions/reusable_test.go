package githubactions

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// callerKeys are the keys GitHub accepts on a job that calls a reusable
// workflow.
var callerKeys = []string{"name", "uses", "with", "secrets", "strategy", "needs", "if", "concurrency", "permissions"}

// level orders permission levels.
var level = map[any]int{nil: 0, "none": 0, "read": 1, "write": 2}

// exprRef finds what expressions read: "inputs.x", "secrets.X".
var exprRef = regexp.MustCompile(`\b(inputs|secrets)\.([A-Za-z_][A-Za-z0-9_-]*)`)

// TestCallContract checks every caller job of release.yml against the
// workflow it calls: the inputs it passes are declared, with the declared
// type, and it passes every required one; it passes exactly the secrets
// the workflow declares, by name (never all of them); its permissions
// cover the called job's, since a called workflow gets no more than its
// caller grants; and the called workflow reads only inputs and secrets it
// declares. Every called workflow has callers, and no called workflow
// calls another (GitHub limits nesting and the number of workflows).
func TestCallContract(t *testing.T) {
	for _, fx := range fixtures {
		ws := parseAll(t, fx.m())
		called := map[string]bool{}
		for id, j := range file(t, ws, ReleasePath).jobs() {
			job := j.(map[string]any)
			w, cj, ok := callee(t, ws, j)
			if !ok {
				continue
			}
			called[w.path] = true
			where := fx.name + " " + id + " -> " + w.path
			for k := range job {
				if !slices.Contains(callerKeys, k) {
					t.Errorf("%s: a caller job cannot have %q", where, k)
				}
			}
			call := w.doc["on"].(map[string]any)["workflow_call"].(map[string]any)
			declared, _ := call["inputs"].(map[string]any)
			with, _ := job["with"].(map[string]any)
			for name, v := range with {
				d, ok := declared[name].(map[string]any)
				if !ok {
					t.Errorf("%s: passes input %s, which is not declared", where, name)
					continue
				}
				var typeOK bool
				switch d["type"] {
				case "string":
					_, typeOK = v.(string)
				case "number":
					_, typeOK = v.(int)
				case "boolean":
					_, typeOK = v.(bool)
				}
				if !typeOK {
					t.Errorf("%s: input %s = %#v is not a %v", where, name, v, d["type"])
				}
			}
			for name, d := range declared {
				d := d.(map[string]any)
				if _, passed := with[name]; d["required"] == true && !passed {
					t.Errorf("%s: does not pass the required input %s", where, name)
				}
				if _, hasDefault := d["default"]; d["required"] == hasDefault {
					t.Errorf("%s: input %s: required %v, but default given %v", where, name, d["required"], hasDefault)
				}
				if d["description"] == nil {
					t.Errorf("%s: input %s has no description", where, name)
				}
			}
			var passed, want []string
			switch s := job["secrets"].(type) {
			case nil:
			case map[string]any:
				for name, v := range s {
					passed = append(passed, name)
					if v != "${{ secrets."+name+" }}" {
						t.Errorf("%s: secret %s is passed as %v", where, name, v)
					}
				}
			default:
				t.Errorf("%s: secrets: %v; want the secrets by name", where, s)
			}
			secrets, _ := call["secrets"].(map[string]any)
			for name := range secrets {
				want = append(want, name)
			}
			slices.Sort(passed)
			slices.Sort(want)
			if !slices.Equal(passed, want) {
				t.Errorf("%s: passes secrets %v, the workflow declares %v", where, passed, want)
			}
			grant, _ := job["permissions"].(map[string]any)
			need, _ := cj["permissions"].(map[string]any)
			if grant == nil || need == nil {
				t.Errorf("%s: permissions must be explicit on both sides", where)
			}
			for scope, l := range need {
				if level[l] > level[grant[scope]] {
					t.Errorf("%s: the called job needs %s: %v, the caller grants %v", where, scope, l, grant[scope])
				}
			}
			if !slices.Equal(keys(grant), keys(need)) {
				t.Errorf("%s: the caller grants %v, the called job uses %v", where, grant, need)
			}
			walk(w.root, func(k, v *yaml.Node) {
				for _, m := range exprRef.FindAllStringSubmatch(v.Value, -1) {
					switch {
					case m[1] == "inputs" && declared[m[2]] == nil:
						t.Errorf("%s:%d: reads input %s, which is not declared", w.path, v.Line, m[2])
					case m[1] == "secrets" && secrets[m[2]] == nil && m[2] != "GITHUB_TOKEN":
						t.Errorf("%s:%d: reads secret %s, which is not declared", w.path, v.Line, m[2])
					}
				}
				if k.Value == "uses" && strings.HasPrefix(v.Value, "./") {
					t.Errorf("%s:%d: a called workflow calls %s", w.path, v.Line, v.Value)
				}
			})
		}
		for _, w := range ws {
			if strings.HasPrefix(w.path, ".github/workflows/release-") && !called[w.path] {
				t.Errorf("%s: %s is called by no job", fx.name, w.path)
			}
		}
		if len(called) > maxCalledWorkflows {
			t.Errorf("%s: release.yml calls %d workflows; GitHub allows %d", fx.name, len(called), maxCalledWorkflows)
		}
	}
}

// maxCalledWorkflows is the fewest unique reusable workflows one workflow
// may call on any GitHub (20 on GitHub Enterprise Server, 50 on
// github.com).
const maxCalledWorkflows = 20

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestActionlintChecksCalls shows that the lint of the tests checks each
// call against the called workflow: a caller that leaves out a required
// input, passes an input or a secret that is not declared, or reads an
// output that does not exist, is reported.
func TestActionlintChecksCalls(t *testing.T) {
	files := render(t, shopRelease())
	if errs := actionlintErrors(t, files); len(errs) > 0 {
		t.Fatalf("the shop workflows do not lint clean: %v", errs)
	}
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{
			"required input left out",
			"      path: services/api\n      cache-key: api-node\n",
			"      path: services/api\n",
			`input "cache-key" is required by "./.github/workflows/release-test.yml" reusable workflow`,
		},
		{
			"undeclared input",
			"      path: services/api\n      cache-key: api-node\n",
			"      path: services/api\n      cache-key: api-node\n      shard-count: 3\n",
			`input "shard-count" is not defined in "./.github/workflows/release-test.yml" reusable workflow`,
		},
		{
			"undeclared secret",
			"      KUBE_CONFIG: ${{ secrets.KUBE_CONFIG }}\n\n  deploy-api-staging:",
			"      KUBE_CONFIG: ${{ secrets.KUBE_CONFIG }}\n      SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}\n\n  deploy-api-staging:",
			`secret "SLACK_WEBHOOK_URL" is not defined in "./.github/workflows/release-deploy.yml" reusable workflow`,
		},
		{
			"unknown output",
			"digest: ${{ needs.build-api.outputs.digest }}",
			"digest: ${{ needs.build-api.outputs.image-digest }}",
			`property "image-digest" is not defined in object type {digest: string}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			broken := slices.Clone(files)
			i := slices.IndexFunc(broken, func(f targets.File) bool { return f.Path == ReleasePath })
			data := string(broken[i].Data)
			if !strings.Contains(data, tc.old) {
				t.Fatalf("release.yml has no %q", tc.old)
			}
			broken[i].Data = []byte(strings.Replace(data, tc.old, tc.new, 1))
			errs := actionlintErrors(t, broken)
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tc.want) }) {
				t.Errorf("actionlint did not report %q; it reported %v", tc.want, errs)
			}
		})
	}
}

// TestSettle: an input several callers pass the same value for gets that
// value as its default, and only the other callers pass it; a key input
// is always passed; an input only some callers set defaults to its zero
// value.
func TestSettle(t *testing.T) {
	pjs := []*model.Job{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	c := newCalled(model.JobTest, pjs)
	svc := c.key("service", "s")
	cmd := c.input("cmd", "string", "c")
	port := c.input("port", "number", "p")
	glob := c.input("glob", "string", "g")
	unused := c.input("unused", "boolean", "u")
	for _, id := range []string{"a", "b", "c"} {
		svc.set(id, "same")
		port.set(id, map[string]int{"a": 80, "b": 8080, "c": 8080}[id])
	}
	cmd.set("a", "x")
	cmd.set("b", "y")
	glob.set("c", "*.js")
	c.settle()
	got := map[string][]string{}
	for _, id := range c.callers {
		for _, p := range c.params {
			if v, ok := p.passes(id); ok {
				got[id] = append(got[id], p.name+"="+fmt.Sprint(v))
			}
		}
	}
	want := map[string][]string{
		"a": {"service=same", "cmd=x", "port=80"},
		"b": {"service=same", "cmd=y"},
		"c": {"service=same", "glob=*.js"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if svc.hasDef || !cmd.hasDef || cmd.def != "" || port.def != 8080 || glob.def != "" || unused.declared() {
		t.Errorf("defaults: service %v, cmd %v %q, port %v, glob %q, unused declared %v",
			svc.hasDef, cmd.hasDef, cmd.def, port.def, glob.def, unused.declared())
	}
}

// TestTestContainer: the tests of a service run in the toolchain's image
// exactly when it has one; with services of both kinds, the image is
// empty for the others, which runs their tests on the runner.
func TestTestContainer(t *testing.T) {
	for _, fx := range fixtures {
		m := fx.m()
		ws := parseAll(t, m)
		var in, out int
		for _, pj := range m.Plan.Jobs {
			if pj.Kind != model.JobTest {
				continue
			}
			image, suffix, ok := containerImage(pj.Service.Toolchain)
			got := inputsOf(t, ws, pj.ID)
			if !ok {
				out++
				if got["container-image"] != "" {
					t.Errorf("%s %s: container-image %q, want none", fx.name, pj.ID, got["container-image"])
				}
				continue
			}
			in++
			if got["container-image"] != image || got["container-tag-suffix"] != suffix && suffix != "" {
				t.Errorf("%s %s: container %q %q, want %q %q", fx.name, pj.ID, got["container-image"], got["container-tag-suffix"], image, suffix)
			}
		}
		_, j, _ := callee(t, ws, file(t, ws, ReleasePath).jobs()["test-"+m.Services[0].Name])
		container, _ := j["container"].(map[string]any)
		image, _ := container["image"].(string)
		switch {
		case in == 0:
			if j["container"] != nil {
				t.Errorf("%s: tests run in a container: %v", fx.name, j["container"])
			}
		case out > 0:
			if !strings.HasPrefix(image, "${{ inputs.container-image != '' && format(") || !strings.HasSuffix(image, " || '' }}") {
				t.Errorf("%s: container image %q is not empty for the services tested on the runner", fx.name, image)
			}
		default:
			if !strings.HasPrefix(image, "${{ format(") {
				t.Errorf("%s: container image %q", fx.name, image)
			}
		}
	}
}
