//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package fileset

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteNotARegularFile(t *testing.T) {
	root := t.TempDir()
	must(t, syscall.Mkfifo(filepath.Join(root, ".gitlab-ci.yml"), 0o644))
	_, err := Write(set(root, []string{"gitlab"}, gen(".gitlab-ci.yml", "gitlab", "x\n")))
	if diff := cmp.Diff([]string{".gitlab-ci.yml"}, refusedPaths(t, err)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("error %q", err)
	}
	if exists(t, root, stateDir) {
		t.Error("a refused first build left .release-gen behind")
	}
}
