package jenkins

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"release-gen.dev/release-gen/targets"
)

// Jenkins compiles a Jenkinsfile into one JVM class (WorkflowScript), and
// a class file holds at most 65,535 constant-pool entries: a larger
// pipeline fails before it starts ("Class too large"). Every distinct
// string literal needs two of them, a CONSTANT_String and the
// CONSTANT_Utf8 holding its text, so twice the number of distinct
// literals is a lower bound on what the class needs, whatever the
// controller's settings; the names, methods and classes the compiler adds
// only raise it. A Jenkinsfile beyond the bound is refused rather than
// written.
//
// The declarative pipeline block is also compiled into one method of at
// most 64 KB of bytecode unless the controller enables
// SCRIPT_SPLITTING_TRANSFORMATION; that limit is reached far earlier, at
// a size that depends on the declarative transformer, and is documented
// rather than checked (see doc.go).

// classLimit is the JVM's limit on one class's constant pool, as
// Jenkinsfile's limit.
var classLimit = targets.SizeLimit{
	Bytes: 65535,
	Unit:  "constant-pool entries at least (two per distinct string literal)",
	Rule:  `the JVM's 65,535 constant-pool entries per class (Jenkins compiles the Jenkinsfile into one class and cannot compile a larger one: "Class too large")`,
}

// constantPoolBound returns the lower bound on the constant-pool entries
// of the class Jenkins compiles src into: two per distinct string literal.
func constantPoolBound(src []byte) int {
	distinct := make(map[string]struct{})
	for _, s := range stringLiterals(string(src)) {
		distinct[s] = struct{}{}
	}
	return 2 * len(distinct)
}

// stringLiterals returns the values of the string literals of src, a
// Jenkinsfile as this package writes it, in order: single-quoted and
// triple-single-quoted literals with the escapes escape writes, outside
// // comments.
func stringLiterals(src string) []string {
	var out []string
	for i := 0; i < len(src); {
		switch {
		case strings.HasPrefix(src[i:], "//"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				return out
			}
			i += end
		case strings.HasPrefix(src[i:], "'''"):
			value, n := literal(src[i+3:], "'''")
			out = append(out, value)
			i += 3 + n
		case src[i] == '\'':
			value, n := literal(src[i+1:], "'")
			out = append(out, value)
			i += 1 + n
		default:
			i++
		}
	}
	return out
}

// literal reads a literal's text up to and including the closing quote,
// and returns its value and the number of bytes read.
func literal(src, closing string) (string, int) {
	var units []uint16
	var b strings.Builder
	flush := func() {
		if len(units) > 0 {
			b.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	i := 0
	for i < len(src) && !strings.HasPrefix(src[i:], closing) {
		if src[i] != '\\' || i+1 >= len(src) {
			flush()
			b.WriteByte(src[i])
			i++
			continue
		}
		if src[i+1] == 'u' && i+6 <= len(src) {
			if u, err := strconv.ParseUint(src[i+2:i+6], 16, 16); err == nil {
				units = append(units, uint16(u))
				i += 6
				continue
			}
		}
		flush()
		switch c := src[i+1]; c {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		default: // \\ and \'
			b.WriteByte(c)
		}
		i += 2
	}
	flush()
	return b.String(), min(i+len(closing), len(src))
}
