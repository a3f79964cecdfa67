package jenkins

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, single, triple string }{
		{"", `''`, `''''''`},
		{"plain", `'plain'`, `'''plain'''`},
		{"it's", `'it\'s'`, `'''it's'''`},
		{"end'", `'end\''`, `'''end\''''`},
		{"a''b", `'a\'\'b'`, `'''a\''b'''`},
		{"'''", `'\'\'\''`, `'''\'\'\''''`},
		{`back\slash`, `'back\\slash'`, `'''back\\slash'''`},
		{`\u0027`, `'\\u0027'`, `'''\\u0027'''`},
		{`\\u0027`, `'\\\\u0027'`, `'''\\\\u0027'''`},
		{`\uu0027`, `'\\uu0027'`, `'''\\uu0027'''`},
		{"$HOME ${x} \"q\"", `'$HOME ${x} "q"'`, `'''$HOME ${x} "q"'''`},
		{"a\nb", `'a\nb'`, "'''a\nb'''"},
		{"a\r\nb", `'a\r\nb'`, "'''a\\r\nb'''"},
		{"a\tb", `'a\tb'`, "'''a\tb'''"},
		{"\b\f\x00\x01\x1b\x7f", `'\b\f\u0000\u0001\u001b\u007f'`, `'''\b\f\u0000\u0001\u001b\u007f'''`},
		{"é\u2028😀", `'\u00e9\u2028\ud83d\ude00'`, `'''\u00e9\u2028\ud83d\ude00'''`},
		{"\\é", `'\\\u00e9'`, `'''\\\u00e9'''`},
		{"bad\xffutf8", `'bad\ufffdutf8'`, `'''bad\ufffdutf8'''`},
	} {
		if got := quote(tc.in); got != tc.single {
			t.Errorf("quote(%q) = %s, want %s", tc.in, got, tc.single)
		}
		if got := quoteScript(tc.in); got != tc.triple {
			t.Errorf("quoteScript(%q) = %s, want %s", tc.in, got, tc.triple)
		}
	}
	if got := quoteList([]string{"a", "b'c"}); got != `'a', 'b\'c'` {
		t.Errorf("quoteList = %s", got)
	}
}

// TestQuoteVar: a withEnv entry is written as quote writes name=value,
// whatever the name and the value hold, broken UTF-8 around the '='
// included.
func TestQuoteVar(t *testing.T) {
	values := append([]string{"\x82\xac", "\xac=", "=\xe2\x82"}, quoteCases...)
	for _, name := range []string{"NAME", "é", "\xe2\x82", "it's"} {
		for _, value := range values {
			var w writer
			w.quoteVar(name, value)
			if got, want := string(w.b), quote(name+"="+value); got != want {
				t.Errorf("quoteVar(%q, %q) = %s, want %s", name, value, got, want)
			}
		}
	}
}

// quoteCases are strings that break naive Groovy quoting.
var quoteCases = []string{
	"", "'", "''", "'''", "''''", "\\", "\\\\", "\\'", "'\\", "\\\\'", "it's", "\"", "\"\"\"",
	"\\u0027", "\\\\u0027", "\\\\\\u0027", "\\u000a", "\\u000d", "\\u005c", "\\u005cu0027", "\\uu0027", "\\uuuu0027",
	"x\\u0027; println('INJECTED'); def z = \\u0027y", "// \\u000a println('INJ')",
	"$x ${x} ${'x'} $/x/$ #{x}", "\n", "\r", "\r\n", "\t", "\x00", "\x01\x1b\x7f", "é", "😀", "\u2028\u2029\u0085", "\x0b\x0c\x1c\x1d\x1e\x1f",
	"\\n", "\\r", "\\t", "\\$", "\\é", "end\\", "'''a'''b'''", "\\'''", "bad\xff\xfeutf8",
	evil,
}

// decode reads a literal back with the test's own Groovy reader.
func decode(lit string) (string, error) {
	toks, err := lex(lit)
	if err != nil {
		return "", err
	}
	if len(toks) != 1 || toks[0].kind != tString {
		return "", fmt.Errorf("%s is %d tokens, not one string", lit, len(toks))
	}
	return toks[0].text, nil
}

// valid is s as a Java string holds it: invalid UTF-8 bytes become U+FFFD.
func valid(s string) string { return string([]rune(s)) }

