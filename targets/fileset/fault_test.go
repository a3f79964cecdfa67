package fileset

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"release-gen.dev/release-gen/targets"
)

// faultScenario builds a tree with a first build and returns the second
// build, which overwrites, creates files in new directories, prunes files
// (one leaving its directory empty), and changes the spec hash.
func faultScenario(t *testing.T) (root string, second Set) {
	t.Helper()
	root = t.TempDir()
	first := fullSet(root)
	first.Files = append(first.Files, targets.File{Path: "deploy/old/x.json", Target: "ecr", Data: []byte("{}\n")})
	mustWrite(t, first)
	writeFile(t, root, "README.md", "not generated\n")
	second = set(root, allTargets,
		gen(".github/workflows/release.yml", "github", "name: release v2\n"),
		gen(".gitlab-ci.yml", "gitlab", "stages: [test]\n"),
		targets.File{Path: "deploy/ecr/api.json", Target: "ecr", Data: []byte("{\"rules\": [2]}\n")},
		targets.File{Path: "deploy/flagger/api/canary.yaml", Target: "ecr", Data: []byte("kind: Canary\n")},
	)
	second.SpecHash = SpecHash(map[string][]byte{"release.cue": []byte("v2")})
	return root, second
}

// checkUnchanged asserts that a failed write left the tree as before.
func checkUnchanged(t *testing.T, root string, before map[string]node, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Write succeeded; want a failure")
	}
	if !strings.Contains(err.Error(), "every change was undone") {
		t.Errorf("error %q does not say the changes were undone", err)
	}
	if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
		t.Errorf("failed Write changed the tree (-before +after):\n%s", diff)
	}
}

// TestWriteFailsAtEveryStep fails each filesystem call of a build in turn
// and checks that the tree is then exactly as before, or, where the
// failure is one Write works around, that the build is complete.
func TestWriteFailsAtEveryStep(t *testing.T) {
	_, s := faultScenario(t)
	counter := &faultFS{}
	if _, err := write(counter, s, 1); err != nil {
		t.Fatal(err)
	}
	steps := counter.calls
	if len(steps) < 20 {
		t.Fatalf("only %d filesystem calls: %v", len(steps), steps)
	}
	failed := 0
	for n := range steps {
		root, s := faultScenario(t)
		before := snapshot(t, root)
		ffs := &faultFS{fail: func(i int, op, name string) error {
			if i == n {
				return syscall.ENOSPC
			}
			return nil
		}}
		_, err := write(ffs, s, 1)
		step := strings.ReplaceAll(steps[n], root, "ROOT")
		if err == nil {
			// A failed hard link falls back to a copy; a failure while
			// tidying up after success is harmless. The build is complete.
			drifts, cerr := Check(s)
			if cerr != nil || len(drifts) != 0 {
				t.Errorf("failing step %d (%s): Write succeeded but Check = %v, %v", n, step, drifts, cerr)
			}
			continue
		}
		failed++
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("failing step %d (%s): error %v does not wrap ENOSPC", n, step, err)
		}
		t.Run(step, func(t *testing.T) { checkUnchanged(t, root, before, err) })
		if l := leftovers(t, root); len(l) > 0 {
			t.Errorf("failing step %d (%s) left %v", n, step, l)
		}
	}
	// Only hard links (which fall back to copies) and tidying up may fail
	// without failing the build: the other 15 or more steps must.
	if failed < 15 {
		t.Errorf("only %d of %d failing steps made Write fail", failed, len(steps))
	}
}

// failOn fails the n-th call (counting from 0) of op whose name contains
// substr.
func failOn(op, substr string, n int, err error) func(int, string, string) error {
	seen := 0
	return func(_ int, gotOp, name string) error {
		if gotOp != op || !strings.Contains(name, substr) {
			return nil
		}
		seen++
		if seen-1 == n {
			return err
		}
		return nil
	}
}

func TestWriteFailures(t *testing.T) {
	tests := []struct {
		name string
		fail func(root string) func(int, string, string) error
		want string
	}{
		{"second rename of an output", func(string) func(int, string, string) error {
			return failOn("rename", "", 1, syscall.EIO)
		}, "input/output error"},
		{"last rename of an output", func(string) func(int, string, string) error {
			return failOn("rename", "deploy/flagger", 0, syscall.EIO)
		}, "input/output error"},
		{"renaming the manifest", func(string) func(int, string, string) error {
			return failOn("rename", "manifest.json", 0, syscall.EIO)
		}, "manifest.json"},
		{"writing the manifest", func(string) func(int, string, string) error {
			// .gitignore is unchanged, so the manifest's temporary file is the
			// only one written in .release-gen.
			return failOn("write", ".release-gen/.release-gen-", 0, syscall.ENOSPC)
		}, "no space left on device"},
		{"disk full on the third file", func(string) func(int, string, string) error {
			return failOn("write", "", 2, syscall.ENOSPC)
		}, "no space left on device"},
		{"read-only directory", func(root string) func(int, string, string) error {
			return failOn("createtemp", filepath.Join(root, ".github", "workflows"), 0, syscall.EACCES)
		}, "permission denied"},
		{"cannot make a directory", func(string) func(int, string, string) error {
			return failOn("mkdir", "deploy", 0, syscall.EROFS)
		}, "read-only file system"},
		{"cannot delete a pruned file", func(string) func(int, string, string) error {
			return failOn("remove", "web.json", 0, syscall.EACCES)
		}, "permission denied"},
		{"sync fails", func(string) func(int, string, string) error {
			return failOn("syncfiles", "", 0, syscall.EIO)
		}, "input/output error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, s := faultScenario(t)
			before := snapshot(t, root)
			_, err := write(&faultFS{fail: tt.fail(root)}, s, 1)
			checkUnchanged(t, root, before, err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if l := leftovers(t, root); len(l) > 0 {
				t.Errorf("left behind: %v", l)
			}
		})
	}
}

