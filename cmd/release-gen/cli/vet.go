package cli

import (
	"github.com/spf13/cobra"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/targets/all"
)

const vetDoc = `Validate the spec in DIR: the schema, every semantic check, and what each
selected target can express. vet writes nothing and renders nothing, so the
platforms' limits on the size of a generated file are checked by build and
check, not here.

Every problem is printed at once, as file:line:col: message [check],
sorted. Exit code 1 means the spec has errors.

Examples:
  release-gen vet
  release-gen vet --format json ./deploy
  release-gen vet --strict   # warnings fail too`

func (c *command) newVetCmd() *cobra.Command {
	var f compileFlags
	cmd := &cobra.Command{
		Use:   "vet [dir]",
		Short: "Validate the spec only",
		Long:  vetDoc,
		Args:  maxArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			res, err := c.compile(args, &f)
			if err != nil {
				return err
			}
			diags := all.Check(res.Release)
			format, _ := diag.ParseFormat(diagFormat(f.format))
			c.printDiags(diags, format)
			if diags.HasErrors(f.strict) {
				return &printedError{code: ExitSpec}
			}
			return nil
		},
	}
	f.register(cmd, "text, json or github")
	return cmd
}
