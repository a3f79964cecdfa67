package gitlabci

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// kit returns the conformance kit's validate.sh: $CONFORMANCE_KIT, or the
// kit beside the repository (../shared/conformance).
func kit(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CONFORMANCE_KIT")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "conformance")
	}
	script, err := filepath.Abs(filepath.Join(dir, "validate.sh"))
	if err == nil {
		_, err = os.Stat(script)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the conformance kit is missing (%v); CI must validate the pipeline", err)
		}
		t.Skipf("the conformance kit is missing (%v): set CONFORMANCE_KIT", err)
	}
	return script
}

// TestConformance runs GitLab's validators from the conformance kit
// (yamllint, gitlab-ci-local, GitLab's CI JSON schema) on every fixture's
// pipeline.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the validators take seconds per file")
	}
	validate := kit(t)
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			f := render(t, fx.m(t))
			p := filepath.Join(t.TempDir(), Path)
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(validate, "gitlab", p).CombinedOutput()
			var exit *exec.ExitError
			switch {
			case err == nil:
			case errors.As(err, &exit) && exit.ExitCode() == 3 && os.Getenv("CI") == "":
				t.Skipf("a validator could not run (run the kit's install.sh):\n%s", out)
			default:
				t.Errorf("validate.sh gitlab: %v\n%s", err, out)
			}
		})
	}
}
