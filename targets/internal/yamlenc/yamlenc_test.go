package yamlenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// tricky are strings a YAML writer easily gets wrong.
var tricky = []string{
	"", " ", "on", "On", "ON", "off", "yes", "no", "y", "n", "true", "False", "null", "~",
	"1", "1.20", "0x1f", "0o17", "1e3", "1_000", "1:20", "2026-01-02", ".5", "+1", "-1", ".inf", ".nan",
	"*alias", "&a", "!tag", "!!str", "a: b", "a:b", "#", "a #b", "a#b", "- x", "-x", "-", "--- x", "...",
	"{", "}", "[", "]", "{a: b}", "[a]", ",", "?", "? x", "|", ">", "%x", "@x", "`x`", "'", "\"", "it's",
	`say "hi"`, `\`, `\n`, `C:\path`, "<<", "=",
	"${{ github.token }}", "${{ '${{' }}", "{{ .x }}", "$(id)", "$VAR", "\\u0027",
	"trailing ", " leading", "\ttab", "a\tb", "tab\t",
	"x\ny", "x\ny\n", "x\ny\n\n", "x\ny\n\n\n", "\nx", "\n\nx\n", "\n", "\n\n", " x\ny", "  x\n  y\n",
	"a \nb", "a\t\nb", "a\n \nb", "a\n\nb\n", "\tx\ny", "a\n\tb\n", "a\n  b\n", "a\r\nb", "a\rb", "\r",
	"# comment\nx", "key: v\n#c\n", "- a\n- b\n", "a\n---\nb\n", "a\n...\nb\n",
	"a\u2028b", "a\u2029b", "a\u0085b", "\ufeffbom", "nul\x00", "bell\a", "del\x7f", "é\nü", "emoji 😀",
	"echo \"$HOME\" 'x' `id` $(id) # c\nif [ -n \"$a\" ]; then\n\techo ok\nfi\n",
	strings.Repeat("long ", 60),
}

func TestRoundTrip(t *testing.T) {
	for _, build := range []struct {
		name string
		fn   func(string) *yaml.Node
	}{{"Str", Str}, {"Literal", Literal}} {
		t.Run(build.name, func(t *testing.T) {
			m := Map()
			seq := Seq()
			for i, s := range tricky {
				Set(m, fmt.Sprintf("k%03d", i), build.fn(s))
				seq.Content = append(seq.Content, build.fn(s))
			}
			doc := Spaced(Map("map", Spaced(m), "seq", seq, "flow", Flow(Strs(tricky...)), "after", "end"))
			b, err := Encode(doc)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Map   map[string]string
				Seq   []string
				Flow  []string
				After string
			}
			if err := yaml.Unmarshal(b, &got); err != nil {
				t.Fatalf("parse back: %v\n%s", err, b)
			}
			for i, s := range tricky {
				if g := got.Map[fmt.Sprintf("k%03d", i)]; g != s {
					t.Errorf("map value %d: got %q, want %q", i, g, s)
				}
			}
			if diff := cmp.Diff(tricky, got.Seq); diff != "" {
				t.Errorf("sequence (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tricky, got.Flow); diff != "" {
				t.Errorf("flow sequence (-want +got):\n%s", diff)
			}
			if got.After != "end" {
				t.Errorf("after = %q", got.After)
			}
			checkYAML11(t, b, tricky)
		})
	}
}

// checkYAML11 reads the document with PyYAML, a YAML 1.1 reader, when it is
// installed (yamllint depends on it), and checks every string survives.
func checkYAML11(t *testing.T, doc []byte, want []string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not found: YAML 1.1 check skipped")
		return
	}
	if exec.Command(py, "-c", "import yaml").Run() != nil {
		t.Log("PyYAML not found: YAML 1.1 check skipped")
		return
	}
	const script = `
import json, sys, yaml
d = yaml.safe_load(sys.stdin.buffer)
json.dump({"seq": d["seq"], "map": [d["map"]["k%03d" % i] for i in range(len(d["seq"]))]}, sys.stdout)
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(doc)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("PyYAML: %v", err)
	}
	var got struct{ Seq, Map []any }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for i, s := range want {
		for _, g := range []any{got.Seq[i], got.Map[i]} {
			if g != s {
				t.Errorf("YAML 1.1 value %d: got %#v, want %q", i, g, s)
			}
		}
	}
}

