package renovate

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// compile compiles the spec in dir (relative to the repository root).
func compile(t *testing.T, dir string) *model.Release {
	t.Helper()
	res, err := compiler.Compile(compiler.Config{Dir: filepath.Join("..", "..", filepath.FromSlash(dir))})
	if err != nil {
		var se *compiler.SpecError
		if errors.As(err, &se) {
			t.Fatalf("compile %s: %v", dir, se.Diagnostics)
		}
		t.Fatalf("compile %s: %v", dir, err)
	}
	return res.Release
}

// render renders m twice, requires byte-identical results, and checks the
// file contract: renovate.json only, the renovate target, the generated
// notice in the description on line 3 (where the writer looks for it), LF
// endings and a final newline.
func render(t *testing.T, m *model.Release) []targets.File {
	t.Helper()
	files, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	again, err := Target{}.Render(m)
	if err != nil {
		t.Fatalf("second Render: %v", err)
	}
	if diff := cmp.Diff(files, again); diff != "" {
		t.Fatalf("two renders differ (-first +second):\n%s", diff)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		if f.Target != "renovate" {
			t.Errorf("%s: Target = %q", f.Path, f.Target)
		}
		lines := strings.SplitN(string(f.Data), "\n", 4)
		if len(lines) < 4 || lines[2] != `  "description": "`+targets.GeneratedMarker+m.SpecFile+`; DO NOT EDIT.",` {
			t.Errorf("%s: line 3 does not carry the generated notice:\n%s", f.Path, f.Data)
		}
		if !bytes.HasSuffix(f.Data, []byte("\n")) || bytes.Contains(f.Data, []byte("\r")) {
			t.Errorf("%s: must use LF line endings and end in a newline", f.Path)
		}
	}
	if diff := cmp.Diff(Target{}.Outputs(), paths); diff != "" {
		t.Errorf("paths differ from Outputs() (-want +got):\n%s", diff)
	}
	return files
}

// golden compares files with testdata/<TestName>/<path>. With
// RELEASE_GEN_UPDATE=1 it rewrites changed files and deletes stale ones.
func golden(t *testing.T, files []targets.File) {
	t.Helper()
	dir := filepath.Join("testdata", filepath.FromSlash(t.Name()))
	update := os.Getenv("RELEASE_GEN_UPDATE") == "1"
	want := map[string]bool{}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		want[p] = true
		old, err := os.ReadFile(p)
		if update {
			if err != nil || !bytes.Equal(old, f.Data) {
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("missing golden file %s (run with RELEASE_GEN_UPDATE=1): %v", p, err)
			continue
		}
		if diff := cmp.Diff(string(old), string(f.Data)); diff != "" {
			t.Errorf("%s differs from the golden file (-want +got):\n%s", f.Path, diff)
		}
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || want[p] {
			return nil
		}
		if update {
			return os.Remove(p)
		}
		t.Errorf("unexpected golden file %s", p)
		return nil
	})
}

// kitDir returns the conformance kit's directory: $CONFORMANCE, or the
// kit next to the clone.
func kitDir() string {
	if kit := os.Getenv("CONFORMANCE"); kit != "" {
		return kit
	}
	return filepath.Join("..", "..", "..", "shared", "conformance")
}

// missing skips the test because a tool is not installed, or fails it
// when CI is set.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// conformance runs renovate-config-validator --strict (in repository-config
// mode, through the conformance kit) on files. Without the kit the test is
// skipped, and fails when CI is set.
func conformance(t *testing.T, files []targets.File) {
	t.Helper()
	if testing.Short() {
		t.Skip("renovate-config-validator takes seconds: skipped in -short mode")
	}
	validate, err := filepath.Abs(filepath.Join(kitDir(), "validate.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(validate); err != nil {
		missing(t, "conformance kit not found (%v): set CONFORMANCE to its directory", err)
	}
	dir := t.TempDir()
	args := []string{"renovate"}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	out, err := exec.Command(validate, args...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		missing(t, "renovate-config-validator is not installed (run install.sh):\n%s", out)
	default:
		t.Errorf("validate.sh renovate: %v\n%s", err, out)
	}
}
