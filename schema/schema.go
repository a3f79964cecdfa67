// Package schema embeds the CUE definition of a release spec, #Release.
package schema

import "embed"

// ImportPath is the CUE import path of the schema package.
const ImportPath = "release-gen.dev/schema"

// Definition is the name of the definition every spec is unified with.
const Definition = "#Release"

// FS holds the schema's .cue files.
//
//go:embed *.cue
var FS embed.FS
