package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"release-gen.dev/release-gen/targets/all"
)

func (c *command) newTargetsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "targets",
		Short: "List targets and their output paths",
		Long: `List every target release-gen can render, with the files each writes
(relative to the output directory).

Example:
  release-gen targets`,
		Args: maxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			width := 0
			for _, t := range all.Targets {
				width = max(width, len(t.Name()))
			}
			for _, t := range all.Targets {
				fmt.Fprintf(c.stdout, "%-*s  %s\n", width, t.Name(), strings.Join(t.Outputs(), ", "))
			}
			return nil
		},
	}
}
