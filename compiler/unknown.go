package compiler

import (
	"cuelang.org/go/cue"

	"release-gen.dev/release-gen/compiler/diag"
)

// unknownFields reports top-level fields of the spec that #Release does
// not define. CUE enforces closedness below the top level; the package's
// own top level is checked here, with a suggestion for misspellings.
func unknownFields(ev *evaluated) diag.List {
	it, err := ev.user.Fields()
	if err != nil {
		return nil
	}
	var known []string
	if dit, err := ev.def.Fields(cue.Optional(true)); err == nil {
		for dit.Next() {
			known = append(known, dit.Selector().Unquoted())
		}
	}
	var out diag.List
	for it.Next() {
		sel := it.Selector()
		if ev.def.Allows(sel) {
			continue
		}
		name := sel.Unquoted()
		out = append(out, diag.Errorf(it.Value().Pos(), "schema", "%s: field not allowed: not a field of the release spec%s", name, didYouMean(name, known)))
	}
	return out
}
