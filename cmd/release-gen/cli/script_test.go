package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"release-gen.dev/release-gen/cmd/release-gen/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"release-gen": func() { os.Exit(cli.Main()) },
	})
}

// TestScript runs the CLI scripts in /testdata/script: each is a txtar
// archive of files and commands with their expected output and exit code.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "..", "testdata", "script"),
		UpdateScripts:       os.Getenv("RELEASE_GEN_UPDATE") != "",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}
