// Package fileset writes a set of generated files into an output tree, all
// or nothing, and compares a tree against such a set.
//
// The tree's bookkeeping lives in .release-gen/ under the output root:
// manifest.json (committed with the outputs) records every generated file
// and is how release-gen knows which files it owns; lock (present only
// while a build runs) serialises concurrent builds; .gitignore keeps the
// lock and temporary files out of git.
package fileset
