package fileset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"release-gen.dev/release-gen/targets"
)

var allTargets = []string{"github", "gitlab", "ecr"}

// fullSet is a build of three targets.
func fullSet(root string) Set {
	return set(root, allTargets,
		gen(".github/workflows/release.yml", "github", "name: release\n"),
		gen(".github/workflows/promote.yml", "github", "name: promote\n"),
		gen(".gitlab-ci.yml", "gitlab", "stages: [test]\n"),
		targets.File{Path: "deploy/ecr/api.json", Target: "ecr", Data: []byte("{\"rules\": []}\n")},
		targets.File{Path: "deploy/ecr/web.json", Target: "ecr", Data: []byte("{\"rules\": [1]}\n")},
	)
}

// manifestOf returns the manifest under root, failing if there is none.
func manifestOf(t *testing.T, root string) *Manifest {
	t.Helper()
	m, err := ReadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	if m == nil {
		t.Fatal("no manifest")
	}
	return m
}

// entries returns the manifest's files as "path target" strings.
func entries(m *Manifest) []string {
	var out []string
	for _, f := range m.Files {
		out = append(out, f.Path+" "+f.Target)
	}
	return out
}

// refusedPaths asserts err is a *RefusedError and returns its paths.
func refusedPaths(t *testing.T, err error) []string {
	t.Helper()
	var rerr *RefusedError
	if !errors.As(err, &rerr) {
		t.Fatalf("got error %v, want a *RefusedError", err)
	}
	var paths []string
	for _, p := range rerr.Problems {
		paths = append(paths, p.Path)
	}
	return paths
}

func TestWriteFresh(t *testing.T) {
	root := t.TempDir()
	s := fullSet(root)
	res := mustWrite(t, s)
	want := &Result{
		Written: []string{".github/workflows/promote.yml", ".github/workflows/release.yml", ".gitlab-ci.yml",
			"deploy/ecr/api.json", "deploy/ecr/web.json"},
		Unchanged:       []string{},
		Removed:         []string{},
		ManifestWritten: true,
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Result mismatch (-want +got):\n%s", diff)
	}
	for _, f := range s.Files {
		if got := readFile(t, root, f.Path); got != string(f.Data) {
			t.Errorf("%s = %q, want %q", f.Path, got, f.Data)
		}
		info, err := os.Stat(filepath.Join(root, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", f.Path, info.Mode().Perm())
		}
	}
	m := manifestOf(t, root)
	wantM := &Manifest{Generator: "v1.0.0", SpecHash: testSpecHash, Targets: map[string]string{}}
	for _, t := range s.Targets {
		wantM.Targets[t] = testSpecHash
	}
	for _, f := range s.Files {
		wantM.Files = append(wantM.Files, ManifestFile{Path: f.Path, Target: f.Target, SHA256: sum(f.Data)})
	}
	sort.Slice(wantM.Files, func(i, j int) bool { return wantM.Files[i].Path < wantM.Files[j].Path })
	if diff := cmp.Diff(wantM, m); diff != "" {
		t.Errorf("manifest mismatch (-want +got):\n%s", diff)
	}
	if got := readFile(t, root, ManifestPath); got != string(EncodeManifest(wantM)) {
		t.Errorf("manifest file is\n%s\nwant\n%s", got, EncodeManifest(wantM))
	}
	if got := readFile(t, root, gitignorePath); got != "lock\n*.tmp\n" {
		t.Errorf(".release-gen/.gitignore = %q", got)
	}
	if l := leftovers(t, root); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
}

func TestWriteCreatesRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out", "dir")
	mustWrite(t, set(root, []string{"gitlab"}, gen(".gitlab-ci.yml", "gitlab", "x\n")))
	if got := readFile(t, root, ".gitlab-ci.yml"); got != header+"x\n" {
		t.Errorf("got %q", got)
	}
}

