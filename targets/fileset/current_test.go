package fileset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteTargets: every build records the spec hash of the targets it
// wrote and keeps the others'.
func TestWriteTargets(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, fullSet(root))
	newer := SpecHash(map[string][]byte{"release.cue": []byte("package release\n\nbranch: \"trunk\"\n")})
	s := set(root, []string{"github"}, fullSet(root).Files[:2]...)
	s.SpecHash = newer
	mustWrite(t, s)
	want := map[string]string{"github": newer, "gitlab": testSpecHash, "ecr": testSpecHash}
	if got := manifestOf(t, root).Targets; !equalMaps(got, want) {
		t.Errorf("Targets = %v, want %v", got, want)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCurrent: Current confirms a tree only when Check of the same build
// finds no drift; every change to the tree, the manifest or the build's
// inputs makes it answer false.
func TestCurrent(t *testing.T) {
	other := SpecHash(map[string][]byte{"release.cue": []byte("package release\n\nbranch: \"trunk\"\n")})
	tests := []struct {
		name string
		edit func(t *testing.T, root string, s *Set)
		want bool
	}{
		{"as built", func(*testing.T, string, *Set) {}, true},
		{"CRLF checkout", func(t *testing.T, root string, s *Set) {
			for _, p := range append([]string{ManifestPath, AttributesPath}, paths(s)...) {
				data := readFile(t, root, p)
				writeFile(t, root, p, strings.ReplaceAll(data, "\n", "\r\n"))
			}
		}, true},
		{"other generator", func(_ *testing.T, _ string, s *Set) { s.Generator = "v1.1.0" }, false},
		{"other spec", func(_ *testing.T, _ string, s *Set) { s.SpecHash = other }, false},
		{"a target built from an older spec", func(t *testing.T, root string, s *Set) {
			s.SpecHash = other
			part := set(root, []string{"github"}, s.Files[:2]...)
			part.SpecHash, part.GitAttributes = other, true
			mustWrite(t, part)
		}, false},
		{"a target never built", func(t *testing.T, root string, s *Set) {
			must(t, os.RemoveAll(root))
			part := set(root, []string{"github"}, s.Files[:2]...)
			part.GitAttributes = true
			mustWrite(t, part)
		}, false},
		{"a file of another target", func(_ *testing.T, _ string, s *Set) { s.Targets = s.Targets[:2] }, false},
		{"old manifest", func(t *testing.T, root string, s *Set) {
			m := manifestOf(t, root)
			m.Targets = nil
			writeFile(t, root, ManifestPath, string(EncodeManifest(m)))
		}, false},
		{"manifest reformatted", func(t *testing.T, root string, s *Set) {
			writeFile(t, root, ManifestPath, strings.Replace(readFile(t, root, ManifestPath), "  ", "    ", 1))
		}, false},
		{"no manifest", func(t *testing.T, root string, s *Set) { must(t, os.Remove(filepath.Join(root, ManifestPath))) }, false},
		{"hand edit", func(t *testing.T, root string, s *Set) { writeFile(t, root, ".gitlab-ci.yml", "stages: []\n") }, false},
		{"deleted file", func(t *testing.T, root string, s *Set) { must(t, os.Remove(filepath.Join(root, ".gitlab-ci.yml"))) }, false},
		{"directory in place of a file", func(t *testing.T, root string, s *Set) {
			must(t, os.Remove(filepath.Join(root, ".gitlab-ci.yml")))
			must(t, os.Mkdir(filepath.Join(root, ".gitlab-ci.yml"), 0o755))
		}, false},
		{"symbolic link to the same contents", func(t *testing.T, root string, s *Set) {
			name := filepath.Join(root, ".gitlab-ci.yml")
			must(t, os.Rename(name, name+".real"))
			must(t, os.Symlink(name+".real", name))
		}, false},
		{"symbolic link above a file", func(t *testing.T, root string, s *Set) {
			dir := filepath.Join(root, "deploy")
			must(t, os.Rename(dir, dir+".real"))
			must(t, os.Symlink(dir+".real", dir))
		}, false},
		{"gitattributes block edited", func(t *testing.T, root string, s *Set) {
			writeFile(t, root, AttributesPath, strings.Replace(readFile(t, root, AttributesPath), "/.gitlab-ci.yml ", "/.gitlab.yml ", 1))
		}, false},
		{"no gitattributes", func(t *testing.T, root string, s *Set) { must(t, os.Remove(filepath.Join(root, AttributesPath))) }, false},
		{"gitattributes edited outside the block", func(t *testing.T, root string, s *Set) {
			writeFile(t, root, AttributesPath, "*.png binary\n"+readFile(t, root, AttributesPath))
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			s := fullSet(root)
			s.GitAttributes = true
			mustWrite(t, s)
			tt.edit(t, root, &s)
			got := Current(root, s.Generator, s.SpecHash, s.Targets)
			if got != tt.want {
				t.Fatalf("Current = %v, want %v", got, tt.want)
			}
			// Current must never be more confident than Check.
			drifts, err := Check(s)
			if got && (err != nil || len(drifts) > 0) {
				t.Fatalf("Current is true, but Check finds %v, %v", drifts, err)
			}
		})
	}
}

func paths(s *Set) []string {
	var out []string
	for _, f := range s.Files {
		out = append(out, f.Path)
	}
	return out
}

// TestHashPlain: hashing in pieces gives what hashing the whole contents
// with CRLF read as LF gives, wherever a CR or CRLF falls.
func TestHashPlain(t *testing.T) {
	dir := t.TempDir()
	piece := 64 << 10
	for _, data := range []string{
		"", "a", "\r", "\n", "\r\n", "a\r\nb\r\n", "a\rb\n\r\r\n",
		strings.Repeat("x", piece-1) + "\r\nend",
		strings.Repeat("x", piece-1) + "\rend",
		strings.Repeat("x", piece-1) + "\r",
		strings.Repeat("x", piece) + "\r\n",
		strings.Repeat("ab\r\n", piece),
	} {
		name := filepath.Join(dir, "f")
		must(t, os.WriteFile(name, []byte(data), 0o644))
		got, err := hashPlain(name)
		if err != nil {
			t.Fatal(err)
		}
		if want := sum(normalizeEOL([]byte(data))); got != want {
			t.Errorf("hashPlain(%q...) = %s, want %s", data[:min(len(data), 8)], got, want)
		}
	}
}
