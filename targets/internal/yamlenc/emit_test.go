package yamlenc

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// moreTricky are strings, beyond tricky, that exercise the emitter's
// choice of style and its escapes.
var moreTricky = []string{
	"a", "-", "--", "---", "----", "...", "....", "-a", "- ", " -", "?x", ":x", "x:", "x: ", "x:y", "a,b", "a?b",
	"a[b]", "{}", "[]", "a #", "a# b", "#a", "a #b c", "a\t#b", "x\t", "\t", "  ", "a  b", "a\tb c",
	"0", "00", "007", "0b101", "-0b1", "0o7", "-0o7", "0x", "1_", "1e", "1.", "-.5", "+.inf", "-.inf", ".NaN", "1.0e+3",
	"12:30:45", "190:20:30", "2006-01-02T15:04:05Z", "2006-1-2 15:4:5", "2006-01-02 x", "Yes", "NO", "oN", "TRUE", "True",
	"Null", "NULL", "~x", "yy", "nope", "offset", "tru", "9223372036854775808", "-9223372036854775809",
	"18446744073709551616", "1__0", "_1", "+", "-1_000", ".", "..", "..a",
	"'quoted'", "\"dq\"", "it''s", "a'b'c", `a\"b`, "%", "@", "`", "!", "&", "*", "|-", ">-", "<< x", "=x",
	"a\nb", "a\n\nb", "a\n b", "a \n b", "a\n\n", "\na", " \na", "a\n ", "a\r", "a\r\n", "a\u0085", "\u0085", "a\u2028", "\u2028a",
	"\u2029", "\u00a0", "a\u00a0b", "\u0080", "\u009f", "\u00ff", "\u0100", "\ud7ff", "\ue000", "\ufffd", "\ufffe",
	"\uffff", "a\ufeff", "\ufeff", "\ufeffa b", "\U0001F600", "\U00010000x", "\x01", "\x1b[0m", "\x08\x0b\x0c", "a\x00b",
	"日本語", "ü: x", "é #", "x\ny\u2028z", "tab\there\n", "line\n\ttab\n", "  lead\nx\n", "x\n\ny\n\n", "x\n \n",
	strings.Repeat("x", 128), strings.Repeat("y", 129), strings.Repeat("word ", 2000) + "end",
	strings.Repeat("long-token", 300), strings.Repeat("line\n", 50), "a: b: c", "a - b", "a ? b", "a | b", "key:\n  v",
}

// allTricky returns tricky and moreTricky.
func allTricky() []string {
	return append(append([]string(nil), tricky...), moreTricky...)
}

// encodeBoth encodes doc as Encode does, with the direct emitter and with
// yaml.v3, each applying the rule on marker text in values itself (the
// direct emitter first: the yaml.v3 path finds the markers cleared when
// it has cleared them, as it would have itself). accepted reports whether
// the emitter took the tree; viaYAML is what yaml.v3 writes, or nil when
// it fails.
func encodeBoth(t testing.TB, doc *yaml.Node) (direct []byte, accepted bool, viaYAML []byte) {
	t.Helper()
	direct, accepted = emitSpaced(nil, doc)
	spaced := hasMarkers(doc)
	if spaced && mentions(doc, blankMarker) {
		clearMarkers(doc)
		spaced = false
	}
	viaYAML, err := encodeYAML(doc, spaced)
	if err != nil && accepted {
		t.Fatalf("the direct emitter accepted a tree yaml.v3 cannot encode (%v):\n%s", err, direct)
	}
	return direct, accepted, viaYAML
}

// same requires the direct emitter's bytes for doc to be yaml.v3's when
// it accepts doc, and reports whether it did.
func same(t testing.TB, what string, doc *yaml.Node) bool {
	t.Helper()
	direct, accepted, want := encodeBoth(t, doc)
	if accepted {
		if diff := cmp.Diff(string(want), string(direct)); diff != "" {
			t.Errorf("%s: direct emitter differs from yaml.v3 (-yaml.v3 +direct):\n%s", what, diff)
		}
		// After a header, with room to spare: the same bytes follow it.
		header := append(make([]byte, 0, 1024), "# header\n  \n"...)
		if got, ok := emitSpaced(header, doc); !ok || string(got) != string(header)+string(direct) {
			t.Errorf("%s: after a header the emitter writes %q, %v; want %q", what, got, ok, string(header)+string(direct))
		}
	}
	return accepted
}

