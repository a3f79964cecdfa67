package gitlabci

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

func shop(t *testing.T) *model.Release     { return targettest.Compile(t, "examples/shop") }
func platform(t *testing.T) *model.Release { return targettest.Compile(t, "examples/platform") }
func hostile(t *testing.T) *model.Release  { return targettest.Compile(t, "testdata/hostile") }

// ghcr is the shop on GHCR, with every CI/CD variable renamed, a KMS
// signing key and Slack on failure and success: the paths the examples do
// not take.
func ghcr(t *testing.T) *model.Release {
	t.Helper()
	m := *shop(t)
	m.Registry = model.Registry{Pos: m.Registry.Pos, Host: "ghcr.io/acme", Kind: model.RegistryGHCR, Server: "ghcr.io"}
	m.Secrets = model.Secrets{
		AWSRoleARN: "SIGNING_ROLE", AWSRegion: "SIGNING_REGION", KubeConfig: "CLUSTER_KUBECONFIG",
		SlackWebhook: "CHAT_HOOK", RegistryUsername: "GHCR_USER", RegistryPassword: "GHCR_TOKEN",
	}
	m.Security.Sign = &model.Sign{Key: "awskms:///alias/release-signing"}
	m.Platforms = []string{"linux/amd64"}
	m.Caches.Docker = false
	slack := *m.Notify.Slack
	slack.On = []string{"failure", "success"}
	m.Notify.Slack = &slack
	return &m
}

// minimalSpec selects little: one generic service at the repository root,
// no caches, no supply chain, no approval, no Slack, a release branch
// with a slash, a registry that is neither ECR nor GHCR.
const minimalSpec = `package release

name:     "mini"
registry: "registry.example.com/team"
branch:   "release/2.x"
targets: ["gitlab"]
services: app: {language: "generic", path: ".", dockerfile: "Dockerfile", port: 9000}
caches: {dependencies: false, docker: false}
security: {scan: false, sbom: false, sign: false}
environments: live: namespace: "apps"
`

// fleetSpec has 60 services deployed to staging, then to production
// behind an approval: more jobs precede the approval than a GitLab job
// may need.
const fleetSpec = `package release

import "list"

name:     "fleet"
registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
targets: ["gitlab"]
services: {
	for i in list.Range(0, 60, 1) {
		"svc-\(i)": {language: "go", path: "services/svc-\(i)"}
	}
}
environments: {
	staging: namespace:    "apps-staging"
	production: {namespace: "apps", approval: true}
}
`

func fleet(t *testing.T) *model.Release {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(fleetSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	return targettest.Compile(t, dir)
}

func minimal(t *testing.T) *model.Release {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(minimalSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	return targettest.Compile(t, dir)
}

// render renders m twice, requires byte-identical results, and checks the
// file contract: one file at Path, the gitlab target, the generated
// header, LF endings and a final newline.
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
	if len(files) != 1 || files[0].Path != Path || files[0].Target != "gitlab" {
		t.Fatalf("Render returned %d files, want one %s of target gitlab", len(files), Path)
	}
	f := files[0]
	if !bytes.HasPrefix(f.Data, []byte(targets.Header("#", m))) {
		t.Errorf("%s does not start with the generated header", f.Path)
	}
	if !bytes.HasSuffix(f.Data, []byte("\n")) || bytes.Contains(f.Data, []byte("\r")) {
		t.Errorf("%s must use LF line endings and end in a newline", f.Path)
	}
	return f
}

func TestShop(t *testing.T)     { targettest.Golden(t, render(t, shop(t))) }
func TestPlatform(t *testing.T) { targettest.Golden(t, render(t, platform(t))) }
func TestHostile(t *testing.T)  { targettest.Golden(t, render(t, hostile(t))) }
func TestGHCR(t *testing.T)     { targettest.Golden(t, render(t, ghcr(t))) }
func TestMinimal(t *testing.T)  { targettest.Golden(t, render(t, minimal(t))) }
