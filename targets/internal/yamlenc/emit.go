package yamlenc

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// This file holds the direct emitter: it writes the node trees this
// package builds straight into a byte slice, byte for byte as yaml.v3's
// encoder writes them with a 2-space indent (yaml.v3 never wraps lines:
// its encoder sets no line width, which its emitter takes as unlimited).
// Each step follows the yaml.v3 emitter function named in its comment,
// keeping the same state (column, indentation, whether the last character
// written was whitespace, ...) so that the same decisions come out.
//
// It declines any tree it is not certain to reproduce: a node kind other
// than a mapping, sequence or scalar, an anchor, an alias, an explicit tag
// yaml.v3 would write, a scalar style other than plain, double-quoted or
// literal, invalid UTF-8, a comment other than a scalar's line comment in
// block context or the blank-line marker of [Spaced], a key yaml.v3 would
// write as a complex key ("? ..."), a scalar at the root, or a single-quoted
// or literal scalar holding U+2028 or U+2029. [Encode] then uses yaml.v3.

// emitter is the state of one direct emission, as in yaml.v3's emitter.
type emitter struct {
	mentioned  bool // a value or comment holds the blank-line marker's text
	buf        []byte
	start      int  // where in buf this document begins
	column     int  // characters written on the current line
	indent     int  // indentation of the current block, -1 outside any
	flowLevel  int  // depth of flow collections
	whitespace bool // the last character written counts as whitespace
	indention  bool // the current line holds only indentation so far
}

// scalar styles, as yaml.v3's emitter chooses them.
type scalarStyle int

const (
	plainStyle scalarStyle = iota
	singleQuotedStyle
	doubleQuotedStyle
	literalStyle
)

// emit appends n to dst as one YAML document the way yaml.v3 encodes it,
// with each blank-line marker written as an empty line. dst must be empty
// or end in a newline. ok is false when the emitter declines the tree.
// mentioned reports whether a value or comment of an accepted tree holds
// the marker's text, as Encode's check of the whole tree would: the
// emitter sees every node, and declines comments elsewhere and
// collections with a value.
func emit(dst []byte, n *yaml.Node) (out []byte, ok, mentioned bool) {
	if n == nil || n.Kind == yaml.ScalarNode {
		return nil, false, false
	}
	e := &emitter{buf: dst, start: len(dst), indent: -1, whitespace: true, indention: true}
	if !e.node(n) {
		return nil, false, false
	}
	e.writeIndent() // yaml_emitter_emit_document_end
	return e.buf, true, e.mentioned
}

// node writes a mapping, sequence or scalar value (yaml_emitter_emit_node).
func (e *emitter) node(n *yaml.Node) bool {
	if n == nil || n.Anchor != "" || n.HeadComment != "" || n.FootComment != "" {
		return false
	}
	switch n.Kind {
	case yaml.MappingNode:
		return e.mapping(n)
	case yaml.SequenceNode:
		return e.sequence(n)
	case yaml.ScalarNode:
		return e.scalar(n, false)
	}
	return false
}

// collection reports whether the mapping or sequence n is one yaml.v3
// writes without a tag or comment (and has no value, which yaml.v3
// ignores), and whether in flow style.
func collection(n *yaml.Node, tag string) (ok, flow bool) {
	if n.Tag != "" && n.Tag != tag || n.LineComment != "" || n.Value != "" {
		return false, false
	}
	switch n.Style {
	case 0:
		return true, false
	case yaml.FlowStyle:
		return true, true
	}
	return false, false
}

// mapping writes a mapping (yaml_emitter_emit_mapping_start): in flow
// style when asked, inside a flow collection, or when empty.
func (e *emitter) mapping(n *yaml.Node) bool {
	ok, flow := collection(n, "!!map")
	if !ok || len(n.Content)%2 != 0 {
		return false
	}
	if flow || e.flowLevel > 0 || len(n.Content) == 0 {
		return e.flowMapping(n)
	}
	return e.blockMapping(n)
}

// sequence writes a sequence (yaml_emitter_emit_sequence_start): in flow
// style when asked, inside a flow collection, or when empty.
func (e *emitter) sequence(n *yaml.Node) bool {
	ok, flow := collection(n, "!!seq")
	if !ok {
		return false
	}
	if flow || e.flowLevel > 0 || len(n.Content) == 0 {
		return e.flowSequence(n)
	}
	return e.blockSequence(n)
}

