// Package stdlib holds the CUE packages that specs import as
// release-gen.dev/stdlib/<name>. They are compiled into the binary, so an
// import needs no network, no registry and no cue.mod in the user's repo.
package stdlib

import "embed"

// ImportPrefix is the CUE import path prefix of every package in FS.
const ImportPrefix = "release-gen.dev/stdlib"

// FS holds one directory per package, each with its .cue files.
//
//go:embed */*.cue
var FS embed.FS
