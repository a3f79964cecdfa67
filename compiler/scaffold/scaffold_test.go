package scaffold

import (
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/cue/format"
	"github.com/google/go-cmp/cmp"
)

func write(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDetect(t *testing.T) {
	root := filepath.Join(t.TempDir(), "My_Repo")
	write(t, root,
		"go.mod", // a monorepo's root module: tooling, not a service
		"cmd/api/main.go", "services/api/go.mod",
		"web/package.json", "web/node_modules/x/package.json", "web/packages/ui/package.json",
		"ml/requirements.txt", "legacy/API/pom.xml", ".hidden/package.json",
		"examples/demo/package.json", "a/b/c/d/e/package.json",
	)
	got, err := Detect(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Service{
		{Name: "api", Path: "legacy/API", Language: "java", Marker: "pom.xml"},
		{Name: "ml", Path: "ml", Language: "python", Marker: "requirements.txt"},
		{Name: "api-2", Path: "services/api", Language: "go", Marker: "go.mod"},
		{Name: "web", Path: "web", Language: "node", Marker: "package.json"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Detect (-want +got):\n%s", diff)
	}
}

func TestDetectSingleServiceRepo(t *testing.T) {
	root := filepath.Join(t.TempDir(), "Billing.Service")
	write(t, root, "package.json")
	got, _ := Detect(root)
	if len(got) != 1 || got[0].Name != "billing-service" || got[0].Path != "." {
		t.Errorf("got %+v", got)
	}
}

func TestStarterSpecIsFormatted(t *testing.T) {
	for _, targets := range [][]string{{"github", "renovate"}, {"jenkins", "renovate"}} {
		src := CUE([]Service{{Name: "api", Path: "api", Language: "go", Marker: "go.mod"}, {Name: "web-ui", Path: "web ui", Language: "node", Marker: "package.json"}},
			Options{Name: "shop", Registry: "ghcr.io/acme", Targets: targets})
		formatted, err := format.Source(src)
		if err != nil {
			t.Fatalf("starter spec for %v does not parse: %v\n%s", targets, err, src)
		}
		if diff := cmp.Diff(string(formatted), string(src)); diff != "" {
			t.Errorf("starter spec for %v is not cue fmt clean (-fmt +got):\n%s", targets, diff)
		}
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{"My_Repo": "my-repo", "9lives": "svc-9lives", "---": "svc", "API.v2": "api-v2"} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}
