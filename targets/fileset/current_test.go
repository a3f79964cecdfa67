package fileset

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
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
		for _, cached := range []bool{false, true} {
			name := tt.name
			if cached {
				name += "/cached"
			}
			t.Run(name, func(t *testing.T) {
				root, cacheDir, s := builtTree(t)
				if cached {
					// Verify the tree as built, so that the cache records it
					// and the edit below must invalidate it.
					recordVerified(t, root, s, cacheDir)
				} else {
					cacheDir = ""
				}
				tt.edit(t, root, &s)
				got := current(root, s.Generator, s.SpecHash, s.Targets, cacheDir, settledStart())
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
}

// builtTree writes fullSet, with its .gitattributes block, into a new
// directory, and returns that and a new cache directory.
func builtTree(t *testing.T) (root, cacheDir string, s Set) {
	t.Helper()
	root, cacheDir = t.TempDir(), t.TempDir()
	s = fullSet(root)
	s.GitAttributes = true
	mustWrite(t, s)
	return root, cacheDir, s
}

// settledStart is a start for current at which every file of a test is
// settled (see fileStamp.settled), so that the cache records them.
func settledStart() time.Time { return time.Now().Add(time.Hour) }

// recordVerified verifies the tree s wrote at root with a cache in
// cacheDir, checks that the cache now answers from file statuses alone,
// and waits until a change to any file would show in its status.
func recordVerified(t *testing.T, root string, s Set, cacheDir string) {
	t.Helper()
	if !current(root, s.Generator, s.SpecHash, s.Targets, cacheDir, settledStart()) {
		t.Fatal("Current is false for the tree as built")
	}
	if !openOutputCache(cacheDir, root, s.Generator, s.SpecHash, s.Targets).unchanged(root) {
		t.Fatal("the cache does not record the verified tree")
	}
	waitPastTimestamps(t, root)
}

// waitPastTimestamps waits until a file written now gets a later change
// time than every file under root has: until then, a write could leave a
// file with the status it had.
func waitPastTimestamps(t *testing.T, root string) {
	t.Helper()
	var latest int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			st, err := lstamp(p)
			if err != nil {
				return err
			}
			latest = max(latest, st.ctime, st.mtime)
		}
		return err
	})
	must(t, err)
	probe := filepath.Join(t.TempDir(), "probe")
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		must(t, os.WriteFile(probe, nil, 0o644))
		st, err := lstamp(probe)
		must(t, err)
		if st.ctime > latest {
			return
		}
	}
	t.Fatal("file change times do not advance")
}

// TestCurrentCacheSameSize: an edit that keeps a file's size and
// modification time still invalidates what the cache recorded of it.
func TestCurrentCacheSameSize(t *testing.T) {
	root, cacheDir, s := builtTree(t)
	recordVerified(t, root, s, cacheDir)
	name := filepath.Join(root, "deploy", "ecr", "api.json")
	info, err := os.Stat(name)
	must(t, err)
	before, err := lstamp(name)
	must(t, err)
	must(t, os.WriteFile(name, []byte("{\"rules\": [9]}"), 0o644)) // same length
	must(t, os.Chtimes(name, info.ModTime(), info.ModTime()))
	after, err := lstamp(name)
	must(t, err)
	if after.size != before.size || after.mtime != before.mtime || after.ino != before.ino {
		t.Fatalf("the edit was meant to keep size, mtime and inode: %+v -> %+v", before, after)
	}
	if current(root, s.Generator, s.SpecHash, s.Targets, cacheDir, settledStart()) {
		t.Fatal("Current trusts the cache for a file edited in place")
	}
}

// TestCurrentCacheUnsettled: files changed just before Current began are
// not recorded, so that a change within the same timestamp tick cannot go
// unseen; nor is an incomplete verification.
func TestCurrentCacheUnsettled(t *testing.T) {
	root, cacheDir, s := builtTree(t)
	if !Current(root, s.Generator, s.SpecHash, s.Targets, cacheDir) {
		t.Fatal("Current is false for the tree as built")
	}
	c := openOutputCache(cacheDir, root, s.Generator, s.SpecHash, s.Targets)
	if len(c.entries) != 0 || c.manifest != (fileStamp{}) {
		t.Fatalf("the cache recorded files written just now: %+v", c.entries)
	}
	// An edit right away, possibly in the same tick as the build.
	writeFile(t, root, "deploy/ecr/api.json", "{\"rules\": [9]}")
	if Current(root, s.Generator, s.SpecHash, s.Targets, cacheDir) {
		t.Fatal("Current is true after an edit")
	}
}