// placements returns documents that hold s in one place each: as a key,
// a value and an item, in block and flow collections, with and without
// line comments, nested at several depths. ownKey is false for those that
// use s as a key, which the emitter declines when s spans lines or is
// longer than a simple key may be.
func placements(s string) []struct {
	name   string
	ownKey bool
	doc    *yaml.Node
} {
	type doc = struct {
		name   string
		ownKey bool
		doc    *yaml.Node
	}
	comment := "# " + s
	if strings.ContainsAny(s, "\r\n\u0085\u2028\u2029") {
		comment = "# c"
	}
	docs := []doc{
		{"Str value", true, Map("k", Str(s), "after", 1)},
		{"Literal value", true, Map("k", Literal(s), "after", true)},
		{"Str item", true, Seq(Str(s), Literal(s), Str("x"))},
		{"flow item", true, Map("f", Flow(Strs(s, s, "x")), "g", Flow(Seq(Literal(s))))},
		{"flow value", true, Map("f", Flow(Map("a", s, "b", Literal(s))))},
		{"commented value", true, Map("k", Comment(Str(s), "v1.2.3"), "l", Comment(Literal(s), "note"), "m", 1)},
		{"commented item", true, Seq(Comment(Str(s), "c"), Comment(Literal(s), "d"), Str("z"))},
		{"comment text", true, Map("k", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "v", LineComment: comment})},
		{"raw plain", true, Map("k", raw(s, 0), "s", Seq(raw(s, 0)))},
		{"raw double-quoted", true, Map("k", raw(s, yaml.DoubleQuotedStyle), "s", Seq(raw(s, yaml.DoubleQuotedStyle)))},
		{"raw literal", true, Map("k", raw(s, yaml.LiteralStyle), "s", Seq(raw(s, yaml.LiteralStyle)))},
		{"nested", true, Map("a", Seq(Map("b", Seq(Seq(Str(s), Literal(s)), Map("c", Literal(s))), "d", Str(s))))},
		{"nested deeper", true, nest(Spaced(Map("x", Literal(s), "y", Str(s), "z", Seq(Literal(s)))), 5)},
		{"spaced", true, Spaced(Map("a", Str(s), "b", Spaced(Map("c", Literal(s), "d", Seq(Str(s)))), "e", Map()))},
		{"root sequence", true, Seq(Seq(Str(s)), Map("k", Literal(s)), Flow(Seq(Str(s))), Seq())},
		{"root flow", true, Flow(Seq(Str(s), Map("k", s), Seq(Str(s))))},
		{"key", false, Map(s, "v")},
		{"key of collections", false, Map(s, Map(s, Seq(Str(s))), "x", Map(s, Flow(Strs(s))))},
		{"flow key", false, Map("f", Flow(Map(s, s)))},
		{"key in sequence", false, Seq(Map(s, Literal(s), "k", 1), Map(s, Map()))},
		{"spaced key", false, Spaced(Map("a", 1, s, Seq(Str(s)), "c", Literal(s)))},
		{"raw quoted key", false, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{raw(s, yaml.DoubleQuotedStyle), Str("v")}}},
	}
	return docs
}

// raw returns a !!str scalar of text s in the given style, as a tree
// built without Str could hold it.
func raw(s string, style yaml.Style) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: style}
}

// nest puts n depth levels down, alternating mappings and sequences.
func nest(n *yaml.Node, depth int) *yaml.Node {
	for i := range depth {
		if i%2 == 0 {
			n = Map("level", n, "sibling", "x")
		} else {
			n = Seq(Str("x"), n)
		}
	}
	return n
}

// TestEmitterMatchesYAML holds the direct emitter to yaml.v3's bytes for
// every tricky string in every placement, and requires it to accept every
// document built with this package's helpers (but for keys a simple key
// cannot hold).
func TestEmitterMatchesYAML(t *testing.T) {
	for i, s := range allTricky() {
		for _, p := range placements(s) {
			accepted := same(t, fmt.Sprintf("string %d %q, %s", i, short(s), p.name), p.doc)
			simpleKey := len(s) <= 128 && !strings.ContainsAny(s, "\r\n\u0085\u2028\u2029")
			raw := strings.HasPrefix(p.name, "raw ")
			if !accepted && !raw && (p.ownKey || simpleKey) {
				t.Errorf("string %d %q, %s: declined", i, short(s), p.name)
			}
		}
	}
}

// oneLine maps the line breaks of a string to spaces.
func oneLine(r rune) rune {
	if strings.ContainsRune("\r\n\u0085\u2028\u2029", r) {
		return ' '
	}
	return r
}