func TestEncodeShape(t *testing.T) {
	doc := Spaced(Map(
		"name", "release",
		"on", Map("push", Map("branches", Flow(Strs("main")))),
		"permissions", Map(),
		"jobs", Spaced(Map(
			"a", Map("steps", Seq(
				Map("uses", Comment(Str("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"), "v7.0.1"),
					"with", Map("persist-credentials", false)),
				Map("name", "Test", "run", Literal("npm ci\nnpm test\n")),
			)),
			"b", Map("timeout-minutes", 10, "skip", (*yaml.Node)(nil), "needs", []string{"a"}),
		)),
	))
	got, err := Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `name: release

on:
  push:
    branches: [main]

permissions: {}

jobs:
  a:
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - name: Test
        run: |
          npm ci
          npm test

  b:
    timeout-minutes: 10
    needs:
      - a
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestEncodeMarkerInData(t *testing.T) {
	doc := Spaced(Map("a", Literal("x\n"+blankMarker+"\n"), "b", "c"))
	got, err := Encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]string
	if err := yaml.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if back["a"] != "x\n"+blankMarker+"\n" || back["b"] != "c" {
		t.Errorf("marker text in data was altered:\n%s", got)
	}
}

func TestDeterministic(t *testing.T) {
	build := func() []byte {
		m := Map()
		for i, s := range tricky {
			Set(m, fmt.Sprintf("k%03d", i), Str(s))
		}
		b, err := Encode(Spaced(m))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := build(), build()
	if !bytes.Equal(a, b) {
		t.Error("two encodings differ")
	}
	if !bytes.HasSuffix(a, []byte("\n")) || bytes.HasSuffix(a, []byte("\n\n")) || bytes.Contains(a, []byte("\r\n")) {
		t.Error("output must end in exactly one LF and contain no CRLF")
	}
}

func TestMapPanics(t *testing.T) {
	for name, args := range map[string][]any{
		"odd":     {"a"},
		"key":     {1, "x"},
		"badtype": {"a", 1.5},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			Map(args...)
		})
	}
}

func TestGet(t *testing.T) {
	m := Map("a", "x", "b", 2)
	if Get(m, "b").Value != "2" || Get(m, "c") != nil || Get(Str("s"), "a") != nil {
		t.Error("Get returned the wrong node")
	}
}

// TestEncodeInPieces holds the piecewise encoding of large mappings to the
// bytes one encoder writes for the whole document, over documents holding
// every tricky string as key and value, in block and flow collections and
// in literal scripts at several depths.
func TestEncodeInPieces(t *testing.T) {
	jobs := Map()
	for copy := 0; !larger(jobs, 2*chunkNodes); copy++ {
		for i, s := range tricky {
			Set(jobs, fmt.Sprintf("job-%d-%d", copy, i), Map(
				"env", Map("VALUE", s),
				"tags", Flow(Strs(s, "x")),
				"steps", Seq(Map("run", Literal("echo start\n\n"+s+"\n  indented\nend\n")), Comment(Str(s), "c")),
				s, Map("nested", Map("deeper", Seq(Str(s)))),
			))
		}
	}
	if !chunkable(jobs) {
		t.Fatal("the jobs mapping is not large enough to be encoded in pieces")
	}
	if chunkable(Map("a", 1, "b", Map("c", 2))) {
		t.Error("a small mapping would be encoded in pieces")
	}
	// A long list three levels down, as CircleCI's workflows.<name>.jobs,
	// of scalars, of one-entry mappings and of nested lists.
	var list []*yaml.Node
	for copy := 0; len(list) < 3*chunkNodes; copy++ {
		for i, s := range tricky {
			list = append(list,
				Str(s),
				Map(fmt.Sprintf("job-%d-%d", copy, i), Map("requires", Strs(s, "b"), "name", s)),
				Seq(Str(s), Seq(Str(s))),
				Comment(Map("k", s), "item comment"),
			)
		}
	}
	workflow := Map("version", 2, "release", Map("jobs", Seq(list...)))
	if chunkable(Get(Get(workflow, "release"), "jobs")) {
		t.Fatal("a list with commented items would be encoded in pieces")
	}
	list = slices.DeleteFunc(list, commented)
	workflow = Map("version", 2, "release", Map("jobs", Seq(list...)))
	if !chunkable(Get(Get(workflow, "release"), "jobs")) {
		t.Fatal("the workflow's job list is not large enough to be encoded in pieces")
	}
	for _, doc := range []*yaml.Node{
		Map("name", "x", "jobs", jobs),
		Spaced(Map("name", "x", "on", Map("push", Map()), "jobs", Spaced(jobs))),
		Map("only", Map("a", 1)),
		Seq(Str("a"), Str("b")),
		Map("workflows", workflow, "after", 1),
		Seq(list...),
		Map("jobs", jobs, "workflows", Spaced(workflow)),
	} {
		var whole, pieces bytes.Buffer
		if err := encodeOne(&whole, doc, 0); err != nil {
			t.Fatal(err)
		}
		if err := encodeChunks(&pieces, doc); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(whole.String(), pieces.String()); diff != "" {
			t.Errorf("piecewise encoding differs (-whole +pieces):\n%s", diff)
		}
	}
}
