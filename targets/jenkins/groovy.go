package jenkins

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Groovy string literals.
//
// Every string the Jenkinsfile holds is a single-quoted Groovy literal,
// plain or triple-quoted (three single quotes on each side), in which
// Groovy interpolates nothing: "$" and "${...}" are plain text. Three
// things can still turn data into code, and quote and quoteScript
// neutralise each of them:
//
//   - a quote ends the literal: it is written \' (in a triple-quoted
//     literal only where it could be part of the closing quotes);
//   - a backslash starts an escape: each \ is written \\;
//   - Groovy decodes \uXXXX escapes in the raw source before it tokenises
//     it, even inside single-quoted strings and comments, so the six
//     characters \u0027 in data would become a quote that ends the literal.
//     Since every backslash of the data is doubled, a data backslash is
//     always one of a pair, and Groovy decodes \uXXXX only after an odd
//     number of backslashes: the pair stays a literal backslash, and the
//     "u0027" after it stays text.
//
// Line breaks and other control characters are written as escapes, so that
// no data can end a line (a plain literal cannot span lines) or hide from a
// reader; characters outside ASCII are written as \uXXXX escapes (UTF-16
// code units), so that the file is ASCII and Jenkins reads the same text
// whatever encoding its controller assumes. These \uXXXX escapes are the
// only ones the quoting writes on purpose: each decodes, before
// tokenising, to a character that is neither a quote, a backslash nor a
// line break, so it can only ever be text inside the literal.

// quote returns s as a single-quoted Groovy string literal, on one line.
func quote(s string) string {
	return string(appendQuote(make([]byte, 0, len(s)+2), s))
}

// appendQuote appends s to dst as quote writes it and returns the result.
func appendQuote(dst []byte, s string) []byte {
	dst = append(dst, '\'')
	dst = appendEscaped(dst, s, false)
	return append(dst, '\'')
}

// quoteScript returns s as a triple-single-quoted Groovy string literal,
// which keeps line breaks and tabs as they are, so that a shell script
// reads naturally in the Jenkinsfile. A quote is escaped only where it
// could help form the closing three quotes (when another quote or the end
// of the literal follows it); everything else is escaped as quote does.
func quoteScript(s string) string {
	b := make([]byte, 0, len(s)+6)
	b = append(b, "'''"...)
	b = appendEscaped(b, s, true)
	return string(append(b, "'''"...))
}

// quoteList returns ss as Groovy list items: 'a', 'b'.
func quoteList(ss []string) string {
	var b []byte
	for i, s := range ss {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendQuote(b, s)
	}
	return string(b)
}

// appendEscaped appends s escaped for the inside of a single-quoted
// literal to dst and returns the result. With multiline (for triple-quoted
// literals), line feeds, tabs and the quotes that cannot help close the
// literal stay raw. Invalid UTF-8 bytes become U+FFFD, as in any Java
// string.
func appendEscaped(dst []byte, s string, multiline bool) []byte {
	if plainASCII(s) {
		return append(dst, s...)
	}
	for i, r := range s {
		switch {
		case r == '\\':
			dst = append(dst, `\\`...)
		case r == '\'' && multiline && i+1 < len(s) && s[i+1] != '\'':
			// A triple-quoted literal ends only at three quotes: a quote
			// followed by anything but a quote stays raw, so that scripts
			// read as they are.
			dst = append(dst, '\'')
		case r == '\'':
			dst = append(dst, `\'`...)
		case r == '\n' && multiline, r == '\t' && multiline:
			dst = utf8.AppendRune(dst, r)
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			// A raw carriage return is a line break to Groovy's lexer,
			// which may turn it into a line feed in a triple-quoted literal.
			dst = append(dst, `\r`...)
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == '\b':
			dst = append(dst, `\b`...)
		case r == '\f':
			dst = append(dst, `\f`...)
		case r < 0x20 || r == 0x7f:
			dst = fmt.Appendf(dst, `\u%04x`, r)
		case r < 0x80:
			dst = utf8.AppendRune(dst, r)
		default:
			for _, u := range utf16.Encode([]rune{r}) {
				dst = fmt.Appendf(dst, `\u%04x`, u)
			}
		}
	}
	return dst
}

// plainASCII reports whether s is printable ASCII without a quote or a
// backslash, which appendEscaped writes as it is.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '\'' || c == '\\' {
			return false
		}
	}
	return true
}

// safeComment reports whether s may be written into a Groovy // comment:
// it must hold no line break (which would end the comment), no backslash
// (a \u000a escape is a line break to Groovy, even in a comment) and no
// other control character.
func safeComment(s string) bool {
	for _, r := range s {
		if r == '\\' || r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 || r == 0x85 {
			return false
		}
	}
	return true
}
