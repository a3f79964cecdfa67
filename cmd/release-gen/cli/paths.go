package cli

import (
	"path/filepath"
	"strings"
)

// relTo shows path p (relative to root) relative to the working directory
// when root lies below it, slash-separated.
func relTo(wd, root, p string) string {
	full := filepath.Join(root, filepath.FromSlash(p))
	if rel, err := filepath.Rel(wd, full); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(full)
}
