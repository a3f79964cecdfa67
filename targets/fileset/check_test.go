package fileset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"release-gen.dev/release-gen/targets"
)

func TestCheckClean(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	drifts, err := Check(fullSet(root))
	if err != nil || len(drifts) != 0 {
		t.Fatalf("Check after Write = %v, %v; want no drift", drifts, err)
	}
	// A CRLF checkout of the same files is not drift.
	for _, f := range fullSet(root).Files {
		writeFile(t, root, f.Path, strings.ReplaceAll(string(f.Data), "\n", "\r\n"))
	}
	writeFile(t, root, ManifestPath, strings.ReplaceAll(readFile(t, root, ManifestPath), "\n", "\r\n"))
	drifts, err = Check(fullSet(root))
	if err != nil || len(drifts) != 0 {
		t.Fatalf("Check of a CRLF checkout = %v, %v; want no drift", drifts, err)
	}
}

func TestCheckDrift(t *testing.T) {
	release := ".github/workflows/release.yml"
	tests := []struct {
		name string
		// edit changes the tree written by fullSet, or the set to check.
		edit func(t *testing.T, root string, s *Set)
		want []Drift
	}{
		{"missing", func(t *testing.T, root string, s *Set) {
			must(t, os.Remove(filepath.Join(root, ".gitlab-ci.yml")))
		}, []Drift{{Path: ".gitlab-ci.yml", Kind: Missing, Target: "gitlab",
			Diff: "--- /dev/null\n+++ b/.gitlab-ci.yml\n@@ -0,0 +1,2 @@\n+" + header + "+stages: [test]\n"}}},
		{"hand-edited", func(t *testing.T, root string, s *Set) {
			writeFile(t, root, release, header+"name: my release\n")
		}, []Drift{{Path: release, Kind: HandEdited, Target: "github",
			Diff: "--- a/" + release + "\n+++ b/" + release + "\n@@ -1,2 +1,2 @@\n " + header + "-name: my release\n+name: release\n"}}},
		{"hand-edited CRLF", func(t *testing.T, root string, s *Set) {
			writeFile(t, root, release, header+"name: my release\r\n")
		}, []Drift{{Path: release, Kind: HandEdited, Target: "github",
			Diff: "--- a/" + release + "\n+++ b/" + release + "\n@@ -1,2 +1,2 @@\n " + header + "-name: my release\n+name: release\n"}}},
		{"stale", func(t *testing.T, root string, s *Set) {
			s.Files[0] = gen(release, "github", "name: release v2\n")
		}, []Drift{{Path: release, Kind: Stale, Target: "github",
			Diff: "--- a/" + release + "\n+++ b/" + release + "\n@@ -1,2 +1,2 @@\n " + header + "-name: release\n+name: release v2\n"}}},
		{"stale without a manifest", func(t *testing.T, root string, s *Set) {
			// A header but no record: out of date, not edited.
			must(t, os.Remove(filepath.Join(root, ManifestPath)))
			writeFile(t, root, release, header+"name: old\n")
		}, []Drift{{Path: release, Kind: Stale, Target: "github",
			Diff: "--- a/" + release + "\n+++ b/" + release + "\n@@ -1,2 +1,2 @@\n " + header + "-name: old\n+name: release\n"}}},
		{"unowned", func(t *testing.T, root string, s *Set) {
			writeFile(t, root, "Jenkinsfile", "pipeline {}\n")
			s.Targets = append(s.Targets, "jenkins")
			s.Files = append(s.Files, gen("Jenkinsfile", "jenkins", "pipeline { agent any }\n"))
		}, []Drift{{Path: "Jenkinsfile", Kind: Unowned, Target: "jenkins",
			Diff: "--- a/Jenkinsfile\n+++ b/Jenkinsfile\n@@ -1 +1,2 @@\n-pipeline {}\n+" + header + "+pipeline { agent any }\n"}}},
		{"extra", func(t *testing.T, root string, s *Set) {
			s.Files = s.Files[1:] // release.yml no longer generated
		}, []Drift{{Path: release, Kind: Extra, Target: "github"}}},
		{"extra only for selected targets", func(t *testing.T, root string, s *Set) {
			// check --target github: other targets' files are not extra.
			*s = set(root, []string{"github"}, s.Files[:2]...)
		}, nil},
		{"manifest stale: spec hash", func(t *testing.T, root string, s *Set) {
			s.SpecHash = "sha256:" + strings.Repeat("0", 64)
		}, []Drift{{Path: ManifestPath, Kind: ManifestStale,
			Diff: "--- a/" + ManifestPath + "\n+++ b/" + ManifestPath + "\n@@ -1,10 +1,10 @@\n {\n   \"generator\": \"v1.0.0\",\n" +
				"-  \"specHash\": \"" + testSpecHash + "\",\n+  \"specHash\": \"sha256:" + strings.Repeat("0", 64) + "\",\n" +
				"   \"targets\": {\n" +
				"-    \"ecr\": \"" + testSpecHash + "\",\n-    \"github\": \"" + testSpecHash + "\",\n-    \"gitlab\": \"" + testSpecHash + "\"\n" +
				"+    \"ecr\": \"sha256:" + strings.Repeat("0", 64) + "\",\n+    \"github\": \"sha256:" + strings.Repeat("0", 64) + "\",\n" +
				"+    \"gitlab\": \"sha256:" + strings.Repeat("0", 64) + "\"\n" +
				"   },\n   \"files\": [\n     {\n"}}},
		{"manifest stale: generator", func(t *testing.T, root string, s *Set) {
			s.Generator = "v1.1.0"
		}, []Drift{{Path: ManifestPath, Kind: ManifestStale,
			Diff: "--- a/" + ManifestPath + "\n+++ b/" + ManifestPath + "\n@@ -1,5 +1,5 @@\n {\n" +
				"-  \"generator\": \"v1.0.0\",\n+  \"generator\": \"v1.1.0\",\n" +
				"   \"specHash\": \"" + testSpecHash + "\",\n   \"targets\": {\n     \"ecr\": \"" + testSpecHash + "\",\n"}}},
		{"manifest stale only without other drift", func(t *testing.T, root string, s *Set) {
			s.Generator = "v1.1.0"
			must(t, os.Remove(filepath.Join(root, ".gitlab-ci.yml")))
		}, []Drift{{Path: ".gitlab-ci.yml", Kind: Missing, Target: "gitlab",
			Diff: "--- /dev/null\n+++ b/.gitlab-ci.yml\n@@ -0,0 +1,2 @@\n+" + header + "+stages: [test]\n"}}},
		{"deleted file that is no longer generated", func(t *testing.T, root string, s *Set) {
			// Nothing to prune, but the manifest still lists the file.
			must(t, os.Remove(filepath.Join(root, release)))
			s.Files = s.Files[1:]
		}, []Drift{{Path: ManifestPath, Kind: ManifestStale}}},
		{"several, sorted by path", func(t *testing.T, root string, s *Set) {
			must(t, os.Remove(filepath.Join(root, "deploy/ecr/web.json")))
			writeFile(t, root, "deploy/ecr/api.json", "{}\n")
			s.Files[0] = gen(release, "github", "name: release v2\n")
			s.Files = append(s.Files[:1], s.Files[2:]...) // drop promote.yml
		}, []Drift{
			{Path: ".github/workflows/promote.yml", Kind: Extra, Target: "github"},
			{Path: release, Kind: Stale, Target: "github"},
			{Path: "deploy/ecr/api.json", Kind: HandEdited, Target: "ecr"},
			{Path: "deploy/ecr/web.json", Kind: Missing, Target: "ecr"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			mustWrite(t, fullSet(root))
			s := fullSet(root)
			tt.edit(t, root, &s)
			before := snapshot(t, root)
			got, err := Check(s)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
				t.Errorf("Check changed the tree:\n%s", diff)
			}
			// Where the test gives no diff, only check that there is one
			// (except for Extra, which has none).
			for i := range got {
				if i < len(tt.want) && tt.want[i].Diff == "" {
					if (got[i].Diff == "") != (got[i].Kind == Extra) {
						t.Errorf("%s: Diff = %q", got[i].Path, got[i].Diff)
					}
					got[i].Diff = ""
				}
			}
			if diff := cmp.Diff(tt.want, got, cmpEmptyNil()); diff != "" {
				t.Errorf("Check mismatch (-want +got):\n%s", diff)
			}
			// Write fixes every drift except an unowned file.
			if len(got) > 0 && got[0].Kind != Unowned {
				mustWrite(t, s)
				if after, err := Check(s); err != nil || len(after) != 0 {
					t.Errorf("after Write, Check = %v, %v", after, err)
				}
			}
		})
	}
}

