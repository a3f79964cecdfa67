package jenkins

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// This file reads a rendered Jenkinsfile back, independently of the code
// that writes it: it applies Groovy's unicode-escape pass to the source,
// lexes the subset of Groovy the Jenkinsfile may use (identifiers,
// numbers, single-quoted and triple-single-quoted strings, punctuation,
// comments; a double-quoted string or a slashy string is an error, since
// those interpolate) and parses it into a tree of statements.

// unicodeEscapes does what Groovy's UnicodeEscapingReader does before
// lexing: a backslash followed by one or more 'u' and four hex digits is
// replaced by that UTF-16 code unit, unless the backslash is itself
// escaped (preceded by an odd number of backslashes, which the reader
// consumes in pairs).
func unicodeEscapes(src string) (string, error) {
	var units []uint16
	s := utf16.Encode([]rune(src))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			units = append(units, s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\\' {
			units = append(units, '\\', '\\')
			i++
			continue
		}
		j := i + 1
		for j < len(s) && s[j] == 'u' {
			j++
		}
		if j == i+1 {
			units = append(units, '\\')
			continue
		}
		if j+4 > len(s) {
			return "", fmt.Errorf("truncated unicode escape at %d", i)
		}
		v, err := strconv.ParseUint(string(utf16.Decode(s[j:j+4])), 16, 16)
		if err != nil {
			return "", fmt.Errorf("bad unicode escape at %d: %v", i, err)
		}
		units = append(units, uint16(v))
		i = j + 3
	}
	return string(utf16.Decode(units)), nil
}

type tokKind int

const (
	tIdent tokKind = iota
	tString
	tNumber
	tPunct
	tNewline
)

type token struct {
	kind tokKind
	text string // identifier, punctuation, number, or the string's value
	line int
}

