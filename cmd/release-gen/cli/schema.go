package cli

import (
	"github.com/spf13/cobra"

	"release-gen.dev/release-gen/compiler"
)

const schemaDoc = `Print the JSON Schema (draft 2020-12) of a release spec, generated from
the CUE schema release-gen validates specs with. Editors use it to complete
and check release.yaml and release.json; the CUE schema stays the authority
(rules between values, such as dependency cycles, are checked by vet).

Examples:
  release-gen schema > release.schema.json
  # in release.yaml:
  # yaml-language-server: $schema=./release.schema.json`

func (c *command) newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the spec's JSON Schema",
		Long:  schemaDoc,
		Args:  maxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			b, err := compiler.JSONSchema()
			if err != nil {
				return err
			}
			_, err = c.stdout.Write(b)
			return err
		},
	}
}
