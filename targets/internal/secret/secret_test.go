package secret

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/model"
)

// TestDefaultsAreTheSchemas holds the defaults here to the schema's, which
// a compiled model carries.
func TestDefaultsAreTheSchemas(t *testing.T) {
	dir := t.TempDir()
	spec := "package release\n\nname: \"x\"\nregistry: \"ghcr.io/acme\"\nservices: api: {}\n"
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(compiler.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := Names{
		AWSRoleARN: res.Release.Secrets.AWSRoleARN, AWSRegion: res.Release.Secrets.AWSRegion,
		KubeConfig: res.Release.Secrets.KubeConfig, SlackWebhook: res.Release.Secrets.SlackWebhook,
		RegistryUsername: res.Release.Secrets.RegistryUsername, RegistryPassword: res.Release.Secrets.RegistryPassword,
		GitOpsToken: res.Release.Secrets.GitOpsToken,
	}
	if diff := cmp.Diff(Resolve(model.Secrets{}), got); diff != "" {
		t.Errorf("defaults differ from the schema's (-here +schema):\n%s", diff)
	}
}

func TestResolveKeepsGivenNames(t *testing.T) {
	got := Resolve(model.Secrets{KubeConfig: "CLUSTER", GitOpsToken: "BOT"})
	if got.KubeConfig != "CLUSTER" || got.GitOpsToken != "BOT" || got.AWSRoleARN != AWSRoleARN {
		t.Errorf("Resolve = %+v", got)
	}
}
