package cli

import (
	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/targets/all"
	"release-gen.dev/release-gen/targets/fileset"
)

// fileSet compiles and renders, returning the set of files the spec
// produces in the output directory. Diagnostics are printed.
func (c *command) fileSet(args []string, f *compileFlags, force bool) (*compiler.Result, fileset.Set, error) {
	res, err := c.compile(args, f)
	if err != nil {
		return nil, fileset.Set{}, err
	}
	files, diags, err := all.Render(res.Release)
	format, _ := diag.ParseFormat(diagFormat(f.format))
	if len(diags) > 0 {
		c.printDiags(diags, format)
	}
	if err != nil {
		return nil, fileset.Set{}, err
	}
	if diags.HasErrors(f.strict) {
		return nil, fileset.Set{}, &printedError{code: ExitSpec}
	}
	hash, _, err := specHash(res.Inputs, layoutOf(res.Release))
	if err != nil {
		return nil, fileset.Set{}, err
	}
	owned := all.Names()
	if len(f.targets) > 0 {
		owned = f.targets
	}
	return res, fileset.Set{
		Root:      c.outDir(res, f),
		Files:     files,
		Targets:   owned,
		Generator: compiler.Version,
		SpecHash:  hash,
		Force:     force,

		GitAttributes: res.Release.GitAttributes,
	}, nil
}
