// Package gitref checks git reference names for the targets whose
// pipelines name the release branch.
package gitref

import "strings"

// ValidBranch applies git check-ref-format's rules to a branch name, which
// are also what GitHub's branch filters and Jenkins' branch conditions
// accept.
func ValidBranch(b string) bool {
	if b == "" || b == "@" || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") ||
		strings.HasSuffix(b, ".") || strings.HasPrefix(b, "-") ||
		strings.Contains(b, "..") || strings.Contains(b, "@{") || strings.Contains(b, "//") {
		return false
	}
	for _, part := range strings.Split(b, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	for _, r := range b {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return false
		}
	}
	return true
}
