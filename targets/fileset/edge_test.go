package fileset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"release-gen.dev/release-gen/targets"
)

func TestWritePruneSymlinks(t *testing.T) {
	t.Run("symlinked directory", func(t *testing.T) {
		root, outside := t.TempDir(), t.TempDir()
		mustWrite(t, fullSet(root))
		// deploy/ecr now points elsewhere; pruning web.json would delete a
		// file outside the tree.
		writeFile(t, outside, "web.json", "{\"rules\": [1]}\n")
		must(t, os.RemoveAll(filepath.Join(root, "deploy/ecr")))
		must(t, os.Symlink(outside, filepath.Join(root, "deploy/ecr")))
		_, err := Write(set(root, []string{"ecr"}))
		if diff := cmp.Diff([]string{"deploy/ecr"}, refusedPaths(t, err)); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
		if !exists(t, outside, "web.json") {
			t.Error("Write deleted a file through a symlink")
		}
	})
	t.Run("symlinked file", func(t *testing.T) {
		root, outside := t.TempDir(), t.TempDir()
		mustWrite(t, fullSet(root))
		must(t, os.Remove(filepath.Join(root, ".gitlab-ci.yml")))
		must(t, os.Symlink(filepath.Join(outside, "x"), filepath.Join(root, ".gitlab-ci.yml")))
		_, err := Write(set(root, []string{"gitlab"}))
		if diff := cmp.Diff([]string{".gitlab-ci.yml"}, refusedPaths(t, err)); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestWriteStateDirIsAFile(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, stateDir, "oops\n")
	_, err := Write(fullSet(root))
	// ReadManifest would say the same; Write refuses before reading it.
	if diff := cmp.Diff([]string{stateDir}, refusedPaths(t, err)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if got := readFile(t, root, stateDir); got != "oops\n" {
		t.Errorf("%s = %q", stateDir, got)
	}
}

func TestWriteEmptyRoot(t *testing.T) {
	_, err := Write(set("", []string{"gitlab"}))
	refusedPaths(t, err)
}

func TestManifestErrorUnwrap(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, ManifestPath, "[")
	_, err := ReadManifest(root)
	var merr *ManifestError
	if !errors.As(err, &merr) || errors.Unwrap(err) != merr.Err || merr.Err == nil {
		t.Errorf("ManifestError %v does not unwrap to its cause", err)
	}
}

func TestLockSerialises(t *testing.T) {
	name := filepath.Join(t.TempDir(), "lock")
	unlock, err := lockFile(name)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func() error)
	go func() {
		u, err := lockFile(name)
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	select {
	case <-got:
		t.Fatal("second lock taken while the first is held")
	case <-time.After(200 * time.Millisecond):
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	var unlock2 func() error
	select {
	case unlock2 = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("second lock not taken after the first was released")
	}
	if _, err := os.Lstat(name); err != nil {
		t.Errorf("lock file missing while held: %v", err)
	}
	if err := unlock2(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(name); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left after unlock: %v", err)
	}
}

func TestWriteLargeNearIdenticalCheck(t *testing.T) {
	// Check of a big generated file with a one-line hand edit is fast and
	// shows one hunk.
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i < 30000; i++ {
		b.WriteString("step: ")
		b.WriteString(strings.Repeat("x", i%50))
		b.WriteString("\n")
	}
	root := t.TempDir()
	f := targets.File{Path: "big.yml", Target: "github", Data: []byte(b.String())}
	mustWrite(t, set(root, []string{"github"}, f))
	edited := strings.Replace(b.String(), "step: xxxxxxxxxx\n", "step: edited\n", 1)
	writeFile(t, root, "big.yml", edited)
	start := time.Now()
	drifts, err := Check(set(root, []string{"github"}, f))
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Check took %v", el)
	}
	if len(drifts) != 1 || drifts[0].Kind != HandEdited || strings.Count(drifts[0].Diff, "\n@@ ") != 1 {
		t.Errorf("Check = %+v, want one hand-edited drift with one hunk", drifts)
	}
}
