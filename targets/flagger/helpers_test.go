package flagger

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

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