func checkRoundTrip(t *testing.T, s string) {
	t.Helper()
	for name, q := range map[string]func(string) string{"quote": quote, "quoteScript": quoteScript} {
		lit := q(s)
		got, err := decode(lit)
		if err != nil {
			t.Errorf("%s(%q) = %s: %v", name, s, lit, err)
		} else if got != valid(s) {
			t.Errorf("%s(%q) = %s reads back as %q", name, s, lit, got)
		}
		for i := 0; i < len(lit); i++ {
			if c := lit[i]; c >= 0x80 || c == '\r' || (c < 0x20 && c != '\n' && c != '\t') {
				t.Errorf("%s(%q) = %q holds byte %#x", name, s, lit, c)
			}
		}
		if name == "quote" && strings.ContainsAny(lit, "\n\t") {
			t.Errorf("quote(%q) = %q spans lines or holds a raw tab", s, lit)
		}
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, s := range quoteCases {
		checkRoundTrip(t, s)
	}
	// Random strings over the characters that matter.
	alphabet := []rune{'\'', '\\', 'u', '0', '2', '7', 'a', '\n', '\r', '\t', '$', '{', '}', '"', '/', '*', 'é', '😀', 0, 1, 0x7f}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		rs := make([]rune, r.IntN(12))
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		checkRoundTrip(t, string(rs))
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range quoteCases {
		f.Add(s)
	}
	f.Fuzz(checkRoundTrip)
}

// TestUnicodeEscapes checks the test's model of Groovy's unicode-escape
// pass, on which decode relies, against what the kit's Groovy reports.
func TestUnicodeEscapes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`\u0041`, "A"},
		{`\\u0041`, `\\u0041`},
		{`\\\u0041`, `\\A`},
		{`\uu0041`, "A"},
		{`a\b`, `a\b`},
	} {
		got, err := unicodeEscapes(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("unicodeEscapes(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestQuoteGroovy proves the quoting with Groovy itself: a file assigns
// every case, quoted both ways, and the kit's jenkins-strings must report
// exactly those values, in order.
func TestQuoteGroovy(t *testing.T) {
	var b strings.Builder
	var want []string
	for i, s := range quoteCases {
		fmt.Fprintf(&b, "def s%d = %s\n", i, quote(s))
		fmt.Fprintf(&b, "def t%d = %s\n", i, quoteScript(s))
		want = append(want, valid(s), valid(s))
	}
	fmt.Fprintf(&b, "def list = [%s]\n", quoteList([]string{"a'b", `c\u0027d`}))
	want = append(want, "a'b", `c\u0027d`)
	p := writeTemp(t, "quoting.groovy", []byte(b.String()))
	got := groovyStrings(t, p)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Groovy sees other strings (-want +got):\n%s", diff)
	}
}

func TestSafeComment(t *testing.T) {
	for s, want := range map[string]bool{
		"release.cue":              true,
		"dir/release.yaml":         true,
		"spec it's $x.cue":         true,
		`x\u000a.cue`:              false,
		"x\n.cue":                  false,
		"x\r.cue":                  false,
		"x\u2028.cue":              false,
		"x\x00.cue":                false,
		`x\.cue`:                   false,
		"release-é.cue":            true,
		"release-\u0085.cue":       false,
		"release-\x7f.cue":         false,
		"release-\u0027-quote.cue": true,
	} {
		if got := safeComment(s); got != want {
			t.Errorf("safeComment(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestIdentifier(t *testing.T) {
	tests := []struct{ label, want string }{
		{"Build and push the image", "buildAndPushTheImage"},
		{"Generate SBOM", "generateSBOM"},
		{"Tag image for prod-eu", "tagImageForProdEu"},
		{"", "step"},
		{"''' $x ${y} \\u0027", "xYU0027"},
		{"é ünïcode", "nCode"},
		{"3 zones", "step3Zones"},
		{"---", "step"},
	}
	for _, tt := range tests {
		if got := identifier(tt.label); got != tt.want {
			t.Errorf("identifier(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
	valid := regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)
	for _, s := range quoteCases {
		if got := identifier(s); !valid.MatchString(got) || len(got) > 48 {
			t.Errorf("identifier(%q) = %q, not a short Groovy identifier", s, got)
		}
	}
	if got := identifier(strings.Repeat("word ", 40)); len(got) != 48 {
		t.Errorf("identifier of a long label has %d bytes, want 48", len(got))
	}
}

// TestScriptNames: a script is defined once however often it runs, and
// different scripts under one label get distinct names.
func TestScriptNames(t *testing.T) {
	var w writer
	a := w.scriptName("Deploy", "echo a\n")
	b := w.scriptName("Deploy", "echo b\n")
	again := w.scriptName("Deploy (production)", "echo a\n")
	if a != "deployScript" || b != "deployScript2" || again != a {
		t.Errorf("names %q, %q, %q; want deployScript, deployScript2, deployScript", a, b, again)
	}
	if len(w.scriptOrder) != 2 {
		t.Errorf("%d scripts defined, want 2", len(w.scriptOrder))
	}
	// A step whose label names an environment defines its script under
	// the name it is given, not after the first environment's label.
	var tags writer
	sh{label: "Tag image for dev", script: "tag\n"}.named("Tag image").write(&tags)
	sh{label: "Tag image for production", script: "tag\n"}.named("Tag image").write(&tags)
	if got := string(tags.b); strings.Count(got, "script: tagImageScript)") != 2 || len(tags.scriptOrder) != 1 {
		t.Errorf("steps:\n%s", got)
	}
	w.writeScripts()
	src := string(w.b)
	if strings.Count(src, "@Field final String ") != 2 || !strings.Contains(src, "deployScript2 = '''echo b\n'''") {
		t.Errorf("definitions:\n%s", src)
	}
}