// blockMapping writes "key: value" lines (yaml_emitter_emit_block_mapping_key
// and _value).
func (e *emitter) blockMapping(n *yaml.Node) bool {
	outer := e.increaseIndent(false)
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if k == nil || k.HeadComment != "" && (k.HeadComment != blankMarker || !e.blankLine()) {
			return false
		}
		e.writeIndent()
		if !e.key(k) {
			return false
		}
		e.indicator(":", false, false, false)
		if !e.node(n.Content[i+1]) {
			return false
		}
	}
	e.indent = outer
	return true
}

// blankLine writes the line yaml.v3 gives the blank-line marker (a head
// comment, yaml_emitter_process_head_comment) as the empty line [Encode]
// makes of it. It declines when that line would hold more than the marker.
func (e *emitter) blankLine() bool {
	e.writeIndent()
	start := max(bytes.LastIndexByte(e.buf, '\n')+1, e.start)
	if len(bytes.TrimLeft(e.buf[start:], " ")) != 0 {
		return false
	}
	e.buf = append(e.buf[:start], '\n')
	e.column, e.indention, e.whitespace = 0, true, true
	return true
}

// blockSequence writes "- item" lines (yaml_emitter_emit_block_sequence_item).
func (e *emitter) blockSequence(n *yaml.Node) bool {
	outer := e.increaseIndent(false)
	for _, item := range n.Content {
		e.writeIndent()
		e.indicator("-", true, false, true)
		if !e.node(item) {
			return false
		}
	}
	e.indent = outer
	return true
}

// flowMapping writes {key: value, ...} (yaml_emitter_emit_flow_mapping_key
// and _value). Nothing in it breaks a line: it holds no comments, and its
// scalars are neither literal nor written over several lines.
func (e *emitter) flowMapping(n *yaml.Node) bool {
	return e.flow("{", "}", len(n.Content)/2, func(i int) bool {
		if k := n.Content[2*i]; k == nil || k.HeadComment != "" || !e.key(k) {
			return false
		}
		e.indicator(":", false, false, false)
		return e.node(n.Content[2*i+1])
	})
}

// flowSequence writes [item, ...] (yaml_emitter_emit_flow_sequence_item),
// on one line as flowMapping.
func (e *emitter) flowSequence(n *yaml.Node) bool {
	return e.flow("[", "]", len(n.Content), func(i int) bool {
		return e.node(n.Content[i])
	})
}

// flow writes a flow collection of count entries between the indicators
// open and close, separated by commas, each written by entry.
func (e *emitter) flow(open, close string, count int, entry func(i int) bool) bool {
	e.indicator(open, true, true, false)
	outer := e.increaseIndent(true)
	e.flowLevel++
	for i := range count {
		if i > 0 {
			e.indicator(",", false, false, false)
		}
		if !entry(i) {
			return false
		}
	}
	e.flowLevel--
	e.indent = outer
	e.indicator(close, false, false, false)
	return true
}

// key writes a mapping key, whose head comment the caller has dealt with.
// Only scalars that yaml.v3 writes as simple keys are accepted (see
// scalar).
func (e *emitter) key(k *yaml.Node) bool {
	if k.Kind != yaml.ScalarNode || k.Anchor != "" || k.FootComment != "" {
		return false
	}
	return e.scalar(k, true)
}

// comment writes a line comment and ends the line
// (yaml_emitter_process_line_comment and yaml_emitter_write_comment).
func (e *emitter) comment(c string) {
	if !e.whitespace {
		e.put(' ')
	}
	if c[0] != '#' {
		e.text("# ")
	}
	e.text(c)
	e.putBreak()
	e.whitespace = true
}

// commentOK reports whether c is a line comment the emitter writes: one
// line of valid UTF-8.
func commentOK(c string) bool {
	return utf8.ValidString(c) && !hasBreak(c)
}