// cmpEmptyNil treats nil and empty slices of drifts alike.
func cmpEmptyNil() cmp.Option {
	return cmp.FilterValues(func(a, b []Drift) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())
}

func TestCheckFreshTree(t *testing.T) {
	root := t.TempDir()
	s := set(root, []string{"gitlab", "ecr"},
		gen(".gitlab-ci.yml", "gitlab", "x\n"),
		targets.File{Path: "deploy/ecr/api.json", Target: "ecr", Data: []byte("{}\n")},
	)
	got, err := Check(s)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, d := range got {
		kinds = append(kinds, d.Path+" "+d.Kind.String())
	}
	if diff := cmp.Diff([]string{".gitlab-ci.yml missing", "deploy/ecr/api.json missing"}, kinds); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("Check created %v", entries)
	}
	// Identical files with no manifest: only the manifest is missing.
	writeFile(t, root, ".gitlab-ci.yml", header+"x\n")
	writeFile(t, root, "deploy/ecr/api.json", "{}\n")
	got, err = Check(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != ManifestStale || !strings.HasPrefix(got[0].Diff, "--- /dev/null\n+++ b/"+ManifestPath+"\n") {
		t.Errorf("Check = %+v, want one manifest-stale drift from /dev/null", got)
	}
}

func TestCheckErrors(t *testing.T) {
	t.Run("corrupt manifest", func(t *testing.T) {
		root := t.TempDir()
		writeFile(t, root, ManifestPath, `{"generator": "v1"}`)
		_, err := Check(fullSet(root))
		var merr *ManifestError
		if !errors.As(err, &merr) {
			t.Errorf("got %v, want a *ManifestError", err)
		}
	})
	t.Run("symlink", func(t *testing.T) {
		root, outside := t.TempDir(), t.TempDir()
		must(t, os.Symlink(outside, filepath.Join(root, "deploy")))
		_, err := Check(fullSet(root))
		if diff := cmp.Diff([]string{"deploy"}, refusedPaths(t, err)); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("directory where a file goes", func(t *testing.T) {
		root := t.TempDir()
		must(t, os.MkdirAll(filepath.Join(root, ".gitlab-ci.yml"), 0o755))
		_, err := Check(fullSet(root))
		if diff := cmp.Diff([]string{".gitlab-ci.yml"}, refusedPaths(t, err)); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("invalid path", func(t *testing.T) {
		_, err := Check(set(t.TempDir(), []string{"github"}, gen("../x", "github", "")))
		refusedPaths(t, err)
	})
}

func TestCheckMissingUnderPrunedFile(t *testing.T) {
	// The file that was at "deploy" is extra, and everything under the new
	// "deploy/" directory is missing.
	root := t.TempDir()
	mustWrite(t, set(root, []string{"ecr"}, targets.File{Path: "deploy", Target: "ecr", Data: []byte("{}\n")}))
	got, err := Check(set(root, []string{"ecr"}, targets.File{Path: "deploy/api.json", Target: "ecr", Data: []byte("{}\n")}))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, d := range got {
		kinds = append(kinds, d.Path+" "+d.Kind.String())
	}
	if diff := cmp.Diff([]string{"deploy extra", "deploy/api.json missing"}, kinds); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestDriftKindAndFix(t *testing.T) {
	tests := []struct {
		kind      DriftKind
		name, fix string
	}{
		{Missing, "missing", "run `release-gen build`"},
		{HandEdited, "hand-edited", "move your change into the spec, then run `release-gen build` (the file is generated)"},
		{Stale, "stale", "run `release-gen build`"},
		{Unowned, "unowned", "move the file away or run `release-gen build --force`"},
		{Extra, "extra", "run `release-gen build`"},
		{ManifestStale, "manifest-stale", "run `release-gen build`"},
		{DriftKind(0), "DriftKind(0)", "run `release-gen build`"},
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.name {
			t.Errorf("DriftKind(%d).String() = %q, want %q", int(tt.kind), got, tt.name)
		}
		if got := (Drift{Kind: tt.kind}).Fix(); got != tt.fix {
			t.Errorf("%s: Fix() = %q, want %q", tt.name, got, tt.fix)
		}
	}
}
