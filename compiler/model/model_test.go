package model

import "testing"

func TestDriftDirs(t *testing.T) {
	for _, tc := range []struct {
		d         Drift
		spec, out string
	}{
		{Drift{}, ".", "."},
		{Drift{Dir: "deploy"}, "deploy", "deploy"},
		{Drift{Out: "gen"}, ".", "gen"},
		{Drift{Dir: "deploy", Out: "."}, "deploy", "."},
	} {
		if spec, out := tc.d.Dirs(); spec != tc.spec || out != tc.out {
			t.Errorf("%+v.Dirs() = %q, %q; want %q, %q", tc.d, spec, out, tc.spec, tc.out)
		}
	}
}