// TestCurrentCacheFiles: with a manifest that changed since the cache
// recorded the tree, only the statuses of the outputs are trusted, each
// for its own file.
func TestCurrentCacheFiles(t *testing.T) {
	root, cacheDir, s := builtTree(t)
	recordVerified(t, root, s, cacheDir)
	// Rewrite the manifest with the same contents: the tree is still
	// current, but the verification must run again.
	writeFile(t, root, ManifestPath, readFile(t, root, ManifestPath))
	c := openOutputCache(cacheDir, root, s.Generator, s.SpecHash, s.Targets)
	if c.unchanged(root) {
		t.Fatal("the cache ignores a rewritten manifest")
	}
	if sum, ok := c.lookup("deploy/ecr/api.json", mustStamp(t, filepath.Join(root, "deploy/ecr/api.json"))); !ok || sum != sha(t, root, "deploy/ecr/api.json") {
		t.Fatalf("the cache lost the hash of an unchanged output: %q, %v", sum, ok)
	}
	if !current(root, s.Generator, s.SpecHash, s.Targets, cacheDir, settledStart()) {
		t.Fatal("Current is false for an unchanged tree")
	}
	// An output's entry is trusted only for its own status.
	waitPastTimestamps(t, root)
	writeFile(t, root, ManifestPath, readFile(t, root, ManifestPath))
	writeFile(t, root, "deploy/ecr/api.json", "{\"rules\": [9]}")
	if current(root, s.Generator, s.SpecHash, s.Targets, cacheDir, settledStart()) {
		t.Fatal("Current is true after an edit")
	}
}

// TestCurrentCacheDamaged: a cache file cut short or garbled anywhere is
// never read as something it does not say.
func TestCurrentCacheDamaged(t *testing.T) {
	root, cacheDir, s := builtTree(t)
	recordVerified(t, root, s, cacheDir)
	files, err := filepath.Glob(filepath.Join(cacheDir, "outputs-*"))
	must(t, err)
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	good, err := os.ReadFile(files[0])
	must(t, err)
	for cut := range len(good) {
		for _, damaged := range [][]byte{good[:cut], append(append([]byte{}, good[:cut]...), '!')} {
			c := &outputCache{key: currentKey(root, s.Generator, s.SpecHash, s.Targets)}
			c.parse(damaged)
			if c.manifest != (fileStamp{}) {
				t.Fatalf("a cache cut at %d of %d reads as complete:\n%s", cut, len(good), damaged)
			}
			for _, e := range c.entries {
				if !validHex256(e.sum) || e.path == "" || e.stamp == (fileStamp{}) {
					t.Fatalf("a cache cut at %d reads entry %+v", cut, e)
				}
			}
		}
	}
	// With the cache garbled, Current still answers by reading the files.
	must(t, os.WriteFile(files[0], good[:len(good)/2], 0o644))
	if !current(root, s.Generator, s.SpecHash, s.Targets, cacheDir, settledStart()) {
		t.Fatal("Current is false for an unchanged tree with a damaged cache")
	}
}

// TestCurrentCacheKey: the recorded verification answers only the
// question it answered: the same tree, generator, spec hash and targets.
func TestCurrentCacheKey(t *testing.T) {
	root, cacheDir, s := builtTree(t)
	recordVerified(t, root, s, cacheDir)
	other := SpecHash(map[string][]byte{"release.cue": []byte("package release\n\nname: \"other\"\n")})
	for _, args := range [][]string{
		{"v9", s.SpecHash}, {s.Generator, other},
	} {
		if openOutputCache(cacheDir, root, args[0], args[1], s.Targets).unchanged(root) {
			t.Errorf("the cache answers for generator %s, spec %s", args[0], args[1])
		}
	}
	if openOutputCache(cacheDir, root, s.Generator, s.SpecHash, s.Targets[:1]).unchanged(root) {
		t.Error("the cache answers for other targets")
	}
	reordered := append([]string{}, s.Targets...)
	slices.Reverse(reordered)
	if !openOutputCache(cacheDir, root, s.Generator, s.SpecHash, reordered).unchanged(root) {
		t.Error("the order of the targets matters to the cache")
	}
}

func mustStamp(t *testing.T, name string) fileStamp {
	t.Helper()
	st, err := lstamp(name)
	must(t, err)
	return st
}

func sha(t *testing.T, root, rel string) string {
	t.Helper()
	return sum([]byte(readFile(t, root, rel)))
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
		got, _, err := hashPlain(name)
		if err != nil {
			t.Fatal(err)
		}
		if want := sum(normalizeEOL([]byte(data))); got != want {
			t.Errorf("hashPlain(%q...) = %s, want %s", data[:min(len(data), 8)], got, want)
		}
	}
}

// TestOutputCachePrunes: saving a cache removes cache files not written
// for a month and temporary files of interrupted saves, and nothing else.
func TestOutputCachePrunes(t *testing.T) {
	root, cacheDir, s := builtTree(t)
	old := time.Now().Add(-40 * 24 * time.Hour)
	files := map[string]time.Time{
		"outputs-gone":   old,
		"outputs-recent": time.Now().Add(-24 * time.Hour),
		".outputs-123":   time.Now().Add(-2 * time.Hour),
		".outputs-456":   time.Now(),
		"unrelated":      old,
	}
	for name, mtime := range files {
		p := filepath.Join(cacheDir, name)
		must(t, os.WriteFile(p, []byte("x"), 0o644))
		must(t, os.Chtimes(p, mtime, mtime))
	}
	if !current(root, s.Generator, s.SpecHash, s.Targets, cacheDir, settledStart()) {
		t.Fatal("Current is false for the tree as built")
	}
	var left []string
	entries, err := os.ReadDir(cacheDir)
	must(t, err)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "outputs-") || files[e.Name()] != (time.Time{}) {
			left = append(left, e.Name())
		} else {
			left = append(left, "(this tree's cache)")
		}
	}
	want := []string{".outputs-456", "(this tree's cache)", "outputs-recent", "unrelated"}
	slices.Sort(left)
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("cache directory holds %v, want %v", left, want)
	}
}
