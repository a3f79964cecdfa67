// Command release-gen compiles a release spec into CI/CD files.
package main

import (
	"os"

	"release-gen.dev/release-gen/cmd/release-gen/cli"
)

func main() { os.Exit(cli.Main()) }
