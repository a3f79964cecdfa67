package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"release-gen.dev/release-gen/compiler"
)

func (c *command) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Long: `Print release-gen's version, the commit it was built from, and the Go
version it was built with.

Example:
  release-gen version`,
		Args: maxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(c.stdout, "release-gen %s\ncommit: %s\ngo: %s\n", compiler.Version, commit(), runtime.Version())
			return nil
		},
	}
}

// commit is the VCS revision the binary was built from, when recorded.
func commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if dirty {
		rev += " (modified)"
	}
	return rev
}
