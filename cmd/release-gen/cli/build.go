package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"release-gen.dev/release-gen/targets/fileset"
)

const buildDoc = `Compile the spec in DIR (default: the current directory) and write every
output of its targets.

build writes all or nothing: it renders every file in memory first, and
on any failure leaves the previous outputs byte-identical. It prunes files
that its previous run wrote (as listed in .release-gen/manifest.json) and
this run does not, and it never overwrites a file that release-gen did not
write, unless --force is given.

With --target, only that target's files are written and pruned.

When the spec, every file it imports, the place of the spec and outputs in
the repository and the release-gen version are those of the last full
build, and every output still has the contents recorded in the manifest,
build has nothing to write and says so without compiling the spec, as
check does; it then prints no warnings. --strict, --target and --full
always compile.

Examples:
  release-gen build
  release-gen build ./deploy/release --out .
  release-gen build --target github --target renovate`

func (c *command) newBuildCmd() *cobra.Command {
	var f compileFlags
	var force, full bool
	cmd := &cobra.Command{
		Use:   "build [dir]",
		Short: "Compile the spec and write all outputs",
		Long:  buildDoc,
		Args:  maxArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if out, ok := c.upToDate(args, &f); ok && !full && fileset.StateCurrent(out) {
				if m, err := fileset.ReadManifest(out); err == nil {
					fmt.Fprintf(c.stderr, "release-gen: 0 written, %d unchanged, 0 removed\n", len(m.Files))
					return nil
				}
			}
			_, set, err := c.fileSet(args, &f, force)
			if err != nil {
				return err
			}
			res, err := fileset.Write(set)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stderr, "release-gen: %d written, %d unchanged, %d removed\n", len(res.Written), len(res.Unchanged), len(res.Removed))
			return nil
		},
	}
	f.register(cmd, "text, json or github")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite or remove files that release-gen did not write or that were edited by hand")
	cmd.Flags().BoolVar(&full, "full", false, "compile and write even when the manifest shows that nothing changed")
	return cmd
}