// short returns s cut to 40 bytes, for messages.
func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// TestEmitterLargeDocuments compares large documents, which the yaml.v3
// path encodes in pieces, holding every tricky string.
func TestEmitterLargeDocuments(t *testing.T) {
	jobs := Map()
	for copy := 0; !larger(jobs, 2*chunkNodes); copy++ {
		for i, s := range allTricky() {
			key := fmt.Sprintf("job-%d-%d", copy, i)
			Set(jobs, key, Map(
				"env", Map("VALUE", s),
				"tags", Flow(Strs(s, "x")),
				"steps", Seq(Map("run", Literal("echo start\n\n"+s+"\n  indented\nend\n")), Comment(Str(s), "c")),
				"uses", Comment(Str("actions/checkout@v4"), "v4 "+strings.Map(oneLine, s)),
			))
		}
	}
	doc := Spaced(Map("name", "x", "on", Map("push", Map()), "jobs", Spaced(jobs), "list", Seq(Str("a"), Map("b", 1))))
	if !chunkable(jobs) {
		t.Fatal("the document is not large enough to be encoded in pieces by yaml.v3")
	}
	if !same(t, "large document", doc) {
		t.Error("declined")
	}
	if !same(t, "large sequence", Seq(jobs, jobs)) {
		t.Error("declined")
	}
}

// TestEmitterBlankLines checks the blank lines of Spaced against yaml.v3,
// and that the emitter, like Encode, writes none when a value holds the
// marker text.
func TestEmitterBlankLines(t *testing.T) {
	for _, doc := range []*yaml.Node{
		Spaced(Map("a", 1, "b", Literal("x\ny\n"), "c", Seq(Str("x")), "d", Map(), "e", Comment(Str("v"), "c"))),
		Seq(Spaced(Map("a", 1, "b", 2)), Map("k", Spaced(Map("c", Map("d", 1), "e", Seq(Seq(Str("x"))))))),
		Spaced(Map("a", Literal("x\n\n\nz\n"), "b", Literal("y"), "c", Str("\n"))),
		Spaced(Map("a", "x "+blankMarker, "b", 2)),
		Spaced(Map("a", Comment(Str("x"), blankMarker), "b", 2)),
		Spaced(Map("a", 1, blankMarker, 2, "c", Seq(Str("x")))),
		Map("a", Spaced(Map("b", 1, "c", 2)), "d", Seq(Map("e", Literal("x\n"+blankMarker+"\ny\n"))), "f", Spaced(Map("g", 1, "h", 2))),
		Map("a", Literal(blankMarker+"\n"), "b", 1),
	} {
		mentioned := mentions(doc, blankMarker)
		direct, accepted, want := encodeBoth(t, doc)
		if !accepted {
			t.Errorf("declined:\n%s", want)
			continue
		}
		if diff := cmp.Diff(string(want), string(direct)); diff != "" {
			t.Errorf("(-yaml.v3 +direct):\n%s", diff)
		}
		if strings.Contains(string(direct), blankMarker) != mentioned {
			t.Errorf("marker left in the output:\n%s", direct)
		}
		if mentioned && hasMarkers(doc) {
			t.Errorf("the markers of a document whose data holds their text were kept:\n%s", direct)
		}
	}
}

// TestEmitterNoWrap checks that neither encoder wraps long lines: yaml.v3
// would fold a plain, quoted or flow line at 80 columns if its encoder set
// a line width.
func TestEmitterNoWrap(t *testing.T) {
	long := strings.Repeat("word ", 40) + "end"
	doc := Map("plain", long, "quoted", Str("on "+long+" #"), "flow", Flow(Strs(long, long)), "comment", Comment(Str("x"), long))
	direct, accepted, want := encodeBoth(t, doc)
	if !accepted {
		t.Fatal("declined")
	}
	for name, b := range map[string][]byte{"direct": direct, "yaml.v3": want} {
		if lines := strings.Count(string(b), "\n"); lines != 4 {
			t.Errorf("%s: %d lines, want 4:\n%s", name, lines, b)
		}
	}
}