func TestWriteIdempotent(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	// Age every file so that a rewrite would show in its modification time.
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for rel, n := range snapshot(t, root) {
		if n.Mode.IsRegular() {
			if err := os.Chtimes(filepath.Join(root, rel), old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := snapshot(t, root)
	res := mustWrite(t, fullSet(root))
	if len(res.Written) != 0 || len(res.Removed) != 0 || res.ManifestWritten {
		t.Errorf("second Write changed something: %+v", res)
	}
	if len(res.Unchanged) != 5 {
		t.Errorf("Unchanged = %v, want all 5 files", res.Unchanged)
	}
	if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
		t.Errorf("second Write changed the tree (-before +after):\n%s", diff)
	}
}

func TestWriteManifestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	sa := fullSet(a)
	mustWrite(t, sa)
	sb := fullSet(b)
	// Same files in another order, written in two runs.
	for i, j := 0, len(sb.Files)-1; i < j; i, j = i+1, j-1 {
		sb.Files[i], sb.Files[j] = sb.Files[j], sb.Files[i]
	}
	mustWrite(t, sb)
	mustWrite(t, sb)
	if ma, mb := readFile(t, a, ManifestPath), readFile(t, b, ManifestPath); ma != mb {
		t.Errorf("manifests differ:\n%s\n%s", ma, mb)
	}
}

func TestWriteUpdatesOnlyChanged(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	s := fullSet(root)
	s.Files[2] = gen(".gitlab-ci.yml", "gitlab", "stages: [test, deploy]\n")
	res := mustWrite(t, s)
	if diff := cmp.Diff([]string{".gitlab-ci.yml"}, res.Written); diff != "" {
		t.Errorf("Written mismatch (-want +got):\n%s", diff)
	}
	if !res.ManifestWritten {
		t.Error("manifest not rewritten after a file changed")
	}
	if got := readFile(t, root, ".gitlab-ci.yml"); got != header+"stages: [test, deploy]\n" {
		t.Errorf("got %q", got)
	}
}

func TestWriteSpecHashChangeRewritesOnlyManifest(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	s := fullSet(root)
	s.SpecHash = SpecHash(map[string][]byte{"release.cue": []byte("changed")})
	res := mustWrite(t, s)
	if len(res.Written) != 0 || !res.ManifestWritten {
		t.Errorf("Result = %+v, want only the manifest written", res)
	}
	if m := manifestOf(t, root); m.SpecHash != s.SpecHash {
		t.Errorf("manifest spec hash = %s, want %s", m.SpecHash, s.SpecHash)
	}
}

func TestWriteOwnership(t *testing.T) {
	newData := header + "new: content\n"
	tests := []struct {
		name     string
		existing string // content already at out.yml, not from release-gen
		force    bool
		refused  bool
	}{
		{"hand-written file", "mine: true\n", false, true},
		{"hand-written file with force", "mine: true\n", true, false},
		{"header on line 1", header + "old\n", false, false},
		{"marker on line 3", "#\n# note\n// " + targets.GeneratedMarker + "x; DO NOT EDIT.\nold\n", false, false},
		{"marker on line 4", "#\n#\n#\n# " + targets.GeneratedMarker + "x\n", false, true},
		{"identical content", newData, false, false},
		{"empty file", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, root, "ci/out.yml", tt.existing)
			before := snapshot(t, root)
			s := set(root, []string{"github"}, targets.File{Path: "ci/out.yml", Target: "github", Data: []byte(newData)})
			s.Force = tt.force
			_, err := Write(s)
			if tt.refused {
				if diff := cmp.Diff([]string{"ci/out.yml"}, refusedPaths(t, err)); diff != "" {
					t.Errorf("refused paths mismatch (-want +got):\n%s", diff)
				}
				for _, s := range []string{"ci/out.yml: exists and was not written by release-gen", "move it away", "--force"} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
					t.Errorf("refused Write changed the tree:\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, root, "ci/out.yml"); got != newData {
				t.Errorf("ci/out.yml = %q, want %q", got, newData)
			}
		})
	}
}

