package renovate

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

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
