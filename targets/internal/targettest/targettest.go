// Package targettest holds what the tests of the targets share: compiling
// the specs they are tested on, comparing outputs with golden files, and
// running the conformance kit's validators on outputs.
package targettest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// Root returns the repository root: the nearest directory above the
// test's working directory that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Compile compiles the spec in dir, as the CLI does: an absolute
// directory, or a slash-separated path relative to the repository root
// such as "examples/shop". A spec that does not compile fails t with its
// diagnostics.
func Compile(t testing.TB, dir string) *model.Release {
	t.Helper()
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(Root(t), filepath.FromSlash(dir))
	}
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		var se *compiler.SpecError
		if errors.As(err, &se) {
			t.Fatalf("compile %s: %v", dir, se.Diagnostics)
		}
		t.Fatalf("compile %s: %v", dir, err)
	}
	return res.Release
}

// Golden compares files with testdata/<TestName>/<path>. With
// RELEASE_GEN_UPDATE=1 it rewrites the files that changed and deletes
// golden files no longer rendered.
func Golden(t testing.TB, files ...targets.File) {
	t.Helper()
	dir := filepath.Join("testdata", filepath.FromSlash(t.Name()))
	update := os.Getenv("RELEASE_GEN_UPDATE") == "1"
	want := map[string]bool{}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		want[p] = true
		old, err := os.ReadFile(p)
		switch {
		case update && (err != nil || !bytes.Equal(old, f.Data)):
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		case update:
		case err != nil:
			t.Errorf("missing golden file %s (run with RELEASE_GEN_UPDATE=1): %v", p, err)
		default:
			if diff := cmp.Diff(string(old), string(f.Data)); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got):\n%s", f.Path, diff)
			}
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

// Kit returns the conformance kit's validate.sh: in $CONFORMANCE, or in
// ../shared/conformance beside the repository, as the Makefile has it.
// Without the kit the test is skipped, except when CI is set, where that
// fails it.
func Kit(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CONFORMANCE")
	if dir == "" {
		dir = filepath.Join(Root(t), "..", "shared", "conformance")
	}
	script := filepath.Join(dir, "validate.sh")
	if _, err := os.Stat(script); err != nil {
		Unavailable(t, "the conformance kit is missing (%v): set CONFORMANCE to its directory", err)
	}
	return script
}

// Unavailable skips the test because a validator cannot run, or fails it
// when CI is set, since CI must validate every output.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// Validate runs the conformance kit's validators for target (a validate.sh
// target such as "gitlab") on files, written to a temporary directory
// under their paths. Advisory validators gate too (CONFORMANCE_STRICT=1).
// A rejection fails t; a validator that is not installed is Unavailable.
// The validators take seconds, so -short skips them.
func Validate(t testing.TB, target string, files ...targets.File) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the conformance validators take seconds")
	}
	script := Kit(t)
	args := append([]string{target}, WriteFiles(t, t.TempDir(), files...)...)
	cmd := exec.Command(script, args...)
	cmd.Env = append(os.Environ(), "CONFORMANCE_STRICT=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		Unavailable(t, "a %s validator could not run (run the kit's install.sh):\n%s", target, out)
	default:
		t.Errorf("validate.sh %s: %v\n%s", target, err, out)
	}
}

// WriteFiles writes files under dir at their paths and returns their file
// names.
func WriteFiles(t testing.TB, dir string, files ...targets.File) []string {
	t.Helper()
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(names[i]), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(names[i], f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// Output runs cmd and returns its standard output. The output goes
// through a file: Node.js, which runs several validators, writes to a pipe
// asynchronously and can exit before a long output is through it, but
// writes to a file synchronously.
func Output(t testing.TB, cmd *exec.Cmd) ([]byte, error) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "stdout")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = f
	err = cmd.Run()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	out, rerr := os.ReadFile(name)
	if rerr != nil {
		t.Fatal(rerr)
	}
	return out, err
}
