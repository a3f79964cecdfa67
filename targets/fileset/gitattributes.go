package fileset

import (
	"bytes"
	"strings"
)

// AttributesPath is the git attributes file, relative to the output root,
// in which Write maintains a marked block when Set.GitAttributes is set.
const AttributesPath = ".gitattributes"

const (
	attrBegin = "# BEGIN release-gen: generated files, collapsed in diffs on GitHub and GitLab (release-gen build keeps this block)"
	attrEnd   = "# END release-gen"
)

// mergeAttributes returns existing with release-gen's block listing paths
// (and the manifest) as linguist-generated and gitlab-generated. The block
// replaces an earlier one in place, or is appended; the rest of the file is
// kept byte for byte.
func mergeAttributes(existing []byte, paths []string) []byte {
	var block bytes.Buffer
	block.WriteString(attrBegin + "\n")
	for _, p := range append([]string{ManifestPath}, paths...) {
		block.WriteString(attributePattern(p) + " linguist-generated gitlab-generated\n")
	}
	block.WriteString(attrEnd + "\n")

	text := string(existing)
	if start := strings.Index(text, attrBegin); start >= 0 && (start == 0 || text[start-1] == '\n') {
		if end := strings.Index(text[start:], attrEnd); end >= 0 {
			end += start + len(attrEnd)
			end += len(text[end:]) - len(strings.TrimPrefix(strings.TrimPrefix(text[end:], "\r"), "\n"))
			return []byte(text[:start] + block.String() + text[end:])
		}
	}
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if text != "" {
		text += "\n"
	}
	return []byte(text + block.String())
}

// attributePattern writes path as a gitattributes pattern that matches
// exactly that file: anchored at the root, with glob characters escaped,
// and C-quoted when it holds characters the line format would split on.
func attributePattern(path string) string {
	var b strings.Builder
	b.WriteByte('/')
	for _, r := range path {
		switch r {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	p := b.String()
	if !strings.ContainsAny(p, " \t\"") {
		return p
	}
	var q strings.Builder
	q.WriteByte('"')
	for _, r := range p {
		switch r {
		case '"', '\\':
			q.WriteByte('\\')
			q.WriteRune(r)
		case '\t':
			q.WriteString(`\t`)
		default:
			q.WriteRune(r)
		}
	}
	q.WriteByte('"')
	return q.String()
}
