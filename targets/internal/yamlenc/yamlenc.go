// Package yamlenc builds YAML documents as ordered node trees and encodes
// them deterministically. It is shared by every target that writes YAML
// (GitHub Actions, GitLab CI, CircleCI, Flagger).
//
// Trees are made of [*yaml.Node] values built with [Map], [Seq], [Str],
// [Literal], [Int] and [Bool], so that key order is the order the target
// wrote, never an accident of Go maps. [Encode] writes them with a 2-space
// indent, no line wrapping, LF line endings and a trailing newline.
//
// Every string is a !!str scalar: a value such as "on", "yes", "1.20",
// "*alias", "&a", "!tag", "a: b", "#", "-x", "{" or "[" is quoted when a
// YAML 1.1 or 1.2 reader could take it for anything but that string, so it
// always reads back as exactly the string that was given.
package yamlenc

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"gopkg.in/yaml.v3"
)

// Str returns a string scalar. It is emitted plain when that reads back as
// the same string under both YAML 1.1 and YAML 1.2, and quoted otherwise.
// Multi-line strings are emitted as by [Literal].
func Str(s string) *yaml.Node {
	if strings.ContainsAny(s, "\n\r") {
		return Literal(s)
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11Ambiguous(s) || strings.ContainsAny(s, "\u0085\u2028\u2029") {
		// YAML 1.1 reads U+0085, U+2028 and U+2029 as line breaks; only
		// double quotes escape them.
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// Literal returns a string scalar that is emitted as a literal block
// scalar ("|") when it spans several lines and a block scalar can hold it
// exactly. Otherwise (trailing spaces on a line, control characters, a
// carriage return, ...) it falls back to a double-quoted scalar, which can
// hold any string.
func Literal(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case !strings.Contains(s, "\n"):
		if s == "" || yaml11Ambiguous(s) || strings.ContainsAny(s, "\r\u0085\u2028\u2029") {
			n.Style = yaml.DoubleQuotedStyle
		}
	case blockSafe(s):
		n.Style = yaml.LiteralStyle
	default:
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// Int returns an integer scalar.
func Int(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(i)}
}

// Bool returns a boolean scalar, true or false.
func Bool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(b)}
}

// Seq returns a block sequence of items. Nil items are left out.
func Seq(items ...*yaml.Node) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, it := range items {
		if it != nil {
			n.Content = append(n.Content, it)
		}
	}
	return n
}

// Strs returns a sequence of string scalars.
func Strs(ss ...string) *yaml.Node {
	n := Seq()
	for _, s := range ss {
		n.Content = append(n.Content, Str(s))
	}
	return n
}

// Map returns a mapping from alternating keys and values:
//
//	Map("name", "release", "on", Map(...), "permissions", Map())
//
// Keys are strings. A value is a *yaml.Node, a string (as by [Str]), an
// int, a bool or a []string (as by [Strs]). A pair whose value is a nil
// *yaml.Node is left out, which makes optional keys easy to write. Map
// panics on any other argument: that is a programming error.
func Map(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if len(kv)%2 != 0 {
		panic(fmt.Sprintf("yamlenc.Map: odd number of arguments (%d)", len(kv)))
	}
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			panic(fmt.Sprintf("yamlenc.Map: key %d is %T, not a string", i/2, kv[i]))
		}
		Set(n, k, kv[i+1])
	}
	return n
}

// Set appends the pair key: value to the mapping m, converting value as
// [Map] does; a nil *yaml.Node value appends nothing. It returns m.
func Set(m *yaml.Node, key string, value any) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		panic("yamlenc.Set: not a mapping")
	}
	v := node(value)
	if v == nil {
		return m
	}
	m.Content = append(m.Content, Key(key), v)
	return m
}

// Key returns a mapping key. Keys are emitted plain whenever YAML 1.2 reads
// them back as the same string, so that "on" stays `on:` as every GitHub
// workflow writes it.
func Key(k string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}
}

func node(v any) *yaml.Node {
	switch v := v.(type) {
	case nil:
		return nil
	case *yaml.Node:
		return v
	case string:
		return Str(v)
	case int:
		return Int(v)
	case bool:
		return Bool(v)
	case []string:
		return Strs(v...)
	}
	panic(fmt.Sprintf("yamlenc: unsupported value of type %T", v))
}

// Get returns the value stored under key in mapping m, or nil.
func Get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Flow switches a sequence or mapping to flow style ([a, b] or {a: b}) and
// returns it. Use it only for short collections of plain values.
func Flow(n *yaml.Node) *yaml.Node {
	n.Style |= yaml.FlowStyle
	return n
}

// Comment sets a line comment on n, written after it on the same line
// ("uses: owner/repo@sha # v1.2.3"), and returns n. text must be a single
// line; "# " is prepended.
func Comment(n *yaml.Node, text string) *yaml.Node {
	if strings.ContainsAny(text, "\r\n") {
		panic("yamlenc.Comment: comment spans several lines")
	}
	n.LineComment = "# " + text
	return n
}