func TestWriteWithoutHardLinks(t *testing.T) {
	noLinks := func(_ int, op, _ string) error {
		if op == "link" {
			return syscall.EXDEV
		}
		return nil
	}
	t.Run("success", func(t *testing.T) {
		root, s := faultScenario(t)
		if _, err := write(&faultFS{fail: noLinks}, s, 1); err != nil {
			t.Fatal(err)
		}
		if drifts, err := Check(s); err != nil || len(drifts) != 0 {
			t.Errorf("Check = %v, %v", drifts, err)
		}
		if l := leftovers(t, root); len(l) > 0 {
			t.Errorf("left behind: %v", l)
		}
	})
	t.Run("failure restores copies", func(t *testing.T) {
		root, s := faultScenario(t)
		before := snapshot(t, root)
		renames := failOn("rename", "manifest.json", 0, syscall.EIO)
		_, err := write(&faultFS{fail: func(n int, op, name string) error {
			if err := noLinks(n, op, name); err != nil {
				return err
			}
			return renames(n, op, name)
		}}, s, 1)
		if err == nil {
			t.Fatal("Write succeeded")
		}
		// Restored from copies: same contents and permissions, new times.
		after := snapshot(t, root)
		for _, m := range []map[string]node{before, after} {
			for k, n := range m {
				n.ModTime = time.Time{}
				m[k] = n
			}
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("failed Write changed the tree (-before +after):\n%s", diff)
		}
	})
}

func TestWriteRollbackFailure(t *testing.T) {
	root, s := faultScenario(t)
	original := readFile(t, root, ".github/workflows/release.yml")
	target := filepath.Join(root, ".github", "workflows", "release.yml")
	renamesToTarget := 0
	_, err := write(&faultFS{fail: func(_ int, op, name string) error {
		switch {
		case op == "rename" && strings.Contains(name, "manifest.json"):
			return syscall.EIO
		case op == "rename" && name == target:
			// The first rename writes the new file; the second, restoring
			// the old one, fails too.
			renamesToTarget++
			if renamesToTarget == 2 {
				return syscall.EIO
			}
		}
		return nil
	}}, s, 1)
	if err == nil {
		t.Fatal("Write succeeded")
	}
	for _, want := range []string{"undoing the changes also failed", "partly written", filepath.Join(root, stateDir, "txn-")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	// The previous content is kept in the staging directory.
	matches, _ := filepath.Glob(filepath.Join(root, stateDir, "txn-*.tmp", "*"))
	found := false
	for _, m := range matches {
		if data, _ := os.ReadFile(m); string(data) == original {
			found = true
		}
	}
	if !found {
		t.Errorf("no backup of release.yml among %v", matches)
	}
	// Every other file was restored.
	if got := readFile(t, root, "deploy/ecr/api.json"); got != "{\"rules\": []}\n" {
		t.Errorf("deploy/ecr/api.json = %q, not restored", got)
	}
	if !exists(t, root, ".github/workflows/promote.yml") {
		t.Error("pruned promote.yml not restored")
	}
}

// syncRecorder records the files each SyncFiles call was given.
type syncRecorder struct {
	faultFS
	synced [][]string
}

func (r *syncRecorder) SyncFiles(root string, names []string) error {
	r.synced = append(r.synced, slices.Clone(names))
	return r.faultFS.SyncFiles(root, names)
}

// TestWriteSyncsBeforeRenaming checks that every staged file is synced, in
// one call, before the first of them is renamed into place: a crash can
// then leave old or new contents at an output path, never an empty file.
func TestWriteSyncsBeforeRenaming(t *testing.T) {
	_, s := faultScenario(t)
	rec := &syncRecorder{}
	if _, err := write(rec, s, 1); err != nil {
		t.Fatal(err)
	}
	if len(rec.synced) != 1 {
		t.Fatalf("SyncFiles called %d times; want once", len(rec.synced))
	}
	synced := make(map[string]bool)
	for _, name := range rec.synced[0] {
		synced[filepath.Base(name)] = true
	}
	syncAt := slices.Index(rec.calls, "syncfiles "+s.Root)
	if syncAt < 0 {
		t.Fatalf("no syncfiles call among %v", rec.calls)
	}
	renames := 0
	for i, c := range rec.calls {
		op, _, _ := strings.Cut(c, " ")
		if op != "rename" {
			continue
		}
		renames++
		if i < syncAt {
			t.Errorf("call %d (%s) renames before the sync (call %d)", i, c, syncAt)
		}
	}
	// The second build of the scenario changes three outputs and the
	// manifest; each was staged in a temporary file that was synced.
	if renames != 4 || len(synced) != renames {
		t.Errorf("%d renames, %d files synced (%v); want 4 of each", renames, len(synced), rec.synced[0])
	}
}
