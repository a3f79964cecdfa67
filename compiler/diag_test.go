package compiler

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"release-gen.dev/release-gen/compiler/diag"
)

// TestDiagnostics compiles every archive in testdata/diag and compares the
// diagnostics with the archive's "want" section: the exact lines a user
// sees, positions relative to the spec directory. An archive whose want is
// empty must compile without errors (warnings are still listed).
// RELEASE_GEN_UPDATE=1 rewrites the want sections.
func TestDiagnostics(t *testing.T) {
	archives, err := filepath.Glob(filepath.Join("testdata", "diag", "*.txtar"))
	if err != nil || len(archives) == 0 {
		t.Fatalf("no archives: %v", err)
	}
	for _, name := range archives {
		t.Run(strings.TrimSuffix(filepath.Base(name), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(name)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var want []byte
			wantIndex := -1
			for i, f := range ar.Files {
				if f.Name == "want" {
					want, wantIndex = f.Data, i
					continue
				}
				p := filepath.Join(dir, filepath.FromSlash(f.Name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if wantIndex < 0 {
				t.Fatal("archive has no want section")
			}
			got := diagnostics(t, dir)
			if os.Getenv("RELEASE_GEN_UPDATE") != "" {
				ar.Files[wantIndex].Data = got
				if err := os.WriteFile(name, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("diagnostics differ (-want +got):\n%s", diff)
			}
		})
	}
}

// diagnostics compiles dir and prints what the CLI would print.
func diagnostics(t *testing.T, dir string) []byte {
	t.Helper()
	res, err := Compile(Config{Dir: dir})
	var list diag.List
	var specErr *SpecError
	switch {
	case errors.As(err, &specErr):
		list = specErr.Diagnostics
		if !list.HasErrors(false) {
			t.Fatal("SpecError without errors")
		}
	case err != nil:
		t.Fatalf("Compile: %v", err)
	default:
		list = res.Warnings
	}
	var buf bytes.Buffer
	if err := diag.Print(&buf, list, diag.FormatText, dir); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
