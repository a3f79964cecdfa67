package circleci

import (
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// escapedOpen is CircleCI's escape for a literal "<<": the config compiler
// reads "\<<" as "<<" and does not start a parameter reference there.
const escapedOpen = `\<<`

// literal returns s with every "<<" written as "\<<". CircleCI replaces
// "<< pipeline.* >>", "<< parameters.* >>" and "<< matrix.* >>" in every
// string of a 2.1 config before it runs anything, so every string that
// reaches the config, spec data and release-gen's own scripts alike (bash
// here-strings are "<<<"), goes through literal. A "\<<" already in the
// text cannot be written unambiguously; Check rejects spec values that
// hold one.
func literal(s string) string { return strings.ReplaceAll(s, "<<", escapedOpen) }

// tmpl is config text that holds CircleCI template syntax on purpose, such
// as "<< parameters.version >>" or `{{ checksum "go.sum" }}`. It is
// written as is; any spec data in it must be safe by construction.
type tmpl string

// str is a data string scalar.
func str(s string) *yaml.Node { return yamlenc.Str(literal(s)) }

// script is a run command, a literal block where possible.
func script(s string) *yaml.Node { return yamlenc.Literal(literal(s)) }

// obj builds a mapping from alternating keys and values. Values are
// *yaml.Node, string (data, escaped), tmpl (written as is), []string
// (data), int or bool; a nil *yaml.Node leaves the pair out.
func obj(kv ...any) *yaml.Node {
	if len(kv)%2 != 0 {
		panic("circleci.obj: odd number of arguments")
	}
	m := yamlenc.Map()
	for i := 0; i < len(kv); i += 2 {
		set(m, kv[i].(string), kv[i+1])
	}
	return m
}

// set appends key: value to mapping m, converting value as obj does.
func set(m *yaml.Node, key string, value any) {
	switch v := value.(type) {
	case string:
		value = str(v)
	case tmpl:
		value = yamlenc.Str(string(v))
	case []string:
		value = strs(v...)
	}
	yamlenc.Set(m, key, value)
}

// strs is a sequence of data strings.
func strs(ss ...string) *yaml.Node {
	seq := yamlenc.Seq()
	for _, s := range ss {
		seq.Content = append(seq.Content, str(s))
	}
	return seq
}

// flowStrs is a short flow sequence of data strings: [drift, test-api].
func flowStrs(ss ...string) *yaml.Node { return yamlenc.Flow(strs(ss...)) }

// env is an ordered environment: mapping, built like obj. Scripts read
// spec data only from it, as "$NAME".
func env(kv ...any) *yaml.Node { return obj(kv...) }