func TestWriteOverwritesFileInManifest(t *testing.T) {
	// A JSON output has no header; the manifest alone shows it is generated,
	// and a hand edit to it is overwritten like any generated file.
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	writeFile(t, root, "deploy/ecr/api.json", "{\"edited\": true}\n")
	s := fullSet(root)
	res := mustWrite(t, s)
	if diff := cmp.Diff([]string{"deploy/ecr/api.json"}, res.Written); diff != "" {
		t.Errorf("Written mismatch (-want +got):\n%s", diff)
	}
	if got := readFile(t, root, "deploy/ecr/api.json"); got != "{\"rules\": []}\n" {
		t.Errorf("got %q", got)
	}
}

func TestWriteRefusalListsEveryProblem(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	writeFile(t, root, ".gitlab-ci.yml", "hand: written\n")
	writeFile(t, root, "Jenkinsfile", "pipeline {}\n")
	writeFile(t, root, "deploy", "a file where a directory goes\n")
	if err := os.MkdirAll(filepath.Join(root, "renovate.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, ".circleci")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, root)
	s := set(root, []string{"gitlab", "jenkins", "ecr", "renovate", "circleci", "github"},
		gen(".gitlab-ci.yml", "gitlab", "x\n"),
		gen("Jenkinsfile", "jenkins", "x\n"),
		targets.File{Path: "deploy/ecr/api.json", Target: "ecr", Data: []byte("{}\n")},
		targets.File{Path: "deploy/ecr/web.json", Target: "ecr", Data: []byte("{}\n")},
		targets.File{Path: "renovate.json", Target: "renovate", Data: []byte("{}\n")},
		gen(".circleci/config.yml", "circleci", "x\n"),
		gen(".github/workflows/release.yml", "github", "x\n"),
	)
	_, err := Write(s)
	want := []string{".circleci", ".gitlab-ci.yml", "Jenkinsfile", "deploy", "renovate.json"}
	if diff := cmp.Diff(want, refusedPaths(t, err)); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []string{
		".circleci: is a symbolic link",
		"deploy: is a file, but release-gen needs a directory there",
		"renovate.json: is a directory",
		"nothing was written",
	} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not contain %q:\n%v", s, err)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
		t.Errorf("refused Write changed the tree (-before +after):\n%s", diff)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("Write wrote through the symlink: %v", entries)
	}
}

func TestWriteSymlinks(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root, outside string)
		path  string // the path named in the refusal
	}{
		{"symlinked directory pointing outside", func(t *testing.T, root, outside string) {
			must(t, os.Mkdir(filepath.Join(root, ".github"), 0o755))
			must(t, os.Symlink(outside, filepath.Join(root, ".github", "workflows")))
		}, ".github/workflows"},
		{"symlinked file", func(t *testing.T, root, outside string) {
			writeFile(t, outside, "release.yml", header)
			must(t, os.MkdirAll(filepath.Join(root, ".github", "workflows"), 0o755))
			must(t, os.Symlink(filepath.Join(outside, "release.yml"), filepath.Join(root, ".github", "workflows", "release.yml")))
		}, ".github/workflows/release.yml"},
		{"dangling symlink", func(t *testing.T, root, outside string) {
			must(t, os.MkdirAll(filepath.Join(root, ".github", "workflows"), 0o755))
			must(t, os.Symlink(filepath.Join(outside, "nowhere"), filepath.Join(root, ".github", "workflows", "release.yml")))
		}, ".github/workflows/release.yml"},
		{"symlinked state directory", func(t *testing.T, root, outside string) {
			must(t, os.Symlink(outside, filepath.Join(root, stateDir)))
		}, stateDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, outside := t.TempDir(), t.TempDir()
			tt.setup(t, root, outside)
			before, beforeOutside := snapshot(t, root), snapshot(t, outside)
			s := set(root, []string{"github"}, gen(".github/workflows/release.yml", "github", "x\n"))
			s.Force = true // force never follows a link
			_, err := Write(s)
			if diff := cmp.Diff([]string{tt.path}, refusedPaths(t, err)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(err.Error(), "symbolic link") {
				t.Errorf("error %q does not mention the symbolic link", err)
			}
			if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
				t.Errorf("tree changed:\n%s", diff)
			}
			if diff := cmp.Diff(beforeOutside, snapshot(t, outside)); diff != "" {
				t.Errorf("symlink target changed:\n%s", diff)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteInvalidSet(t *testing.T) {
	root := t.TempDir()
	file := func(p string) targets.File { return gen(p, "github", "x\n") }
	tests := []struct {
		name  string
		files []targets.File
		want  string
	}{
		{"absolute", []targets.File{file("/etc/passwd")}, "is absolute"},
		{"dot-dot", []targets.File{file("../x.yml")}, `contains ".."`},
		{"unclean", []targets.File{file("a/./b.yml")}, "not clean"},
		{"trailing slash", []targets.File{file("a/")}, "not clean"},
		{"dot", []targets.File{file(".")}, "output directory itself"},
		{"empty", []targets.File{file("")}, "empty path"},
		{"backslash", []targets.File{file(`a\b.yml`)}, "backslash"},
		{"duplicate", []targets.File{file("a.yml"), file("a.yml")}, "generated twice"},
		{"case collision", []targets.File{file("A.yml"), file("a.yml")}, "only in case"},
		{"file and directory", []targets.File{file("a"), file("a/b.yml")}, "needs a directory there"},
		{"reserved", []targets.File{file(".release-gen/manifest.json")}, "reserves"},
		{"unselected target", []targets.File{gen("a.yml", "gitlab", "x\n")}, `target "gitlab", which is not among`},
		{"no target", []targets.File{gen("a.yml", "", "x\n")}, "has no target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Write(set(root, []string{"github"}, tt.files...))
			refusedPaths(t, err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(root); len(entries) != 0 {
				t.Errorf("invalid set left %v in the root", entries)
			}
		})
	}
	s := set(root, []string{"github"}, file("a.yml"))
	s.Generator, s.SpecHash = "", "abc"
	_, err := Write(s)
	for _, want := range []string{"generator version is empty", `spec hash "abc"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
}

func TestWritePrune(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	writeFile(t, root, "deploy/README.md", "keep me\n") // not release-gen's
	writeFile(t, root, ".github/workflows/ci.yml", "mine\n")

	// Rebuild ecr and github without web.json, promote.yml and release.yml.
	s := set(root, []string{"ecr", "github"},
		targets.File{Path: "deploy/ecr/api.json", Target: "ecr", Data: []byte("{\"rules\": []}\n")},
	)
	res := mustWrite(t, s)
	wantRemoved := []string{".github/workflows/promote.yml", ".github/workflows/release.yml", "deploy/ecr/web.json"}
	if diff := cmp.Diff(wantRemoved, res.Removed); diff != "" {
		t.Errorf("Removed mismatch (-want +got):\n%s", diff)
	}
	for _, p := range wantRemoved {
		if exists(t, root, p) {
			t.Errorf("%s not pruned", p)
		}
	}
	for _, p := range []string{".gitlab-ci.yml", "deploy/README.md", ".github/workflows/ci.yml", "deploy/ecr/api.json"} {
		if !exists(t, root, p) {
			t.Errorf("%s was deleted", p)
		}
	}
	wantEntries := []string{".gitlab-ci.yml gitlab", "deploy/ecr/api.json ecr"}
	if diff := cmp.Diff(wantEntries, entries(manifestOf(t, root))); diff != "" {
		t.Errorf("manifest mismatch (-want +got):\n%s", diff)
	}

	// Dropping the last ECR file removes deploy/ecr but not deploy, which
	// holds someone else's file.
	res = mustWrite(t, set(root, []string{"ecr"}))
	if diff := cmp.Diff([]string{"deploy/ecr/api.json"}, res.Removed); diff != "" {
		t.Errorf("Removed mismatch (-want +got):\n%s", diff)
	}
	if exists(t, root, "deploy/ecr") {
		t.Error("empty deploy/ecr not removed")
	}
	if !exists(t, root, "deploy/README.md") {
		t.Error("deploy/README.md deleted")
	}

	// Dropping gitlab as well leaves only the manifest directory.
	mustWrite(t, set(root, []string{"gitlab"}))
	if exists(t, root, ".gitlab-ci.yml") {
		t.Error(".gitlab-ci.yml not pruned")
	}
	if got := entries(manifestOf(t, root)); len(got) != 0 {
		t.Errorf("manifest still lists %v", got)
	}
}

func TestWritePrunesEmptyDirectoriesToRoot(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, set(root, []string{"ecr"}, targets.File{Path: "a/b/c/d.json", Target: "ecr", Data: []byte("{}\n")}))
	mustWrite(t, set(root, []string{"ecr"}))
	if exists(t, root, "a") {
		t.Error("empty directories above a pruned file were kept")
	}
	if !exists(t, root, ManifestPath) {
		t.Error("manifest removed")
	}
}

func TestWriteTargetKeepsOtherTargets(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	before := snapshot(t, root)
	// build --target github, with release.yml changed and promote.yml gone.
	s := set(root, []string{"github"}, gen(".github/workflows/release.yml", "github", "name: release v2\n"))
	res := mustWrite(t, s)
	if diff := cmp.Diff([]string{".github/workflows/promote.yml"}, res.Removed); diff != "" {
		t.Errorf("Removed mismatch (-want +got):\n%s", diff)
	}
	after := snapshot(t, root)
	for _, p := range []string{".gitlab-ci.yml", "deploy/ecr/api.json", "deploy/ecr/web.json"} {
		if diff := cmp.Diff(before[p], after[p]); diff != "" {
			t.Errorf("%s changed:\n%s", p, diff)
		}
	}
	wantEntries := []string{".github/workflows/release.yml github", ".gitlab-ci.yml gitlab",
		"deploy/ecr/api.json ecr", "deploy/ecr/web.json ecr"}
	m := manifestOf(t, root)
	if diff := cmp.Diff(wantEntries, entries(m)); diff != "" {
		t.Errorf("manifest mismatch (-want +got):\n%s", diff)
	}
	for _, f := range m.Files {
		if want := sum([]byte(readFile(t, root, f.Path))); f.SHA256 != want {
			t.Errorf("manifest sha256 of %s is %s, file has %s", f.Path, f.SHA256, want)
		}
	}
}

func TestWriteMovesFileBetweenTargets(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, set(root, []string{"gitlab"}, gen("ci.yml", "gitlab", "x\n")))
	mustWrite(t, set(root, []string{"github"}, gen("ci.yml", "github", "y\n")))
	if diff := cmp.Diff([]string{"ci.yml github"}, entries(manifestOf(t, root))); diff != "" {
		t.Errorf("manifest mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteHandEditedPrune(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprint("force=", force), func(t *testing.T) {
			root := t.TempDir()
			mustWrite(t, fullSet(root))
			writeFile(t, root, "deploy/ecr/web.json", "{\"mine\": 1}\n")
			before := snapshot(t, root)
			s := set(root, []string{"ecr"}, targets.File{Path: "deploy/ecr/api.json", Target: "ecr", Data: []byte("{\"rules\": []}\n")})
			s.Force = force
			res, err := Write(s)
			if !force {
				if diff := cmp.Diff([]string{"deploy/ecr/web.json"}, refusedPaths(t, err)); diff != "" {
					t.Errorf("problems mismatch (-want +got):\n%s", diff)
				}
				if !strings.Contains(err.Error(), "edited after release-gen wrote it") {
					t.Errorf("error %q does not explain", err)
				}
				if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
					t.Errorf("tree changed:\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"deploy/ecr/web.json"}, res.Removed); diff != "" {
				t.Errorf("Removed mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWritePruneCRLFCheckout(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	// git with core.autocrlf rewrote the file; it is not a hand edit.
	writeFile(t, root, ".gitlab-ci.yml", strings.ReplaceAll(header+"stages: [test]\n", "\n", "\r\n"))
	res := mustWrite(t, set(root, []string{"gitlab"}))
	if diff := cmp.Diff([]string{".gitlab-ci.yml"}, res.Removed); diff != "" {
		t.Errorf("Removed mismatch (-want +got):\n%s", diff)
	}
}

func TestWritePruneLeavesOthersAlone(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, set(root, []string{"ecr"}, targets.File{Path: "deploy/ecr/api.json", Target: "ecr", Data: []byte("{}\n")}))
	// Someone replaced the generated file with a directory of their own.
	must(t, os.Remove(filepath.Join(root, "deploy/ecr/api.json")))
	writeFile(t, root, "deploy/ecr/api.json/notes.txt", "mine\n")
	mustWrite(t, set(root, []string{"ecr"}))
	if !exists(t, root, "deploy/ecr/api.json/notes.txt") {
		t.Error("a directory at a pruned path was deleted")
	}
	if got := entries(manifestOf(t, root)); len(got) != 0 {
		t.Errorf("manifest still lists %v", got)
	}
}

func TestWriteFileBecomesDirectory(t *testing.T) {
	// An output that was a file is now a directory of outputs: the old
	// file is pruned first to make room.
	root := t.TempDir()
	mustWrite(t, set(root, []string{"ecr"}, targets.File{Path: "deploy", Target: "ecr", Data: []byte("{}\n")}))
	res := mustWrite(t, set(root, []string{"ecr"}, targets.File{Path: "deploy/api.json", Target: "ecr", Data: []byte("{}\n")}))
	if diff := cmp.Diff([]string{"deploy"}, res.Removed); diff != "" {
		t.Errorf("Removed mismatch (-want +got):\n%s", diff)
	}
	if got := readFile(t, root, "deploy/api.json"); got != "{}\n" {
		t.Errorf("got %q", got)
	}
}

func TestWriteCorruptManifest(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	writeFile(t, root, ManifestPath, "{not json")
	before := snapshot(t, root)
	_, err := Write(fullSet(root))
	var merr *ManifestError
	if !errors.As(err, &merr) {
		t.Fatalf("got %v, want a *ManifestError", err)
	}
	if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
		t.Errorf("tree changed:\n%s", diff)
	}
	s := fullSet(root)
	s.Force = true
	res := mustWrite(t, s)
	if !res.ManifestWritten {
		t.Error("manifest not rebuilt")
	}
	if got := manifestOf(t, root); len(got.Files) != 5 {
		t.Errorf("rebuilt manifest lists %v", entries(got))
	}
}

func TestWriteConcurrent(t *testing.T) {
	root := t.TempDir()
	const writers = 16
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := fmt.Sprintf("t%d", i%4)
			s := set(root, []string{target},
				gen(target+"/out.yml", target, fmt.Sprintf("writer: %d\n", i)),
				gen(target+"/deep/dir/more.yml", target, "fixed\n"),
			)
			_, errs[i] = Write(s)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	m := manifestOf(t, root)
	var want []string
	for i := 0; i < 4; i++ {
		want = append(want, fmt.Sprintf("t%d/deep/dir/more.yml t%d", i, i), fmt.Sprintf("t%d/out.yml t%d", i, i))
	}
	if diff := cmp.Diff(want, entries(m)); diff != "" {
		t.Errorf("manifest lost entries (-want +got):\n%s", diff)
	}
	for _, f := range m.Files {
		if got := sum([]byte(readFile(t, root, f.Path))); got != f.SHA256 {
			t.Errorf("%s does not match its manifest entry", f.Path)
		}
	}
	if l := leftovers(t, root); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
	drifts, err := Check(set(root, []string{}))
	if err != nil || len(drifts) != 0 {
		t.Errorf("Check after concurrent writes: %v, %v", drifts, err)
	}
}

// TestWriteNewDirectoriesWhole checks that a directory that did not exist
// is built under a temporary name and renamed into place whole, with the
// mode a new directory gets, while files in existing directories are
// renamed one by one.
func TestWriteNewDirectoriesWhole(t *testing.T) {
	root := t.TempDir()
	counter := &faultFS{}
	if _, err := write(counter, fullSet(root), 1); err != nil {
		t.Fatal(err)
	}
	var renamed []string
	for _, c := range counter.calls {
		if name, ok := strings.CutPrefix(c, "rename "); ok {
			rel, err := filepath.Rel(root, name)
			if err != nil {
				t.Fatal(err)
			}
			renamed = append(renamed, filepath.ToSlash(rel))
		}
	}
	sort.Strings(renamed)
	want := []string{".github", ".gitlab-ci.yml", ".release-gen/.gitignore", ".release-gen/manifest.json", "deploy"}
	if diff := cmp.Diff(want, renamed); diff != "" {
		t.Errorf("renamed into place (-want +got):\n%s", diff)
	}
	reference := filepath.Join(t.TempDir(), "made")
	if err := os.Mkdir(reference, 0o755); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(reference)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{".github", ".github/workflows", "deploy", "deploy/ecr"} {
		got, err := os.Stat(filepath.Join(root, d))
		if err != nil {
			t.Fatal(err)
		}
		if got.Mode() != info.Mode() {
			t.Errorf("%s has mode %v; a directory made with mode 0755 has %v", d, got.Mode(), info.Mode())
		}
	}
}

// TestWriteRemovesLeftovers checks that a build removes the temporary
// files and directories an interrupted build left where outputs go, and
// nothing else.
func TestWriteRemovesLeftovers(t *testing.T) {
	root := t.TempDir()
	s := fullSet(root)
	mustWrite(t, s)
	left := []string{
		"deploy/ecr/.release-gen-123.tmp",
		"deploy/.release-gen-456.tmp/ecr/api.json",
		".github/workflows/.release-gen-7.tmp",
		".release-gen/.release-gen-89.tmp",
		".release-gen-1.tmp",
	}
	kept := []string{
		"deploy/ecr/.release-gen-notes.tmp",
		"deploy/ecr/x.tmp",
		".release-gen-.tmp",
		".release-gen-12.tmp.bak",
		".release-gen/txn-3.tmp/0",
		"other/.release-gen-5.tmp",
	}
	for _, rel := range append(append([]string{}, left...), kept...) {
		writeFile(t, root, rel, "x\n")
	}
	// A link with such a name is removed, not what it points to.
	outside := t.TempDir()
	writeFile(t, outside, "keep.json", "{}\n")
	if err := os.Symlink(outside, filepath.Join(root, "deploy", ".release-gen-99.tmp")); err != nil {
		t.Fatal(err)
	}
	left = append(left, "deploy/.release-gen-99.tmp")
	mustWrite(t, s)
	if !exists(t, outside, "keep.json") {
		t.Error("the file a leftover link pointed to was removed")
	}
	for _, rel := range left {
		if exists(t, root, rel) {
			t.Errorf("%s was left behind", rel)
		}
	}
	if exists(t, root, "deploy/.release-gen-456.tmp") {
		t.Error("the directory deploy/.release-gen-456.tmp was left behind")
	}
	for _, rel := range kept {
		if !exists(t, root, rel) {
			t.Errorf("%s was removed", rel)
		}
	}
}

func TestIsTempName(t *testing.T) {
	for name, want := range map[string]bool{
		".release-gen-0.tmp":          true,
		".release-gen-4294967295.tmp": true,
		".release-gen-.tmp":           false,
		".release-gen-1a.tmp":         false,
		".release-gen-1.tmp.x":        false,
		"release-gen-1.tmp":           false,
		".release-gen-1.TMP":          false,
	} {
		if got := isTempName(name); got != want {
			t.Errorf("isTempName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestStateCurrent(t *testing.T) {
	root := t.TempDir()
	if StateCurrent(root) {
		t.Error("an empty tree is current")
	}
	mustWrite(t, fullSet(root))
	if !StateCurrent(root) {
		t.Error("a tree just written is not current")
	}
	writeFile(t, root, gitignorePath, "lock\n")
	if StateCurrent(root) {
		t.Error("an edited .release-gen/.gitignore is current")
	}
	mustWrite(t, fullSet(root))
	if !StateCurrent(root) {
		t.Error("build did not restore .release-gen/.gitignore")
	}
}
