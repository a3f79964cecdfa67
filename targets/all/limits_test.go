package all

import (
	"bytes"
	"testing"

	"cuelang.org/go/cue/token"
	"github.com/google/go-cmp/cmp"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
)

func TestCheckSizes(t *testing.T) {
	file := token.NewFile("release.cue", 0, 100)
	file.SetLinesForContent(bytes.Repeat([]byte("x\n"), 50))
	services := file.Pos(20, token.NoRelPos)
	m := &model.Release{
		Pos:      file.Pos(0, token.NoRelPos),
		Fields:   model.Positions{"services": services},
		Services: []*model.Service{{Name: "a"}, {Name: "b"}},
	}
	limit := targets.SizeLimit{Bytes: 1000, Rule: "the platform's limit of 1,000 bytes"}
	files := []targets.File{
		{Path: "at-limit.yml", Data: make([]byte, 1000), Target: "one", Limit: limit},
		{Path: "over.yml", Data: make([]byte, 1234567), Target: "two", Limit: limit},
		{Path: "unlimited.yml", Data: make([]byte, 1234567), Target: "three"},
	}
	ds := checkSizes(m, files)
	if len(ds) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %v", len(ds), ds)
	}
	d := ds[0]
	want := `two: over.yml would be 1,234,567 bytes for 2 services, over the platform's limit of 1,000 bytes: remove "two" from targets, or release fewer services from this spec`
	if diff := cmp.Diff(want, d.Message); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if d.Check != "output-size" || d.Pos != services || d.Severity != diag.Error {
		t.Errorf("got check %q at %v, severity %v; want output-size at %v, error", d.Check, d.Pos, d.Severity, services)
	}

	// A limit with its own unit and fix says so.
	fixed := targets.SizeLimit{Bytes: 100, Unit: "widgets", Rule: "the platform's default of 100 widgets", Fix: "raise the default"}
	files = []targets.File{
		{Path: "at-limit.yml", Data: []byte("x"), Target: "one", Limit: fixed, Size: 100},
		{Path: "over.yml", Data: []byte("x"), Target: "two", Limit: fixed, Size: 1234},
	}
	ds = checkSizes(m, files)
	if len(ds) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %v", len(ds), ds)
	}
	d = ds[0]
	want = "two: over.yml would be 1,234 widgets for 2 services, over the platform's default of 100 widgets: raise the default"
	if diff := cmp.Diff(want, d.Message); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if d.Check != "output-size" || d.Pos != services || d.Severity != diag.Error {
		t.Errorf("got check %q at %v, severity %v; want output-size at %v, error", d.Check, d.Pos, d.Severity, services)
	}
}