// scalar writes a scalar in the style yaml.v3 chooses for it
// (yaml_emitter_emit_scalar), then its line comment, which only a value
// in block context may have. A key must be what yaml.v3 writes as a
// simple key, one line of at most 128 bytes (yaml_emitter_check_simple_key);
// a single-quoted or literal scalar must break lines with LF only.
func (e *emitter) scalar(n *yaml.Node, simpleKey bool) bool {
	v := n.Value
	if !utf8.ValidString(v) || n.LineComment != "" && (simpleKey || e.flowLevel > 0 || !commentOK(n.LineComment)) {
		return false
	}
	a := analyze(v)
	if simpleKey && (a.multiline() || len(v) > 128) {
		return false
	}
	e.mentioned = e.mentioned || strings.Contains(v, blankMarker) || strings.Contains(n.LineComment, blankMarker)
	requested, ok := requestedStyle(n, a)
	if !ok {
		return false
	}
	style := e.selectStyle(requested, a, v == "", simpleKey)
	if (style == singleQuotedStyle || style == literalStyle) && a.otherBreak {
		return false
	}
	outer := e.increaseIndent(true)
	switch style {
	case plainStyle:
		e.plain(v)
	case singleQuotedStyle:
		e.singleQuoted(v)
	case doubleQuotedStyle:
		e.doubleQuoted(v)
	case literalStyle:
		e.literal(v, n.LineComment)
	}
	e.indent = outer
	if n.LineComment != "" && style != literalStyle {
		e.comment(n.LineComment)
	}
	return true
}

// requestedStyle returns the style yaml.v3's encoder asks its emitter for
// (encoder.node): plain for a !!str, !!int, !!bool or !!float that reads
// back with its tag when plain, double-quoted for a !!str that would not
// (yaml.v3 drops the tag and quotes), and the node's own double-quoted or
// literal style for a !!str. A scalar yaml.v3 would write with a tag is
// declined.
func requestedStyle(n *yaml.Node, a scalarAnalysis) (scalarStyle, bool) {
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		return doubleQuotedStyle, n.Tag == "!!str"
	case yaml.LiteralStyle:
		return literalStyle, n.Tag == "!!str"
	case 0:
	default:
		return 0, false
	}
	switch n.Tag {
	case "!!str", "!!int", "!!bool", "!!float":
	default:
		return 0, false
	}
	if a.lineFeed {
		return literalStyle, n.Tag == "!!str"
	}
	resolved := resolve(n.Value)
	switch {
	case resolved == n.Tag:
		return plainStyle, true
	case n.Tag == "!!str":
		return doubleQuotedStyle, true
	}
	return 0, false
}

// resolve returns the tag yaml.v3 reads a plain scalar of text v with
// (its resolve function, which allocates). As there, text that starts
// with neither a sign, a digit, a dot nor one of "~yYnNtTfFoO" is a !!str,
// and text that starts with one of the latter is a !!bool or !!null only
// when it is one of their words.
func resolve(v string) string {
	if v == "" || strings.IndexByte("+-0123456789.", v[0]) >= 0 {
		return (&yaml.Node{Kind: yaml.ScalarNode, Value: v}).ShortTag()
	}
	if strings.IndexByte("~yYnNtTfFoO", v[0]) < 0 {
		return "!!str"
	}
	switch v {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "~", "null", "Null", "NULL":
		return "!!null"
	}
	return "!!str"
}

// selectStyle settles the style of a scalar from the requested one and
// what its text allows (yaml_emitter_select_scalar_style).
func (e *emitter) selectStyle(style scalarStyle, a scalarAnalysis, empty, simpleKey bool) scalarStyle {
	if simpleKey && a.multiline() {
		style = doubleQuotedStyle
	}
	if style == plainStyle {
		if e.flowLevel > 0 && !a.flowPlain || e.flowLevel == 0 && !a.blockPlain {
			style = singleQuotedStyle
		}
		if empty && (e.flowLevel > 0 || simpleKey) {
			style = singleQuotedStyle
		}
	}
	if style == singleQuotedStyle && !a.singleQuoted {
		style = doubleQuotedStyle
	}
	if style == literalStyle && (!a.block || e.flowLevel > 0 || simpleKey) {
		style = doubleQuotedStyle
	}
	return style
}

// plain writes a plain scalar (yaml_emitter_write_plain_scalar). Plain
// scalars never span lines: a line break rules the plain style out.
func (e *emitter) plain(v string) {
	if v != "" && !e.whitespace {
		e.put(' ')
	}
	e.text(v)
	if v != "" {
		e.whitespace = false
	}
	e.indention = false
}