// TestEmitterDeclines lists trees the direct emitter must leave to
// yaml.v3, and checks Encode still writes yaml.v3's bytes for them and
// counts them in Fallbacks.
func TestEmitterDeclines(t *testing.T) {
	alias := Map("a", 1)
	alias.Anchor = "x"
	for name, doc := range map[string]*yaml.Node{
		"root scalar":           Str("x"),
		"document":              {Kind: yaml.DocumentNode, Content: []*yaml.Node{Map("a", 1)}},
		"anchor":                Map("a", alias),
		"alias":                 Map("a", alias, "b", &yaml.Node{Kind: yaml.AliasNode, Alias: alias, Value: "x"}),
		"odd mapping":           {Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{Key("a")}},
		"zero node":             Map("a", &yaml.Node{}),
		"tagged scalar":         Map("a", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "x"}),
		"custom tag":            Map("a", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!env", Value: "x"}),
		"tagged mapping":        {Kind: yaml.MappingNode, Tag: "!!set", Content: []*yaml.Node{Key("a"), Str("b")}},
		"no tag":                Map("a", &yaml.Node{Kind: yaml.ScalarNode, Value: "x"}),
		"single-quoted style":   Map("a", raw("x", yaml.SingleQuotedStyle)),
		"folded style":          Map("a", raw("x\ny", yaml.FoldedStyle)),
		"tagged style":          Map("a", raw("x", yaml.TaggedStyle)),
		"invalid UTF-8":         Map("a", Str("\xff")),
		"invalid UTF-8 key":     Map("\xff", 1),
		"head comment":          Map("a", Map("b", 1), "c", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x", HeadComment: "# h"}),
		"key head comment":      {Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{Key("a"), Str("1"), {Kind: yaml.ScalarNode, Tag: "!!str", Value: "b", HeadComment: "# h"}, Str("2")}},
		"foot comment":          Map("a", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x", FootComment: "# f"}),
		"key line comment":      {Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{Comment(Key("a"), "k"), Str("1")}},
		"mapping line comment":  Map("a", Comment(Map("b", 1), "m"), "c", 2),
		"sequence item comment": Seq(Comment(Map("b", 1), "m"), Str("c")),
		"flow comment":          Map("a", Flow(Seq(Comment(Str("x"), "c")))),
		"multi-line comment":    Map("a", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x", LineComment: "# a\n# b"}),
		"long key":              Map(strings.Repeat("k", 129), 1),
		"multi-line key":        Map("a\nb", 1),
		"mapping key":           {Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{Map("a", 1), Str("b")}},
		"marker in flow":        Map("f", Flow(Spaced(Map("a", 1, "b", 2)))),
		"marker after dash":     Seq(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "a", HeadComment: blankMarker}, Str("1")}}),
		"literal with LS":       Map("a", raw("x\u2028y\nz", yaml.LiteralStyle)),
		"single-quoted with LS": Map("a", raw("x\u2028y: z", 0)),
	} {
		t.Run(name, func(t *testing.T) {
			if _, ok, _ := emit(nil, doc); ok {
				t.Fatal("accepted")
			}
			_, _, want := encodeBoth(t, doc)
			before := Fallbacks()
			got, err := Encode(doc)
			if (err != nil) != (want == nil) || string(got) != string(want) {
				t.Errorf("Encode = %q, %v; yaml.v3 writes %q", got, err, want)
			}
			if Fallbacks() != before+1 {
				t.Error("Fallbacks did not count the document")
			}
			if want != nil {
				appended, err := Append([]byte("# header\n"), doc)
				if err != nil || string(appended) != "# header\n"+string(want) {
					t.Errorf("Append = %q, %v; want the header, then %q", appended, err, want)
				}
			}
		})
	}
}

// TestEmitterRandomTrees compares random trees from a seeded generator.
func TestEmitterRandomTrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	accepted, total := 0, 2000
	if testing.Short() {
		total = 200
	}
	for i := range total {
		g := &treeGen{rng: rng}
		doc := g.collection(4, false)
		if same(t, fmt.Sprintf("random tree %d", i), doc) {
			accepted++
		}
	}
	// The generator mostly builds trees the targets could build; a
	// change that declines many of them defeats this test.
	if accepted < total*3/4 {
		t.Errorf("the direct emitter accepted only %d of %d random trees", accepted, total)
	}
	t.Logf("accepted %d of %d random trees", accepted, total)
}

// treeGen builds random trees of the shapes this package builds, and
// sometimes others.
type treeGen struct {
	rng *rand.Rand
}

// pieces are what random strings are made of.
var pieces = []string{
	"a", "b", "x", "y", "n", "o", "on", "0", "1", "9", ".", "-", "+", "_", "~", " ", "  ", "\t", "\n", "\n\n", "\r",
	":", ": ", "#", " #", "'", "\"", "\\", "{", "}", "[", "]", ",", "?", "|", ">", "&", "*", "!", "%", "@", "`",
	"é", "日", "\u00a0", "\u0085", "\u2028", "\ufeff", "\U0001F600", "\x00", "\x07", "\x7f", "${{", "<<", "---", "...",
	"true", "null", "1.5", "0x1F", "2001-02-03", "12:30", "echo \"$x\"",
}

