package flagger

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
// file contract: sorted paths under Dir, the flagger target, the generated
// header, LF endings and a final newline.
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
		if f.Target != "flagger" {
			t.Errorf("%s: Target = %q", f.Path, f.Target)
		}
		if !strings.HasPrefix(f.Path, Dir) || !strings.HasSuffix(f.Path, ".yaml") {
			t.Errorf("%s: not of the form %s", f.Path, Target{}.Outputs()[0])
		}
		if !bytes.HasPrefix(f.Data, []byte(targets.Header("#", m))) {
			t.Errorf("%s: does not start with the generated header", f.Path)
		}
		if !bytes.HasSuffix(f.Data, []byte("\n")) || bytes.Contains(f.Data, []byte("\r")) {
			t.Errorf("%s: must use LF line endings and end in a newline", f.Path)
		}
	}
	if !slices.IsSorted(paths) {
		t.Errorf("files not sorted by path: %v", paths)
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

// conformance runs the conformance kit's Flagger validators (yamllint and
// kubeconform -strict with Flagger's CRD) on files. Without the kit the
// test is skipped, and fails when CI is set.
func conformance(t *testing.T, files []targets.File) {
	t.Helper()
	kit := os.Getenv("CONFORMANCE")
	if kit == "" {
		kit = filepath.Join("..", "..", "..", "shared", "conformance")
	}
	validate, err := filepath.Abs(filepath.Join(kit, "validate.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(validate); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("conformance kit not found (%v): set CONFORMANCE to its directory", err)
		}
		t.Skipf("conformance kit not found (%v): set CONFORMANCE to run kubeconform", err)
	}
	dir := t.TempDir()
	args := []string{"flagger"}
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
	case errors.As(err, &exit) && exit.ExitCode() == 3 && os.Getenv("CI") == "":
		t.Skipf("a Flagger validator is not installed (run install.sh):\n%s", out)
	default:
		t.Errorf("validate.sh flagger: %v\n%s", err, out)
	}
}