// singleQuoted writes a single-quoted scalar, doubling each quote
// (yaml_emitter_write_single_quoted_scalar). The scalar holds no line
// break: LF makes yaml.v3 choose a literal or double-quoted scalar, and
// other line breaks are declined.
func (e *emitter) singleQuoted(v string) {
	e.indicator("'", true, false, false)
	for {
		i := strings.IndexByte(v, '\'')
		if i < 0 {
			break
		}
		e.text(v[:i+1])
		e.put('\'')
		v = v[i+1:]
	}
	e.text(v)
	e.indicator("'", false, false, false)
	e.whitespace = false
	e.indention = false
}

// doubleQuoted writes a double-quoted scalar with yaml.v3's escapes
// (yaml_emitter_write_double_quoted_scalar). Like yaml.v3, it escapes
// every character of a scalar that starts with a byte order mark.
func (e *emitter) doubleQuoted(v string) {
	e.indicator(`"`, true, false, false)
	e.reserve(len(v))
	bom := strings.HasPrefix(v, "\ufeff")
	for i := 0; i < len(v); {
		if !bom && isPrintable(v, i) && !isBreak(v, i) && v[i] != '"' && v[i] != '\\' {
			w := width(v[i])
			e.buf = append(e.buf, v[i:i+w]...)
			e.column++
			i += w
			continue
		}
		r, w := utf8.DecodeRuneInString(v[i:])
		e.escape(r)
		i += w
	}
	e.indicator(`"`, false, false, false)
	e.whitespace = false
	e.indention = false
}

// escape writes the double-quoted escape yaml.v3 writes for r.
func (e *emitter) escape(r rune) {
	e.put('\\')
	if c, ok := shortEscapes[r]; ok {
		e.put(c)
		return
	}
	digits := 8
	switch {
	case r <= 0xff:
		e.put('x')
		digits = 2
	case r <= 0xffff:
		e.put('u')
		digits = 4
	default:
		e.put('U')
	}
	for shift := (digits - 1) * 4; shift >= 0; shift -= 4 {
		e.put("0123456789ABCDEF"[r>>shift&0xf])
	}
}

// shortEscapes are the one-letter escapes of yaml.v3's double-quoted
// scalars.
var shortEscapes = map[rune]byte{
	0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f',
	0x0d: 'r', 0x1b: 'e', '"': '"', '\\': '\\', 0x85: 'N', 0xa0: '_',
	0x2028: 'L', 0x2029: 'P',
}

// literal writes a literal block scalar (yaml_emitter_write_literal_scalar):
// "|" with its indentation and chomping indicators, the line comment, then
// each line indented. Its only line breaks are LFs.
func (e *emitter) literal(v, lineComment string) {
	e.indicator("|", true, false, false)
	if v[0] == ' ' || isBreak(v, 0) {
		e.indicator("2", false, false, false)
	}
	if c := chomping(v); c != "" {
		e.indicator(c, false, false, false)
	}
	if lineComment != "" {
		e.comment(lineComment)
	}
	e.whitespace = true
	for {
		line, rest, more := strings.Cut(v, "\n")
		if line != "" {
			e.writeIndent()
			e.text(line)
			e.indention = false
		}
		if !more {
			return
		}
		e.putBreak()
		v = rest
	}
}

// chomping returns the chomping indicator of a literal scalar of text v
// (yaml_emitter_write_block_scalar_hints): "-" without a final line break,
// "+" with more than one or when v is a single line break.
func chomping(v string) string {
	switch {
	case !strings.HasSuffix(v, "\n"):
		return "-"
	case v == "\n" || strings.HasSuffix(v, "\n\n"):
		return "+"
	}
	return ""
}

// increaseIndent moves one level in (yaml_emitter_increase_indent) and
// returns the indentation to restore. Indentations stay even, so every
// level adds 2 (the block sequence rule of yaml.v3 adds 2 as well).
func (e *emitter) increaseIndent(flow bool) int {
	outer := e.indent
	switch {
	case e.indent >= 0:
		e.indent += 2
	case flow:
		e.indent = 2
	default:
		e.indent = 0
	}
	return outer
}

// writeIndent starts a new line unless the current one holds only
// indentation, and indents it (yaml_emitter_write_indent).
func (e *emitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || e.column == indent && !e.whitespace {
		e.putBreak()
	}
	for e.column < indent {
		e.put(' ')
	}
	e.whitespace = true
}

// indicator writes an indicator such as ":" or "[", after a space when
// needed (yaml_emitter_write_indicator).
func (e *emitter) indicator(s string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.put(' ')
	}
	e.text(s)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

// put writes one ASCII character.
func (e *emitter) put(c byte) {
	e.reserve(1)
	e.buf = append(e.buf, c)
	e.column++
}