// lex tokenises src after the unicode-escape pass.
func lex(src string) ([]token, error) {
	src, err := unicodeEscapes(src)
	if err != nil {
		return nil, err
	}
	var toks []token
	line := 1
	rs := []rune(src)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case c == '\n':
			toks = append(toks, token{tNewline, "\n", line})
			line++
			i++
		case c == ' ' || c == '\t':
			i++
		case c == '/' && i+1 < len(rs) && rs[i+1] == '/':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(rs) && rs[i+1] == '*':
			return nil, fmt.Errorf("line %d: block comment", line)
		case c == '"' || c == '/' || c == '$':
			return nil, fmt.Errorf("line %d: %q starts an interpolating string or is not in the expected subset", line, c)
		case c == '\'':
			triple := i+2 < len(rs) && rs[i+1] == '\'' && rs[i+2] == '\''
			start := line
			var b strings.Builder
			if triple {
				i += 3
			} else {
				i++
			}
			for {
				if i >= len(rs) {
					return nil, fmt.Errorf("line %d: unterminated string", start)
				}
				r := rs[i]
				if triple && r == '\'' && i+2 < len(rs) && rs[i+1] == '\'' && rs[i+2] == '\'' {
					i += 3
					break
				}
				if !triple && r == '\'' {
					i++
					break
				}
				if r == '\n' {
					if !triple {
						return nil, fmt.Errorf("line %d: line break in a single-quoted string", line)
					}
					line++
				}
				if r == '\r' {
					return nil, fmt.Errorf("line %d: raw carriage return in a string", line)
				}
				if r != '\\' {
					b.WriteRune(r)
					i++
					continue
				}
				if i+1 >= len(rs) {
					return nil, fmt.Errorf("line %d: trailing backslash", line)
				}
				esc := map[rune]string{'\\': `\`, '\'': `'`, '"': `"`, 'n': "\n", 'r': "\r", 't': "\t", 'b': "\b", 'f': "\f", '$': "$"}
				v, ok := esc[rs[i+1]]
				if !ok {
					return nil, fmt.Errorf("line %d: unknown escape \\%c", line, rs[i+1])
				}
				b.WriteString(v)
				i += 2
			}
			toks = append(toks, token{tString, b.String(), start})
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(rs) && (rs[j] == '_' || rs[j] == '.' || rs[j] >= 'a' && rs[j] <= 'z' || rs[j] >= 'A' && rs[j] <= 'Z' || rs[j] >= '0' && rs[j] <= '9') {
				j++
			}
			toks = append(toks, token{tIdent, string(rs[i:j]), line})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			toks = append(toks, token{tNumber, string(rs[i:j]), line})
			i = j
		case strings.ContainsRune("{}()[],:=+!#@.", c):
			toks = append(toks, token{tPunct, string(c), line})
			i++
		default:
			return nil, fmt.Errorf("line %d: unexpected %q", line, c)
		}
	}
	return toks, nil
}

// node is one statement: a name, the tokens after it up to the end of the
// line or its block (parenthesised arguments may span lines), and the
// statements of its block.
type node struct {
	name     string
	args     []token
	children []*node
	block    bool
	line     int
}

// parse parses the statements of a Jenkinsfile. The file may import
// groovy.transform.Field and define string constants with
// `@Field final String name = '...'`; parse returns the other statements,
// with each use of a constant as a named argument's value replaced by its
// string. A constant that is never used, defined twice, or a name used as
// a value that is not one (true and false aside) is an error.
func parse(src string) ([]*node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	nodes, err := p.statements(false)
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, fmt.Errorf("line %d: unexpected %q", p.toks[p.i].line, p.toks[p.i].text)
	}
	return resolveFields(nodes)
}

// resolveFields takes the import and the @Field constants out of the
// top-level statements and substitutes the constants where they are used.
func resolveFields(nodes []*node) ([]*node, error) {
	fields := map[string]string{}
	used := map[string]bool{}
	var rest []*node
	for _, n := range nodes {
		switch n.name {
		case "import":
			if got := tokensText(n.args); got != "groovy.transform.Field" {
				return nil, fmt.Errorf("line %d: unexpected import %s", n.line, got)
			}
		case "@":
			a := n.args
			if len(a) != 6 || a[0].text != "Field" || a[1].text != "final" || a[2].text != "String" ||
				a[3].kind != tIdent || a[4].text != "=" || a[5].kind != tString {
				return nil, fmt.Errorf("line %d: not a @Field final String constant: %s", n.line, tokensText(a))
			}
			if _, dup := fields[a[3].text]; dup {
				return nil, fmt.Errorf("line %d: %s is defined twice", n.line, a[3].text)
			}
			fields[a[3].text] = a[5].text
		default:
			rest = append(rest, n)
		}
	}
	var bad error
	walkNodes(rest, func(n *node) {
		for i := 1; i < len(n.args); i++ {
			t := &n.args[i]
			if t.kind != tIdent || n.args[i-1].text != ":" || t.text == "true" || t.text == "false" {
				continue
			}
			v, ok := fields[t.text]
			if !ok {
				bad = fmt.Errorf("line %d: %s is not defined", t.line, t.text)
				continue
			}
			used[t.text] = true
			*t = token{kind: tString, text: v, line: t.line}
		}
	})
	if bad != nil {
		return nil, bad
	}
	for name := range fields {
		if !used[name] {
			return nil, fmt.Errorf("constant %s is never used", name)
		}
	}
	return rest, nil
}

// tokensText joins the text of toks.
func tokensText(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) statements(inBlock bool) ([]*node, error) {
	var out []*node
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		switch {
		case t.kind == tNewline:
			p.i++
			continue
		case t.kind == tPunct && t.text == "}":
			if !inBlock {
				return nil, fmt.Errorf("line %d: unbalanced }", t.line)
			}
			return out, nil
		case t.kind == tPunct && t.text == "@" && !inBlock:
			// An annotated declaration; resolveFields reads it.
		case t.kind != tIdent:
			return nil, fmt.Errorf("line %d: statement starts with %q", t.line, t.text)
		}
		n := &node{name: t.text, line: t.line}
		p.i++
		depth := 0
		for p.i < len(p.toks) {
			t := p.toks[p.i]
			if depth == 0 && (t.kind == tNewline || t.kind == tPunct && t.text == "}") {
				break
			}
			if depth == 0 && t.kind == tPunct && t.text == "{" {
				p.i++
				kids, err := p.statements(true)
				if err != nil {
					return nil, err
				}
				if p.i >= len(p.toks) {
					return nil, fmt.Errorf("line %d: unclosed block of %s", n.line, n.name)
				}
				p.i++ // }
				n.children, n.block = kids, true
				break
			}
			if t.kind == tPunct && (t.text == "(" || t.text == "[") {
				depth++
			}
			if t.kind == tPunct && (t.text == ")" || t.text == "]") {
				depth--
			}
			if t.kind != tNewline {
				n.args = append(n.args, t)
			}
			p.i++
		}
		out = append(out, n)
	}
	if inBlock {
		return nil, fmt.Errorf("unclosed block")
	}
	return out, nil
}

// strs returns the string tokens of n's arguments.
func (n *node) strs() []string {
	var out []string
	for _, t := range n.args {
		if t.kind == tString {
			out = append(out, t.text)
		}
	}
	return out
}

// child returns n's first child statement called name, or nil.
func (n *node) child(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// named returns the value of the named argument key: 'value' in n's
// arguments.
func (n *node) named(key string) (string, bool) {
	for i := 0; i+2 < len(n.args); i++ {
		if n.args[i].kind == tIdent && n.args[i].text == key && n.args[i+1].text == ":" && n.args[i+2].kind == tString {
			return n.args[i+2].text, true
		}
	}
	return "", false
}

// namedAll returns the values of every named argument key: 'value'.
func (n *node) namedAll(key string) []string {
	var out []string
	for i := 0; i+2 < len(n.args); i++ {
		if n.args[i].kind == tIdent && n.args[i].text == key && n.args[i+1].text == ":" && n.args[i+2].kind == tString {
			out = append(out, n.args[i+2].text)
		}
	}
	return out
}

// walkNodes calls fn for n and every statement below it.
func walkNodes(nodes []*node, fn func(*node)) {
	for _, n := range nodes {
		fn(n)
		walkNodes(n.children, fn)
	}
}