// Spaced marks mapping m so that [Encode] separates its entries with one
// blank line (top-level keys, the jobs of a workflow), and returns m.
func Spaced(m *yaml.Node) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		panic("yamlenc.Spaced: not a mapping")
	}
	for i := 2; i < len(m.Content); i += 2 {
		m.Content[i].HeadComment = blankMarker
	}
	return m
}

// blankMarker is the head comment Spaced puts on keys; Encode turns each
// line holding only it into an empty line.
const blankMarker = "#yamlenc:blank-line-8f3c2a"

// Encode writes n (a mapping, sequence or scalar, or a document node) as a
// single YAML document: 2-space indent, no line wrapping, LF line endings,
// ending in exactly one newline. Should a value contain the text Spaced
// marks blank lines with, Encode clears those marks in n and writes no
// blank lines rather than risk altering the value.
//
// The bytes are those yaml.v3's encoder writes. The trees the targets
// build are written directly (see emit.go); any other tree is encoded by
// yaml.v3 itself.
func Encode(n *yaml.Node) ([]byte, error) {
	return Append(nil, n)
}

// Append appends n to dst as Encode writes it, and returns the extended
// buffer. dst must be empty or end in a newline. A caller that writes a
// header and then a document, or several documents, into one buffer of
// about the right size avoids a copy of each.
func Append(dst []byte, n *yaml.Node) ([]byte, error) {
	if b, ok := emitSpaced(dst, n); ok {
		return b, nil
	}
	fallbacks.Add(1)
	spaced := hasMarkers(n)
	if spaced && mentions(n, blankMarker) {
		// A value contains the marker text: blank lines could not be told
		// from data, so leave them out rather than guess.
		clearMarkers(n)
		spaced = false
	}
	b, err := encodeYAML(n, spaced)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// emitSpaced appends n to dst with the direct emitter, applying Encode's
// rule on the marker text itself: the emitter reports whether any value or
// comment holds it, in which case the markers are cleared and n is
// written again, without blank lines.
func emitSpaced(dst []byte, n *yaml.Node) ([]byte, bool) {
	b, ok, mentioned := emit(dst, n)
	if !ok || !mentioned || !hasMarkers(n) {
		return b, ok
	}
	clearMarkers(n)
	b, ok, _ = emit(dst, n)
	return b, ok
}

// fallbacks counts the documents Encode has left to yaml.v3.
var fallbacks atomic.Int64

// Fallbacks returns the number of documents Encode has encoded with
// yaml.v3 because the direct emitter declined them. The targets' tests use
// it to check that the documents they build are written directly.
func Fallbacks() int64 {
	return fallbacks.Load()
}

// encodeYAML encodes n with yaml.v3, turning the lines of blank-line
// markers into empty lines when spaced.
func encodeYAML(n *yaml.Node, spaced bool) ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeChunks(&buf, n); err != nil {
		return nil, err
	}
	if !spaced {
		return buf.Bytes(), nil
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == blankMarker {
			lines[i] = "\n"
		}
	}
	return []byte(strings.Join(lines, "")), nil
}

// chunkable reports whether n is a block mapping or sequence worth
// encoding in pieces: large, and with no comment or anchor of its own nor,
// for a sequence, on its items, so that its entries encode the same alone
// as together. (yaml.v3 writes the line comment of a mapping item onto
// the line of the item before it.)
func chunkable(n *yaml.Node) bool {
	switch {
	case n.Style&yaml.FlowStyle != 0 || commented(n) || n.Anchor != "":
		return false
	case n.Kind == yaml.MappingNode && len(n.Content) >= 2:
	case n.Kind == yaml.SequenceNode && len(n.Content) >= 2:
		if slices.ContainsFunc(n.Content, commented) {
			return false
		}
	default:
		return false
	}
	return larger(n, chunkNodes)
}

// commented reports whether n has a comment of its own.
func commented(n *yaml.Node) bool {
	return n.HeadComment != "" || n.LineComment != "" || n.FootComment != ""
}

// chunkNodes is the number of nodes from which a mapping or sequence is
// encoded in pieces. Each piece costs an encoder (a few KB of buffers), so
// small documents, such as one service's manifest, are encoded whole.
const chunkNodes = 2000