// text writes s, which holds no line break.
func (e *emitter) text(s string) {
	e.reserve(len(s))
	e.buf = append(e.buf, s...)
	e.column += utf8.RuneCountInString(s)
}

// reserve makes room for n more bytes, doubling the buffer when it is
// full: append grows a large slice by only a quarter at a time, which
// allocates several times the size of a large document.
func (e *emitter) reserve(n int) {
	if len(e.buf)+n > cap(e.buf) {
		e.buf = slices.Grow(e.buf, max(n, cap(e.buf)))
	}
}

// putBreak ends the line (put_break).
func (e *emitter) putBreak() {
	e.reserve(1)
	e.buf = append(e.buf, '\n')
	e.column = 0
	e.indention = true
}

// scalarAnalysis is what yaml.v3's emitter learns from a scalar's text
// before choosing its style.
type scalarAnalysis struct {
	lineFeed     bool // holds an LF
	otherBreak   bool // holds a CR, NEL, LS or PS
	flowPlain    bool // may be plain inside a flow collection
	blockPlain   bool // may be plain in block context
	singleQuoted bool // may be single-quoted
	block        bool // may be a literal block scalar
}

// multiline reports whether the text holds a line break.
func (a scalarAnalysis) multiline() bool {
	return a.lineFeed || a.otherBreak
}

