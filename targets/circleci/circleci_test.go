package circleci

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

// render renders m twice, requires byte-identical results, and checks the
// file contract: the one output path, the target, the generated header,
// LF endings and a final newline.
func render(t *testing.T, m *model.Release) targets.File {
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
	if len(files) != 1 || files[0].Path != ConfigPath || files[0].Target != "circleci" {
		t.Fatalf("Render returned %d files, want %s from circleci", len(files), ConfigPath)
	}
	f := files[0]
	if !bytes.HasPrefix(f.Data, []byte(targets.Header("#", m))) {
		t.Errorf("%s: does not start with the generated header", f.Path)
	}
	if !bytes.HasSuffix(f.Data, []byte("\n")) || bytes.Contains(f.Data, []byte("\r")) {
		t.Errorf("%s: must use LF line endings and end in a newline", f.Path)
	}
	return f
}

// golden compares f with testdata/<TestName>/<path>. With
// RELEASE_GEN_UPDATE=1 it rewrites a changed file and deletes stale ones.
func golden(t *testing.T, f targets.File) string {
	t.Helper()
	dir := filepath.Join("testdata", filepath.FromSlash(t.Name()))
	p := filepath.Join(dir, filepath.FromSlash(f.Path))
	update := os.Getenv("RELEASE_GEN_UPDATE") == "1"
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
	_ = filepath.WalkDir(dir, func(q string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || q == p {
			return nil
		}
		if update {
			return os.Remove(q)
		}
		t.Errorf("unexpected golden file %s", q)
		return nil
	})
	return p
}

// validate runs the conformance kit's CircleCI validators (CircleCI's JSON
// schema and yamllint gate; CircleCI's config parser is made gating too)
// on the golden file. Without the kit it skips, except in CI.
func validate(t *testing.T, path string) {
	t.Helper()
	kit := filepath.Join("..", "..", "..", "shared", "conformance", "validate.sh")
	if _, err := os.Stat(kit); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the conformance kit is missing (%s): CI must validate the config", kit)
		}
		t.Skipf("conformance kit not found at %s", kit)
	}
	cmd := exec.Command(kit, "circleci", path)
	cmd.Env = append(os.Environ(), "CONFORMANCE_STRICT=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 3 && os.Getenv("CI") == "":
		t.Skipf("a validator could not run (install the kit with install.sh):\n%s", out)
	default:
		t.Errorf("validate.sh circleci %s: %v\n%s", path, err, out)
	}
}

func TestSpecs(t *testing.T) {
	for name, dir := range specs {
		t.Run(name, func(t *testing.T) {
			f := render(t, compile(t, dir))
			validate(t, golden(t, f))
		})
	}
}

// ghcrRelease is the platform spec pushing to GHCR (a registry without
// OIDC login on CircleCI), signing with a KMS key, without SBOMs and with
// a single platform: the paths the examples do not take.
func ghcrRelease(t *testing.T) *model.Release {
	m := compile(t, specs["Platform"])
	m.Registry = model.Registry{Pos: m.Registry.Pos, Host: "ghcr.io/acme", Kind: model.RegistryGHCR, Server: "ghcr.io"}
	m.Security.Sign = &model.Sign{Key: "awskms:///alias/release-signing"}
	m.Security.SBOM = false
	m.Platforms = []string{"linux/amd64"}
	m.Caches.Docker = false
	m.Notify.Slack = nil
	return m
}

func TestGHCR(t *testing.T) {
	m := ghcrRelease(t)
	f := render(t, m)
	if diff := cmp.Diff(planGraph(m), configGraph(t, m, f.Data)); diff != "" {
		t.Errorf("the workflow graph differs from the plan (-plan +config):\n%s", diff)
	}
	validate(t, golden(t, f))
}