// larger reports whether the tree under n has more than limit nodes. It
// stops counting there.
func larger(n *yaml.Node, limit int) bool {
	count := 0
	var walk func(*yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		count++
		if count > limit {
			return true
		}
		for _, c := range n.Content {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(n)
}

// encodeChunks writes n in pieces where it is large: yaml.v3 keeps every
// event of a document until the document ends, so one encoder for a large
// document holds all of them in one growing slice.
func encodeChunks(buf *bytes.Buffer, n *yaml.Node) error {
	return encodeLevel(buf, n, 0)
}

// encodeLevel writes n, which is nested depth levels down (see
// encodeOne). A large mapping is written entry by entry and a large
// sequence item by item; an entry whose value is large in turn is written
// as its key's line followed by the value, one level down.
func encodeLevel(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	if !chunkable(n) {
		return encodeOne(buf, n, depth)
	}
	if n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if err := encodeOne(buf, part(n, item), depth); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !chunkable(v) || k.LineComment != "" || k.FootComment != "" {
			if err := encodeOne(buf, pair(k, v), depth); err != nil {
				return err
			}
			continue
		}
		if err := encodeKey(buf, k, depth); err != nil {
			return err
		}
		if err := encodeLevel(buf, v, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// encodeKey writes the line of key k (with its head comment) for a block
// value that follows one level down: it encodes k with a placeholder
// mapping and drops the placeholder's line.
func encodeKey(buf *bytes.Buffer, k *yaml.Node, depth int) error {
	var out bytes.Buffer
	if err := encodeOne(&out, pair(k, Map(nestKey, "placeholder")), depth); err != nil {
		return err
	}
	b := out.Bytes()
	tail := []byte(strings.Repeat("  ", depth+1) + nestKey + ": placeholder\n")
	if !bytes.HasSuffix(b, tail) {
		return fmt.Errorf("yamlenc: key encoded as %.40q", b)
	}
	buf.Write(b[:len(b)-len(tail)])
	return nil
}

// part returns a node like the mapping or sequence n holding only content.
func part(n *yaml.Node, content ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: n.Kind, Tag: n.Tag, Style: n.Style, Content: content}
}

// pair returns the block mapping of one entry.
func pair(k, v *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{k, v}}
}

// nestKey is the key encodeOne nests a piece under.
const nestKey = "n"

// encodeOne encodes n with its own encoder, as a value nested depth levels
// down: under depth placeholder keys, so that yaml.v3 itself indents every
// line, including the continuation lines of quoted scalars that break at
// U+2028 and the like; the placeholders' lines are dropped.
func encodeOne(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	for range depth {
		n = pair(Key(nestKey), n)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := encode(enc, n); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	b := out.Bytes()
	for level := range depth {
		head := strings.Repeat("  ", level) + nestKey + ":\n"
		if !bytes.HasPrefix(b, []byte(head)) {
			return fmt.Errorf("yamlenc: nested piece encoded as %.40q", out.Bytes())
		}
		b = b[len(head):]
	}
	buf.Write(b)
	return nil
}

// encode turns the panics with which the yaml package reports some errors
// into errors.
func encode(enc *yaml.Encoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yamlenc: %v", r)
		}
	}()
	return enc.Encode(n)
}

func hasMarkers(n *yaml.Node) bool {
	if n.HeadComment == blankMarker {
		return true
	}
	for _, c := range n.Content {
		if hasMarkers(c) {
			return true
		}
	}
	return false
}

func clearMarkers(n *yaml.Node) {
	if n.HeadComment == blankMarker {
		n.HeadComment = ""
	}
	for _, c := range n.Content {
		clearMarkers(c)
	}
}

// mentions reports whether text occurs in any value or comment of the tree
// other than the blank-line markers themselves.
func mentions(n *yaml.Node, text string) bool {
	if strings.Contains(n.Value, text) || strings.Contains(n.LineComment, text) || strings.Contains(n.FootComment, text) {
		return true
	}
	if n.HeadComment != blankMarker && strings.Contains(n.HeadComment, text) {
		return true
	}
	for _, c := range n.Content {
		if mentions(c, text) {
			return true
		}
	}
	return false
}

// blockSafe reports whether a literal block scalar reads back as exactly s,
// whatever follows it in the document. It is conservative: strings with
// trailing blanks on a line, a leading blank or line break, more than one
// trailing line break ("|+" would swallow a following blank line), a line
// starting with a tab, carriage
// returns, control characters or the line breaks YAML 1.1 knows beyond LF
// are left to double quotes, which hold any string.
func blockSafe(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return false
		}
		if strings.HasPrefix(line, "\t") {
			// yaml.v3 (and so actionlint) rejects a tab right after the
			// indentation of a block scalar, although YAML allows it.
			return false
		}
	}
	for _, r := range s {
		switch {
		case r == '\n':
		case r == '\t':
		case r < 0x20 || r == 0x7f:
			return false
		case r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff:
			return false
		case r >= 0x80 && r <= 0x9f:
			return false
		}
	}
	// A block scalar cannot start with blank lines followed by a more
	// indented line without an indentation indicator, and cannot consist
	// only of line breaks; leave those to double quotes.
	if strings.TrimLeft(s, "\n") == "" || strings.HasSuffix(s, "\n\n") {
		return false
	}
	if strings.HasPrefix(s, "\n") || strings.HasPrefix(s, " ") {
		return false
	}
	return true
}

// yaml11Ambiguous reports whether a plain scalar s could be read as
// something other than a string by a YAML 1.1 reader (booleans such as
// yes/no/on/off, sexagesimal numbers, timestamps, the merge key "<<" and the
// value key "=") even where YAML 1.2 reads
// a string. yaml.v3 already quotes what YAML 1.2 would misread.
func yaml11Ambiguous(s string) bool {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "", "<<", "=":
		return true
	}
	c := s[0]
	if !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("_.:+-", c) >= 0) {
			return false
		}
	}
	return true
}