// analyze examines the text of a scalar as yaml_emitter_analyze_scalar
// does, for an emitter that writes Unicode unescaped.
func analyze(v string) scalarAnalysis {
	switch {
	case v == "":
		return scalarAnalysis{blockPlain: true, singleQuoted: true}
	case ordinary(v):
		return scalarAnalysis{flowPlain: true, blockPlain: true, singleQuoted: true, block: true}
	}
	var f scalarFeatures
	if strings.HasPrefix(v, "---") || strings.HasPrefix(v, "...") {
		f.blockIndicators, f.flowIndicators = true, true
	}
	precededByWhitespace, previousSpace, previousBreak := true, false, false
	for i, w := 0, 0; i < len(v); i += w {
		if i > 0 && v[i] != ' ' && ordinaryInside[v[i]] {
			// A character that only ends a run of whitespace.
			precededByWhitespace, previousSpace, previousBreak = false, false, false
			w = 1
			continue
		}
		w = width(v[i])
		followedByWhitespace := i+w >= len(v) || isBlank(v, i+w)
		f.indicators(v[i], i == 0, precededByWhitespace, followedByWhitespace)
		if v[i] == '\t' {
			f.tabs = true
		} else if !isPrintable(v, i) {
			f.special = true
		}
		last := i+w == len(v)
		switch {
		case v[i] == ' ':
			f.leadingSpace = f.leadingSpace || i == 0
			f.trailingSpace = f.trailingSpace || last
			f.breakSpace = f.breakSpace || previousBreak
			previousSpace, previousBreak = true, false
		case isBreak(v, i):
			f.lineFeed = f.lineFeed || v[i] == '\n'
			f.otherBreak = f.otherBreak || v[i] != '\n'
			f.leadingBreak = f.leadingBreak || i == 0
			f.trailingBreak = f.trailingBreak || last
			f.spaceBreak = f.spaceBreak || previousSpace
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = isBlankz(v, i)
	}
	return f.analysis()
}

// ordinary reports whether v is printable ASCII without any character
// the analysis of a scalar looks for: no indicator, no tab, no space at
// either end and no line break. Every style allows such text.
func ordinary(v string) bool {
	if !ordinaryFirst[v[0]] || v[len(v)-1] == ' ' {
		return false
	}
	for i := 1; i < len(v); i++ {
		if !ordinaryInside[v[i]] {
			return false
		}
	}
	return true
}

// ordinaryInside holds the characters that the analysis of a scalar
// ignores after its first: printable ASCII but for the flow indicators,
// ":" and "#". ordinaryFirst holds those it ignores at the start too,
// where the other indicators, "-" (as in "- " and "---"), "." (as in
// "...") and the space count.
var ordinaryInside, ordinaryFirst = asciiSets(",?[]{}:#", "&*!|>'\"%@`-. ")

// asciiSets returns the printable ASCII characters but for those in
// inside, and those but for the ones in first as well.
func asciiSets(inside, first string) (in, fst [256]bool) {
	for c := byte(0x20); c < 0x7f; c++ {
		in[c] = strings.IndexByte(inside, c) < 0
		fst[c] = in[c] && strings.IndexByte(first, c) < 0
	}
	return in, fst
}

// scalarFeatures are the findings of analyze.
type scalarFeatures struct {
	blockIndicators, flowIndicators bool
	lineFeed, otherBreak            bool
	special, tabs                   bool
	leadingSpace, leadingBreak      bool
	trailingSpace, trailingBreak    bool
	breakSpace, spaceBreak          bool
}

// indicators notes the indicator characters of YAML in c, the character
// at the start of a scalar's text or later in it.
func (f *scalarFeatures) indicators(c byte, first, precededByWhitespace, followedByWhitespace bool) {
	if first {
		switch c {
		case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
			f.flowIndicators, f.blockIndicators = true, true
		case '?', ':':
			f.flowIndicators = true
			f.blockIndicators = f.blockIndicators || followedByWhitespace
		case '-':
			if followedByWhitespace {
				f.flowIndicators, f.blockIndicators = true, true
			}
		}
		return
	}
	switch c {
	case ',', '?', '[', ']', '{', '}':
		f.flowIndicators = true
	case ':':
		f.flowIndicators = true
		f.blockIndicators = f.blockIndicators || followedByWhitespace
	case '#':
		if precededByWhitespace {
			f.flowIndicators, f.blockIndicators = true, true
		}
	}
}

// analysis turns the findings into the styles they allow.
func (f scalarFeatures) analysis() scalarAnalysis {
	a := scalarAnalysis{lineFeed: f.lineFeed, otherBreak: f.otherBreak, flowPlain: true, blockPlain: true, singleQuoted: true, block: true}
	if f.leadingSpace || f.leadingBreak || f.trailingSpace || f.trailingBreak || a.multiline() {
		a.flowPlain, a.blockPlain = false, false
	}
	if f.trailingSpace {
		a.block = false
	}
	if f.breakSpace || f.spaceBreak || f.tabs || f.special {
		a.flowPlain, a.blockPlain, a.singleQuoted = false, false, false
	}
	if f.spaceBreak || f.special {
		a.block = false
	}
	if f.flowIndicators {
		a.flowPlain = false
	}
	if f.blockIndicators {
		a.blockPlain = false
	}
	return a
}

// width returns the length of the UTF-8 sequence that starts with byte b.
func width(b byte) int {
	switch {
	case b < 0x80:
		return 1
	case b&0xe0 == 0xc0:
		return 2
	case b&0xf0 == 0xe0:
		return 3
	}
	return 4
}

// isPrintable reports whether the character at v[i] is one YAML lets a
// scalar hold unescaped: LF, printable ASCII and the Unicode ranges
// 0xA0-0xD7FF and 0xE000-0xFFFD without the byte order mark. As in
// yaml.v3, characters beyond U+FFFF are not.
func isPrintable(v string, i int) bool {
	b := v[i]
	switch {
	case b == '\n' || b >= 0x20 && b <= 0x7e:
		return true
	case b == 0xc2:
		return v[i+1] >= 0xa0
	case b > 0xc2 && b < 0xed, b == 0xee:
		return true
	case b == 0xed:
		return v[i+1] < 0xa0
	case b == 0xef:
		return !(v[i+1] == 0xbb && v[i+2] == 0xbf) && !(v[i+1] == 0xbf && (v[i+2] == 0xbe || v[i+2] == 0xbf))
	}
	return false
}

// isBreak reports whether a line break starts at v[i]: CR, LF, NEL, LS or PS.
func isBreak(v string, i int) bool {
	switch v[i] {
	case '\r', '\n':
		return true
	case 0xc2:
		return v[i+1] == 0x85
	case 0xe2:
		return v[i+1] == 0x80 && (v[i+2] == 0xa8 || v[i+2] == 0xa9)
	}
	return false
}

// hasBreak reports whether s holds a line break.
func hasBreak(s string) bool {
	return strings.ContainsAny(s, "\r\n\u0085\u2028\u2029")
}

// isBlank reports whether v[i] is a space or a tab.
func isBlank(v string, i int) bool {
	return v[i] == ' ' || v[i] == '\t'
}

// isBlankz reports whether v[i] is a space, a tab, a line break or NUL.
func isBlankz(v string, i int) bool {
	return isBlank(v, i) || isBreak(v, i) || v[i] == 0
}
