package githubactions

import (
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// neutralised is what literal writes in place of each "${{": a GitHub
// expression whose value is the string "${{". GitHub evaluates it back to
// the original text, so spec data is never evaluated as an expression.
const neutralised = "${{ '${{' }}"

// literal returns s with every "${{" replaced by an expression that
// evaluates to "${{". Every spec-derived string that lands in a workflow,
// wherever it lands, goes through literal: GitHub evaluates "${{ ... }}" in
// almost every value (run scripts, env, with, names, URLs), and spec data
// must stay data.
func literal(s string) string {
	return strings.ReplaceAll(s, "${{", neutralised)
}

// expr is text that holds GitHub expressions on purpose, such as
// "${{ secrets.KUBE_CONFIG }}". It is written as is; any spec data in it
// must have gone through literal or exprString already.
type expr string

// exprString quotes s as a string literal of the GitHub expression
// language: in single quotes, with each single quote doubled.
func exprString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// secretExpr returns the expression that reads the secret called name.
func secretExpr(name string) expr { return expr("${{ secrets." + name + " }}") }

// globEscape escapes the characters that GitHub's branch and tag filters
// treat as pattern syntax, so that a branch name matches only itself. The
// filter syntax lets only [, ?, +, *, \ and ! be escaped; "]" is literal
// once "[" is escaped.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?+[!\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The helpers below build YAML nodes so that spec data cannot skip literal:
// a Go string is data and is neutralised, an expr is written as is.

// str is a data string scalar.
func str(s string) *yaml.Node { return yamlenc.Str(literal(s)) }

// script is a run: script, a literal block where possible.
func script(s string) *yaml.Node { return yamlenc.Literal(literal(s)) }

// obj builds a mapping from alternating keys and values. Values are
// *yaml.Node, string (data, neutralised), expr (written as is), []string
// (data), int or bool; a nil *yaml.Node leaves the pair out.
func obj(kv ...any) *yaml.Node {
	m := yamlenc.Map()
	for i := 0; i+1 < len(kv); i += 2 {
		set(m, kv[i].(string), kv[i+1])
	}
	if len(kv)%2 != 0 {
		panic("githubactions.obj: odd number of arguments")
	}
	return m
}

// set appends key: value to mapping m, converting value as obj does.
func set(m *yaml.Node, key string, value any) {
	switch v := value.(type) {
	case string:
		value = str(v)
	case expr:
		value = yamlenc.Str(string(v))
	case []string:
		seq := yamlenc.Seq()
		for _, s := range v {
			seq.Content = append(seq.Content, str(s))
		}
		value = seq
	}
	yamlenc.Set(m, key, value)
}

// unevaluated is a data string in a position GitHub never evaluates
// expressions in (on: filters, workflow_dispatch input options): there,
// literal would change the value, so it is written as it is.
func unevaluated(ss ...string) *yaml.Node {
	return yamlenc.Flow(yamlenc.Strs(ss...))
}

// strs is a sequence of data strings.
func strs(ss ...string) *yaml.Node {
	seq := yamlenc.Seq()
	for _, s := range ss {
		seq.Content = append(seq.Content, str(s))
	}
	return seq
}

// flowStrs is a short flow sequence of data strings: [main].
func flowStrs(ss ...string) *yaml.Node { return yamlenc.Flow(strs(ss...)) }

// env is an ordered env: mapping, built like obj. Scripts read spec data
// and GitHub context only from it, as "$NAME".
func env(kv ...any) *yaml.Node { return obj(kv...) }
