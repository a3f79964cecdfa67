package jenkins

import (
	"bytes"
	"strconv"
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
	eachLiteral(src, func(value []byte) {
		if _, ok := distinct[string(value)]; !ok {
			distinct[string(value)] = struct{}{}
		}
	})
	return 2 * len(distinct)
}

// eachLiteral calls fn with the value of each string literal of src, a
// Jenkinsfile as this package writes it, in order: single-quoted and
// triple-single-quoted literals with the escapes escape writes, outside
// // comments. value is valid only during the call.
func eachLiteral(src []byte, fn func(value []byte)) {
	var scratch []byte // holds the values of literals with escapes
	for i := 0; i < len(src); {
		next := bytes.IndexAny(src[i:], "/'")
		if next < 0 {
			return
		}
		i += next
		rest := src[i:]
		quotes := 1
		switch {
		case bytes.HasPrefix(rest, []byte("//")):
			end := bytes.IndexByte(rest, '\n')
			if end < 0 {
				return
			}
			i += end
			continue
		case bytes.HasPrefix(rest, []byte("'''")):
			quotes = 3
		case rest[0] != '\'':
			i++
			continue
		}
		value, n, escaped := literal(scratch[:0], rest[quotes:], string(rest[:quotes]))
		if escaped {
			scratch = value
		}
		fn(value)
		i += quotes + n
	}
}

// literal reads a literal's text up to and including the closing quote,
// and returns its value, the number of bytes read and whether the text
// has escapes. The value of a literal without escapes is a part of src;
// that of one with escapes is appended to buf.
func literal(buf, src []byte, closing string) (value []byte, n int, escaped bool) {
	if end := bytes.Index(src, []byte(closing)); end >= 0 && bytes.IndexByte(src[:end], '\\') < 0 {
		return src[:end], end + len(closing), false
	}
	var units []uint16
	flush := func() {
		if len(units) > 0 {
			buf = append(buf, string(utf16.Decode(units))...)
			units = units[:0]
		}
	}
	i := 0
	for i < len(src) && !bytes.HasPrefix(src[i:], []byte(closing)) {
		if src[i] != '\\' || i+1 >= len(src) {
			flush()
			buf = append(buf, src[i])
			i++
			continue
		}
		if src[i+1] == 'u' && i+6 <= len(src) {
			if u, err := strconv.ParseUint(string(src[i+2:i+6]), 16, 16); err == nil {
				units = append(units, uint16(u))
				i += 6
				continue
			}
		}
		flush()
		switch c := src[i+1]; c {
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		default: // \\ and \'
			buf = append(buf, c)
		}
		i += 2
	}
	flush()
	return buf, min(i+len(closing), len(src)), true
}