// str returns a random string of a few pieces, or a tricky one.
func (g *treeGen) str() string {
	if g.rng.IntN(4) == 0 {
		all := allTricky()
		return all[g.rng.IntN(len(all))]
	}
	var b strings.Builder
	for range g.rng.IntN(5) {
		b.WriteString(pieces[g.rng.IntN(len(pieces))])
	}
	return b.String()
}

// scalar returns a random scalar, sometimes with a line comment (rarely
// inside a flow collection, where the emitter declines comments).
func (g *treeGen) scalar(flow bool) *yaml.Node {
	var n *yaml.Node
	switch g.rng.IntN(8) {
	case 0:
		n = Literal(g.str())
	case 1:
		n = Int(g.rng.IntN(2000) - 1000)
	case 2:
		n = Bool(g.rng.IntN(2) == 0)
	case 3:
		n = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: fmt.Sprint(g.rng.Float64() * 100)}
	case 4:
		n = raw(g.str(), []yaml.Style{0, yaml.DoubleQuotedStyle, yaml.LiteralStyle}[g.rng.IntN(3)])
	default:
		n = Str(g.str())
	}
	if g.rng.IntN(6) == 0 && (!flow || g.rng.IntN(10) == 0) {
		if c := g.str(); c != "" && !strings.ContainsAny(c, "\r\n") {
			n.LineComment = []string{"# ", "#", ""}[g.rng.IntN(3)] + c
		}
	}
	return n
}

// node returns a random node at most depth levels deep, inside a flow
// collection or not.
func (g *treeGen) node(depth int, flow bool) *yaml.Node {
	if depth == 0 || g.rng.IntN(3) == 0 {
		return g.scalar(flow)
	}
	return g.collection(depth-1, flow)
}

// collection returns a random mapping or sequence, block or flow, possibly
// spaced or empty. Keys are mostly short names and sometimes random
// strings; those spanning lines, which the emitter declines, are rare.
func (g *treeGen) collection(depth int, inFlow bool) *yaml.Node {
	size := g.rng.IntN(5)
	flow := inFlow || g.rng.IntN(5) == 0
	var n *yaml.Node
	if g.rng.IntN(2) == 0 {
		n = Seq()
		for range size {
			n.Content = append(n.Content, g.node(depth, flow))
		}
	} else {
		n = Map()
		for range size {
			k := fmt.Sprintf("k%d", g.rng.IntN(100))
			if r := g.str(); g.rng.IntN(3) == 0 && (!hasBreak(r) || g.rng.IntN(10) == 0) {
				k = r
			}
			n.Content = append(n.Content, Key(k), g.node(depth, flow))
		}
		if g.rng.IntN(3) == 0 && (!flow || g.rng.IntN(10) == 0) {
			Spaced(n)
		}
	}
	if flow && !inFlow {
		Flow(n)
	}
	return n
}

// FuzzEmitter builds trees around fuzzed strings (as keys, values, items,
// line comments, in block and flow collections) and holds the direct
// emitter to yaml.v3's bytes whenever it accepts one.
func FuzzEmitter(f *testing.F) {
	all := allTricky()
	for i, s := range all {
		f.Add(s, all[(i+1)%len(all)], uint8(i))
	}
	f.Fuzz(func(t *testing.T, a, b string, shape uint8) {
		g := &treeGen{rng: rand.New(rand.NewPCG(uint64(shape), uint64(len(a))))}
		docs := []*yaml.Node{g.collection(3, false), Map(a, b)}
		for _, p := range placements(a) {
			docs = append(docs, p.doc)
		}
		if utf8.ValidString(b) && !strings.ContainsAny(b, "\r\n\u0085\u2028\u2029") && b != "" {
			docs = append(docs,
				Map("k", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: a, LineComment: b}),
				Seq(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: a, Style: yaml.LiteralStyle, LineComment: b}))
		}
		docs = append(docs, Spaced(Map(a, Seq(Str(b), Flow(Strs(a, b))), b, Literal(a), "z", Map(b, Literal(b)))))
		for i, doc := range docs {
			same(t, fmt.Sprintf("tree %d", i), doc)
		}
	})
}
