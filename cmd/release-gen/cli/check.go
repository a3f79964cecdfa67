package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/targets/fileset"
)

const checkDoc = `Compile the spec in DIR and compare the outputs on disk with what build
would write. check writes nothing.

Each file that differs is reported as one of:
  missing        build would create it
  hand-edited    it was changed since release-gen wrote it
  stale          the spec or release-gen changed since it was written
  unowned        a file release-gen did not write is in the way
  extra          release-gen wrote it before, but the spec no longer produces it
  manifest-stale .release-gen/manifest.json does not match the spec
with a unified diff and the command that fixes it. Exit code 2 means drift.

When the spec, every file it imports, the place of the spec and outputs in
the repository and the release-gen version are those of the last full
build recorded in .release-gen/manifest.json, and every output still has
the contents recorded there, check answers without compiling the spec
(in about the time release-gen takes to start). It then prints no
warnings; --strict, --target and --full always compile.

Examples:
  release-gen check
  release-gen check --format github   # annotations in a GitHub workflow`

func (c *command) newCheckCmd() *cobra.Command {
	var f compileFlags
	var full bool
	cmd := &cobra.Command{
		Use:   "check [dir]",
		Short: "Report generated files that do not match the spec (exit 2)",
		Long:  checkDoc,
		Args:  maxArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if _, ok := c.upToDate(args, &f); ok && !full {
				return nil
			}
			_, set, err := c.fileSet(args, &f, false)
			if err != nil {
				return err
			}
			drifts, err := fileset.Check(set)
			if err != nil {
				return err
			}
			if len(drifts) == 0 {
				return nil
			}
			c.printDrifts(drifts, diag.Format(f.format), set.Root)
			c.exit = ExitDrift
			return nil
		},
	}
	f.register(cmd, "text, json or github")
	cmd.Flags().BoolVar(&full, "full", false, "compile and compare even when the manifest shows that nothing changed")
	return cmd
}

type jsonDrift struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
	Fix  string `json:"fix"`
	Diff string `json:"diff,omitempty"`
}

func (c *command) printDrifts(drifts []fileset.Drift, f diag.Format, root string) {
	rel := func(p string) string { return relTo(c.wd, root, p) }
	switch f {
	case diag.FormatJSON:
		out := make([]jsonDrift, 0, len(drifts))
		for _, d := range drifts {
			out = append(out, jsonDrift{Path: rel(d.Path), Kind: d.Kind.String(), Fix: d.Fix(), Diff: d.Diff})
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	case diag.FormatGitHub:
		for _, d := range drifts {
			fmt.Fprintf(c.stdout, "::error file=%s,title=release-gen drift::%s is %s: %s\n", rel(d.Path), rel(d.Path), d.Kind, strings.ReplaceAll(d.Fix(), "%", "%25"))
		}
		for _, d := range drifts {
			if d.Diff != "" {
				fmt.Fprint(c.stdout, d.Diff)
			}
		}
	default:
		for _, d := range drifts {
			fmt.Fprintf(c.stderr, "drift: %s (%s): %s\n", rel(d.Path), d.Kind, d.Fix())
		}
		for _, d := range drifts {
			if d.Diff != "" {
				fmt.Fprint(c.stdout, d.Diff)
			}
		}
	}
	fmt.Fprintf(c.stderr, "release-gen: %d file(s) out of date\n", len(drifts))
}
