package circleci

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/targettest"
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

func TestSpecs(t *testing.T) {
	for name, dir := range specs {
		t.Run(name, func(t *testing.T) {
			f := render(t, targettest.Compile(t, dir))
			targettest.Golden(t, f)
			targettest.Validate(t, "circleci", f)
		})
	}
}

// ghcrRelease is the platform spec pushing to GHCR (a registry without
// OIDC login on CircleCI), signing with a KMS key, without SBOMs and with
// a single platform: the paths the examples do not take.
func ghcrRelease(t *testing.T) *model.Release {
	m := targettest.Compile(t, specs["Platform"])
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
	targettest.Golden(t, f)
	targettest.Validate(t, "circleci", f)
}
