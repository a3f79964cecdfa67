package fileset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	hexA = strings.Repeat("a", 64)
	hexB = strings.Repeat("b", 64)
)

func TestEncodeManifest(t *testing.T) {
	m := &Manifest{
		Generator: "v1.2.3",
		SpecHash:  "sha256:" + hexA,
		Files: []ManifestFile{
			{Path: "renovate.json", Target: "renovate", SHA256: hexB},
			{Path: ".github/workflows/release.yml", Target: "github", SHA256: hexA},
			{Path: "deploy/a&b<c>.json", Target: "ecr", SHA256: hexA},
		},
	}
	want := `{
  "generator": "v1.2.3",
  "specHash": "sha256:` + hexA + `",
  "files": [
    {
      "path": ".github/workflows/release.yml",
      "target": "github",
      "sha256": "` + hexA + `"
    },
    {
      "path": "deploy/a&b<c>.json",
      "target": "ecr",
      "sha256": "` + hexA + `"
    },
    {
      "path": "renovate.json",
      "target": "renovate",
      "sha256": "` + hexB + `"
    }
  ]
}
`
	if diff := cmp.Diff(want, string(EncodeManifest(m))); diff != "" {
		t.Errorf("EncodeManifest mismatch (-want +got):\n%s", diff)
	}
	if m.Files[0].Path != "renovate.json" {
		t.Error("EncodeManifest reordered the caller's slice")
	}
	empty := string(EncodeManifest(&Manifest{Generator: "v1", SpecHash: "sha256:" + hexA}))
	if !strings.Contains(empty, `"files": []`) {
		t.Errorf("manifest without files encodes as\n%s\nwant an empty files list", empty)
	}
	got, err := decodeManifest(EncodeManifest(m))
	if err != nil {
		t.Fatal(err)
	}
	if string(EncodeManifest(got)) != want {
		t.Error("decode and encode do not round-trip")
	}
}

func TestReadManifestAbsent(t *testing.T) {
	root := t.TempDir()
	m, err := ReadManifest(root)
	if m != nil || err != nil {
		t.Fatalf("ReadManifest of a tree without .release-gen = %v, %v; want nil, nil", m, err)
	}
	if err := os.Mkdir(filepath.Join(root, stateDir), 0o755); err != nil {
		t.Fatal(err)
	}
	m, err = ReadManifest(root)
	if m != nil || err != nil {
		t.Fatalf("ReadManifest without manifest.json = %v, %v; want nil, nil", m, err)
	}
}

func TestReadManifestCRLF(t *testing.T) {
	root := t.TempDir()
	want := &Manifest{Generator: "v1", SpecHash: "sha256:" + hexA, Files: []ManifestFile{{Path: "a", Target: "t", SHA256: hexB}}}
	crlf := strings.ReplaceAll(string(EncodeManifest(want)), "\n", "\r\n")
	writeFile(t, root, ManifestPath, crlf)
	got, err := ReadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestReadManifestCorrupt(t *testing.T) {
	file := func(path, target, sha string) string {
		return `{"path": "` + path + `", "target": "` + target + `", "sha256": "` + sha + `"}`
	}
	manifest := func(files ...string) string {
		return `{"generator": "v1", "specHash": "sha256:` + hexA + `", "files": [` + strings.Join(files, ",") + `]}`
	}
	tests := []struct {
		name, data, want string
	}{
		{"empty file", "", "invalid JSON"},
		{"not JSON", "generator = v1", "invalid JSON"},
		{"truncated", manifest(file("a", "t", hexA))[:40], "invalid JSON"},
		{"an array", "[]", "invalid JSON"},
		{"data after the object", manifest() + "{}", "data after"},
		{"unknown field", `{"version": 2, "generator": "v1", "specHash": "sha256:` + hexA + `", "files": []}`, `unknown field "version"`},
		{"no generator", `{"specHash": "sha256:` + hexA + `", "files": []}`, `missing "generator"`},
		{"no spec hash", `{"generator": "v1", "files": []}`, `missing "specHash"`},
		{"bad spec hash", `{"generator": "v1", "specHash": "md5:abc", "files": []}`, `"specHash" "md5:abc"`},
		{"no files", `{"generator": "v1", "specHash": "sha256:` + hexA + `"}`, `missing "files"`},
		{"null files", `{"generator": "v1", "specHash": "sha256:` + hexA + `", "files": null}`, `missing "files"`},
		{"file is not an object", manifest(`"a"`), "invalid JSON"},
		{"file without path", manifest(`{"target": "t", "sha256": "` + hexA + `"}`), `missing "path"`},
		{"file without target", manifest(file("a", "", hexA)), `missing "target"`},
		{"absolute path", manifest(file("/etc/passwd", "t", hexA)), "is absolute"},
		{"dot-dot path", manifest(file("../outside", "t", hexA)), `contains ".."`},
		{"hidden dot-dot", manifest(file("a/../../b", "t", hexA)), `contains ".."`},
		{"unclean path", manifest(file("a//b", "t", hexA)), "not clean"},
		{"backslash path", manifest(file(`a\\b`, "t", hexA)), "backslash"},
		{"own directory", manifest(file(".release-gen/lock", "t", hexA)), "reserves"},
		{"duplicate path", manifest(file("a", "t", hexA), file("a", "u", hexB)), "listed twice"},
		{"short hex", manifest(file("a", "t", "abc")), "not 64 lowercase hex"},
		{"upper-case hex", manifest(file("a", "t", strings.Repeat("A", 64))), "not 64 lowercase hex"},
		{"non-hex", manifest(file("a", "t", strings.Repeat("g", 64))), "not 64 lowercase hex"},
		{"targets not an object", `{"generator": "v1", "specHash": "sha256:` + hexA + `", "targets": [], "files": []}`, "invalid JSON"},
		{"empty target name", `{"generator": "v1", "specHash": "sha256:` + hexA + `", "targets": {"": "sha256:` + hexA + `"}, "files": []}`, "empty target name"},
		{"bad target hash", `{"generator": "v1", "specHash": "sha256:` + hexA + `", "targets": {"github": "` + hexA + `"}, "files": []}`, `github: "` + hexA + `" is not of the form`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, root, ManifestPath, tt.data)
			m, err := ReadManifest(root)
			checkManifestError(t, root, m, err, tt.want)
		})
	}
}

