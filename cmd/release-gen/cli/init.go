package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/scaffold"
)

const initDoc = `Write a starter release spec in DIR (default: the current directory),
with one service per directory holding a package.json, go.mod,
pyproject.toml, requirements.txt, pom.xml or build.gradle. The spec is
commented and builds as is; init never overwrites an existing spec.

The registry comes from --registry, else from a GitHub origin remote
(ghcr.io/<owner>), else a placeholder to replace. With --yaml, init writes
release.yaml and, beside it, release.schema.json for editors.

Examples:
  release-gen init
  release-gen init --registry 123456789012.dkr.ecr.us-east-1.amazonaws.com
  release-gen init --yaml && release-gen build`

func (c *command) newInitCmd() *cobra.Command {
	var registry, name string
	var asYAML bool
	cmd := &cobra.Command{
		Use:   "init [dir]",
		Short: "Write a starter release.cue for the services found in the repo",
		Long:  initDoc,
		Args:  maxArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			dir := c.dirArg(args)
			if in, err := compiler.FindInputs(dir); err == nil {
				return &usageError{msg: fmt.Sprintf("%s already has a spec (%s): init never overwrites one", dir, in.Main())}
			}
			services, err := scaffold.Detect(dir)
			if err != nil {
				return err
			}
			o := scaffold.Options{Name: name, Registry: registry, Targets: scaffold.DetectTargets(dir)}
			if o.Name == "" {
				o.Name = scaffold.Label(filepath.Base(dir))
			}
			if o.Registry == "" {
				o.Registry = scaffold.RegistryFromGit(dir)
			}
			if o.Registry == "" {
				o.Registry = "registry.example.com/" + o.Name
			}
			file, data := "release.cue", scaffold.CUE(services, o)
			if asYAML {
				schema, err := compiler.JSONSchema()
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dir, "release.schema.json"), schema, 0o644); err != nil {
					return err
				}
				file, data = "release.yaml", scaffold.YAML(services, o, "./release.schema.json")
			}
			if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(c.stderr, "release-gen: wrote %s with %d service(s); next: release-gen build\n", file, len(services))
			return nil
		},
	}
	cmd.Flags().StringVar(&registry, "registry", "", "image repository prefix, e.g. ghcr.io/acme")
	cmd.Flags().StringVar(&name, "name", "", "release name (default: the directory's name)")
	cmd.Flags().BoolVar(&asYAML, "yaml", false, "write release.yaml instead of release.cue")
	return cmd
}
