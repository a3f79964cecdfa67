//go:build unix

package fileset

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOutputModeWhateverTheUmask writes outputs into a new tree, beside
// existing files and over an existing file of mode 0600, under several
// umasks, and checks that every output has mode 0644 and the build's
// temporary files are gone.
func TestOutputModeWhateverTheUmask(t *testing.T) {
	for _, umask := range []int{0o022, 0o077, 0o000, 0o027, 0o002} {
		t.Run(fmt.Sprintf("%04o", umask), func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, root, ".gitlab-ci.yml", header+"old\n")
			if err := os.Chmod(filepath.Join(root, ".gitlab-ci.yml"), 0o600); err != nil {
				t.Fatal(err)
			}
			s := set(root, allTargets,
				gen(".gitlab-ci.yml", "gitlab", "stages: [test]\n"),
				gen(".github/workflows/release.yml", "github", "name: release\n"),
				gen("deploy/ecr/api.json", "ecr", "{}\n"),
			)
			old := syscall.Umask(umask)
			_, err := Write(s)
			syscall.Umask(old)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range s.Files {
				info, err := os.Stat(filepath.Join(root, f.Path))
				if err != nil {
					t.Fatal(err)
				}
				if info.Mode().Perm() != outputPerm {
					t.Errorf("%s has mode %v, want %v", f.Path, info.Mode().Perm(), outputPerm)
				}
			}
			for _, dir := range []string{root, filepath.Join(root, ".github", "workflows"), filepath.Join(root, "deploy")} {
				entries, err := os.ReadDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					if isTempName(e.Name()) {
						t.Errorf("temporary %s left in %s", e.Name(), dir)
					}
				}
			}
		})
	}
}