// checkManifestError asserts that err is a *ManifestError for the
// manifest under root whose message contains want and the fix.
func checkManifestError(t *testing.T, root string, m *Manifest, err error, want string) {
	t.Helper()
	var merr *ManifestError
	if !errors.As(err, &merr) {
		t.Fatalf("got manifest %v, error %v; want a *ManifestError", m, err)
	}
	if m != nil {
		t.Errorf("got a manifest along with the error")
	}
	msg := err.Error()
	for _, s := range []string{filepath.Join(root, ManifestPath), "corrupt manifest", want, "run `release-gen build --force` to rebuild it"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not contain %q", msg, s)
		}
	}
}

func TestReadManifestNotAFile(t *testing.T) {
	t.Run("symlink", func(t *testing.T) {
		root, outside := t.TempDir(), t.TempDir()
		good := EncodeManifest(&Manifest{Generator: "v1", SpecHash: "sha256:" + hexA})
		writeFile(t, outside, "m.json", string(good))
		if err := os.Mkdir(filepath.Join(root, stateDir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(outside, "m.json"), filepath.Join(root, ManifestPath)); err != nil {
			t.Fatal(err)
		}
		m, err := ReadManifest(root)
		checkManifestError(t, root, m, err, "symbolic link")
	})
	t.Run("symlinked directory", func(t *testing.T) {
		root, outside := t.TempDir(), t.TempDir()
		if err := os.Symlink(outside, filepath.Join(root, stateDir)); err != nil {
			t.Fatal(err)
		}
		m, err := ReadManifest(root)
		checkManifestError(t, root, m, err, "symbolic link")
	})
	t.Run("directory", func(t *testing.T) {
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, ManifestPath), 0o755); err != nil {
			t.Fatal(err)
		}
		m, err := ReadManifest(root)
		checkManifestError(t, root, m, err, "not a regular file")
	})
}

func TestSpecHash(t *testing.T) {
	base := map[string][]byte{"release.cue": []byte("a: 1\nb: 2\n"), "extra.cue": []byte("c: 3\n")}
	h := SpecHash(base)
	if !validSpecHash(h) {
		t.Fatalf("SpecHash = %q, not sha256:<hex>", h)
	}
	// Computed independently from the documented encoding. Changing the
	// encoding changes every recorded hash, so it must be deliberate.
	if want := "sha256:543d3838038b4a96d91b0732aa95a83e3b2233e79a89b3b44e6e55fbf41c4d8c"; h != want {
		t.Errorf("SpecHash = %s, want %s", h, want)
	}
	for i := 0; i < 10; i++ {
		if got := SpecHash(map[string][]byte{"extra.cue": []byte("c: 3\n"), "release.cue": []byte("a: 1\nb: 2\n")}); got != h {
			t.Fatalf("SpecHash is not deterministic: %s then %s", h, got)
		}
	}
	crlf := map[string][]byte{"release.cue": []byte("a: 1\r\nb: 2\r\n"), "extra.cue": []byte("c: 3\r\n")}
	if got := SpecHash(crlf); got != h {
		t.Errorf("CRLF line endings change the hash: %s, want %s", got, h)
	}
	differ := []map[string][]byte{
		{"release.cue": []byte("a: 1\nb: 2\n")},
		{"release.cue": []byte("a: 1\nb: 3\n"), "extra.cue": []byte("c: 3\n")},
		{"release2.cue": []byte("a: 1\nb: 2\n"), "extra.cue": []byte("c: 3\n")},
		// The boundary between name and content is part of the hash.
		{"release.cu": []byte("ea: 1\nb: 2\n"), "extra.cue": []byte("c: 3\n")},
		{"release.cue": []byte("a: 1\nb: 2\nc: 3\n"), "extra.cue": nil},
		{},
	}
	seen := map[string]int{h: -1}
	for i, files := range differ {
		got := SpecHash(files)
		if j, ok := seen[got]; ok {
			t.Errorf("inputs %d and %d hash the same: %s", i, j, got)
		}
		seen[got] = i
	}
}

// TestReadManifestTargets: the spec hash per target round-trips, and a
// manifest from before it existed reads without one.
func TestReadManifestTargets(t *testing.T) {
	root := t.TempDir()
	old := `{"generator": "v1", "specHash": "sha256:` + hexA + `", "files": []}`
	writeFile(t, root, ManifestPath, old)
	m, err := ReadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	if m.Targets != nil {
		t.Errorf("Targets = %v, want none", m.Targets)
	}
	want := &Manifest{Generator: "v1", SpecHash: "sha256:" + hexA, Targets: map[string]string{"github": "sha256:" + hexB, "ecr": "sha256:" + hexA}, Files: []ManifestFile{}}
	writeFile(t, root, ManifestPath, string(EncodeManifest(want)))
	got, err := ReadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}
