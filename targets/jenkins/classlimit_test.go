package jenkins

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// TestStringLiteralsMatchGroovy holds the reader behind the class limit to
// Groovy's own: for every fixture, including the hostile ones, it finds
// exactly the string literals Groovy parses, and the Jenkinsfile's size
// against the class limit is twice the number of distinct ones.
func TestStringLiteralsMatchGroovy(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			f := render(t, fx.m(t))
			groovy := groovyStrings(t, writeTemp(t, "Jenkinsfile", f.Data))
			if diff := cmp.Diff(groovy, stringLiterals(f.Data)); diff != "" {
				t.Fatalf("string literals differ from Groovy's (-groovy +ours):\n%s", diff)
			}
			distinct := map[string]bool{}
			for _, s := range groovy {
				distinct[s] = true
			}
			if f.Limit != classLimit || f.Size != 2*len(distinct) {
				t.Errorf("Jenkinsfile limit %+v, size %d; want the class limit and %d", f.Limit, f.Size, 2*len(distinct))
			}
		})
	}
}

// TestStringLiterals reads back every string as quote and quoteScript
// write it, skips comments, and counts a value written both ways once.
func TestStringLiterals(t *testing.T) {
	values := []string{
		"", "plain", "it's", "''", "'''", "a'''b", `back\slash`, `\\`, `\u0027`, `\'`,
		"line\nbreak", "tab\there", "cr\r", "\b\f\x00\x1f\x7f", "é ü", "emoji 😀", "bad \xff utf8",
		"// not a comment", "/* nor this */", "${x}", `"double"`,
	}
	var src strings.Builder
	src.WriteString("// it's a comment with 'quotes'\n")
	var want []string
	for _, v := range values {
		if !utf8.ValidString(v) {
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		src.WriteString("x(" + quote(v) + ", " + quoteScript(v) + ") // don't\n")
		want = append(want, v, v)
	}
	got := stringLiterals([]byte(src.String()))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("literals (-want +got):\n%s", diff)
	}
	if pool := constantPool([]byte(src.String())); pool != 2*len(values) {
		t.Errorf("constant-pool bound %d, want %d (two per distinct value)", pool, 2*len(values))
	}
}

// stringLiterals returns the values eachLiteral finds in src.
func stringLiterals(src []byte) []string {
	out := []string{}
	eachLiteral(src, func(value []byte) { out = append(out, string(value)) })
	return out
}
